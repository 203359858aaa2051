using System.Numerics.Tensors;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// The row-wise middle of fused attention for one (batch, head): scores to probabilities (additive mask,
/// key padding, causal limit, softmax) and the matching backward. The GEMMs around it live in the op.
/// </summary>
internal static class AttentionRows
{
    /// <summary>
    /// Turns raw scaled scores <c>[lq, lk]</c> into attention probabilities in place.
    /// </summary>
    /// <param name="scores">Scores <c>[lq, lk]</c>, replaced by probabilities.</param>
    /// <param name="lq">Query count.</param>
    /// <param name="lk">Key count.</param>
    /// <param name="mask">Additive mask elements for this head (empty for none), addressed with the two strides.</param>
    /// <param name="maskRowStride">Mask stride between query rows (0 when broadcast).</param>
    /// <param name="maskColStride">Mask stride between keys (0 when broadcast, else 1).</param>
    /// <param name="keyPadding">Non-zero where a key is padding (empty for none), <c>[lk]</c>.</param>
    /// <param name="causalOffset">Query i sees keys j &lt;= i + causalOffset; <see cref="int.MaxValue"/> for no causal limit.</param>
    /// <remarks>A row with every key blocked becomes all zeros (the softmax kernel's fully-masked rule).</remarks>
    public static void ScoresToProbs(Span<float> scores, int lq, int lk, ReadOnlySpan<float> mask, int maskRowStride, int maskColStride,
        ReadOnlySpan<float> keyPadding, int causalOffset)
    {
        for (int i = 0; i < lq; i++)
        {
            var row = scores.Slice(i * lk, lk);
            if (!mask.IsEmpty)
            {
                int m0 = i * maskRowStride;
                if (maskColStride == 1)
                {
                    TensorPrimitives.Add(row, mask.Slice(m0, lk), row);
                }
                else
                {
                    TensorPrimitives.Add(row, mask[m0], row);
                }
            }

            if (!keyPadding.IsEmpty)
            {
                for (int j = 0; j < lk; j++)
                {
                    if (keyPadding[j] != 0f)
                    {
                        row[j] = float.NegativeInfinity;
                    }
                }
            }

            if (causalOffset != int.MaxValue)
            {
                // Keys after i + causalOffset are in the future of query i.
                long first = Math.Max(0L, (long)i + causalOffset + 1);
                if (first < lk)
                {
                    row[(int)first..].Fill(float.NegativeInfinity);
                }
            }

            Softmax.Row(row, row);
        }
    }

    /// <summary>
    /// Softmax backward for every row: turns dP into dS in place, dS = P ⊙ (dP - rowsum(dP ⊙ P)).
    /// Fully masked rows (all-zero P) give zero.
    /// </summary>
    public static void ProbsBackward(ReadOnlySpan<float> probs, Span<float> grad, int lq, int lk)
    {
        for (int i = 0; i < lq; i++)
        {
            var g = grad.Slice(i * lk, lk);
            Softmax.BackwardRow(probs.Slice(i * lk, lk), g, g);
        }
    }
}
