using System.Numerics.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

// Owner: sequence ops.
public static partial class Functional
{
    /// <summary>
    /// Scaled dot-product attention softmax(q k^T * scale + mask) v for <c>q [B, H, Lq, D]</c>, <c>k, v [B, H, Lk, D]</c>
    /// (any number of leading dims, identical for the three), as <c>F.scaled_dot_product_attention</c>. Fused: one
    /// recorded op that keeps only the attention probabilities for backward; the work is split over the
    /// (batch, head) pairs.
    /// </summary>
    /// <param name="query">Queries <c>[..., Lq, D]</c>.</param>
    /// <param name="key">Keys <c>[..., Lk, D]</c>.</param>
    /// <param name="value">Values <c>[..., Lk, Dv]</c>.</param>
    /// <param name="attnMask">Optional additive mask broadcastable to <c>[..., Lq, Lk]</c> (use -inf to block); null by
    /// default. It receives a gradient when it requires one (learned biases).</param>
    /// <param name="keyPaddingMask">Optional <c>[B, Lk]</c> mask, non-zero where the key is padding (blocked for every query of
    /// that batch row); B is the first dimension of <paramref name="query"/> (1 when the inputs have rank 2). Null by default.</param>
    /// <param name="isCausal">Block keys after the query position (query i sees keys 0..i + Lk - Lq, i.e. aligned to the
    /// bottom right as for a query block at the end of the keys); false by default. With Lq = Lk this is PyTorch's
    /// <c>is_causal</c>; PyTorch aligns to the top left when Lq differs from Lk.</param>
    /// <param name="dropoutP">Dropout probability on the attention weights, applied whenever it is positive (pass 0 in
    /// evaluation); 0 by default.</param>
    /// <param name="scale">Score scale; 1/sqrt(D) when null (the default).</param>
    /// <param name="generator">Random source for dropout; <see cref="Random.Generator.Default"/> when null.</param>
    /// <returns>The attended values <c>[..., Lq, Dv]</c>.</returns>
    /// <remarks>A query whose keys are all blocked gets zero output and zero gradient (PyTorch gives NaN).</remarks>
    /// <exception cref="ArgumentException">The shapes of the inputs or masks do not fit; the message names them.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dropoutP"/> is outside [0, 1].</exception>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null, Tensor? keyPaddingMask = null,
        bool isCausal = false, float dropoutP = 0f, float? scale = null, Random.Generator? generator = null)
    {
        ValidateAttention(query, key, value, attnMask, keyPaddingMask, dropoutP);
        int rank = query.Rank;
        int lq = query.Shape[-2], d = query.Shape[-1], lk = key.Shape[-2], dv = value.Shape[-1];
        int heads = query.Shape.Product(0, rank - 2);
        float s = scale ?? (1f / MathF.Sqrt(d));
        var scoreShape = new Shape([.. query.Shape.Dims[..^2], lq, lk]);
        int causalOffset = isCausal ? lk - lq : int.MaxValue;

        // Where each head's additive mask and padding row start; drawn serially so the parallel loop only reads.
        int[]? maskOffsets = null;
        int maskRowStride = 0, maskColStride = 0;
        if (attnMask is not null)
        {
            var strides = Broadcast.PaddedStrides(attnMask.Shape, rank);
            maskRowStride = strides[rank - 2];
            maskColStride = strides[rank - 1];
            maskOffsets = AttentionHeadOffsets(scoreShape, strides, heads);
        }

        int headsPerBatch = keyPaddingMask is null ? 1 : heads / keyPaddingMask.Shape[0];

        float[]? keep = null;
        if (dropoutP > 0f)
        {
            // keep = 0 for dropped weights, 1/(1-p) otherwise, drawn in order before any parallel work.
            keep = new float[heads * lq * lk];
            var gen = generator ?? Random.Generator.Default;
            float kept = dropoutP < 1f ? 1f / (1f - dropoutP) : 0f;
            for (int i = 0; i < keep.Length; i++)
            {
                keep[i] = gen.NextSingle() < dropoutP ? 0f : kept;
            }
        }

        var probs = new float[heads * lq * lk]; // [heads, Lq, Lk]
        var y = Tensor.Empty(new Shape([.. query.Shape.Dims[..^2], lq, dv])); // [..., Lq, Dv]
        var qb = query.Buffer;
        var kb = key.Buffer;
        var vb = value.Buffer;
        int qo = query.Offset, ko = key.Offset, vo = value.Offset;
        var maskBuf = attnMask?.Buffer;
        int maskBase = attnMask?.Offset ?? 0;
        var padBuf = keyPaddingMask?.Buffer;
        int padBase = keyPaddingMask?.Offset ?? 0;
        var yb = y.Buffer;
        long cost = 2L * lq * lk * (d + dv);
        Engine.ParallelFor(heads, cost, (start, end) =>
        {
            var dropped = keep is null ? null : new float[lq * lk];
            for (int h = start; h < end; h++)
            {
                int p0 = h * lq * lk;
                Gemm.Sgemm(false, true, lq, lk, d, s, qb, qo + (h * lq * d), d, kb, ko + (h * lk * d), d, 0f, probs, p0, lk, parallel: false);
                var mask = maskBuf is null ? default : maskBuf.AsSpan(maskBase + maskOffsets![h]);
                var pad = padBuf is null ? default : padBuf.AsSpan(padBase + ((h / headsPerBatch) * lk), lk);
                AttentionRows.ScoresToProbs(probs.AsSpan(p0, lq * lk), lq, lk, mask, maskRowStride, maskColStride, pad, causalOffset);
                var weights = probs;
                int w0 = p0;
                if (dropped is not null)
                {
                    TensorPrimitives.Multiply(probs.AsSpan(p0, lq * lk), keep.AsSpan(p0, lq * lk), dropped);
                    (weights, w0) = (dropped, 0);
                }

                Gemm.Sgemm(false, false, lq, dv, lk, 1f, weights, w0, lk, vb, vo + (h * lk * dv), dv, 0f, yb, h * lq * dv, dv, parallel: false);
            }
        });

        if (AutogradEngine.NeedsGrad(query, key, value, attnMask))
        {
            AutogradEngine.Record(y, "ScaledDotProductAttention", [query, key, value, attnMask], g =>
            {
                bool needQ = query.RequiresGrad, needK = key.RequiresGrad, needV = value.RequiresGrad;
                bool needMask = attnMask is not null && attnMask.RequiresGrad;
                bool needScores = needQ || needK || needMask;
                var gq = needQ ? Tensor.Empty(query.Shape) : null;
                var gk = needK ? Tensor.Empty(key.Shape) : null;
                var gv = needV ? Tensor.Empty(value.Shape) : null;
                var gScores = needMask ? Tensor.Empty(scoreShape) : null; // [..., Lq, Lk]
                var gb = g.Buffer;
                int go = g.Offset;
                Engine.ParallelFor(heads, 2 * cost, (start, end) =>
                {
                    var dp = needScores ? new float[lq * lk] : null;
                    var dropped = keep is null ? null : new float[lq * lk];
                    for (int h = start; h < end; h++)
                    {
                        int p0 = h * lq * lk;
                        int gh = go + (h * lq * dv);
                        if (needV)
                        {
                            // dV = W^T dO with W the (dropped) weights actually applied to V.
                            var weights = probs;
                            int w0 = p0;
                            if (dropped is not null)
                            {
                                TensorPrimitives.Multiply(probs.AsSpan(p0, lq * lk), keep.AsSpan(p0, lq * lk), dropped);
                                (weights, w0) = (dropped, 0);
                            }

                            Gemm.Sgemm(true, false, lk, dv, lq, 1f, weights, w0, lk, gb, gh, dv, 0f, gv!.Buffer, h * lk * dv, dv, parallel: false);
                        }

                        if (dp is null)
                        {
                            continue;
                        }

                        // dW = dO V^T, then through dropout and the softmax to dS.
                        Gemm.Sgemm(false, true, lq, lk, dv, 1f, gb, gh, dv, vb, vo + (h * lk * dv), dv, 0f, dp, 0, lk, parallel: false);
                        if (keep is not null)
                        {
                            TensorPrimitives.Multiply(dp, keep.AsSpan(p0, lq * lk), dp);
                        }

                        AttentionRows.ProbsBackward(probs.AsSpan(p0, lq * lk), dp, lq, lk);
                        if (gScores is not null)
                        {
                            dp.CopyTo(gScores.Buffer, p0);
                        }

                        if (needQ)
                        {
                            Gemm.Sgemm(false, false, lq, d, lk, s, dp, 0, lk, kb, ko + (h * lk * d), d, 0f, gq!.Buffer, h * lq * d, d, parallel: false);
                        }

                        if (needK)
                        {
                            Gemm.Sgemm(true, false, lk, d, lq, s, dp, 0, lk, qb, qo + (h * lq * d), d, 0f, gk!.Buffer, h * lk * d, d, parallel: false);
                        }
                    }
                });

                if (gq is not null)
                {
                    AutogradEngine.Accumulate(query, gq);
                }

                if (gk is not null)
                {
                    AutogradEngine.Accumulate(key, gk);
                }

                if (gv is not null)
                {
                    AutogradEngine.Accumulate(value, gv);
                }

                if (gScores is not null)
                {
                    // The mask may be broadcast; Accumulate sums the score gradient back to its shape.
                    AutogradEngine.Accumulate(attnMask!, gScores);
                }
            });
        }

        return y;
    }

    /// <summary>Offset of each head's [Lq, Lk] block inside a mask broadcast to <paramref name="scoreShape"/>.</summary>
    private static int[] AttentionHeadOffsets(Shape scoreShape, int[] maskStrides, int heads)
    {
        int lead = scoreShape.Rank - 2;
        var offsets = new int[heads];
        var idx = new int[lead];
        int off = 0;
        for (int h = 0; h < heads; h++)
        {
            offsets[h] = off;
            for (int dim = lead - 1; dim >= 0; dim--)
            {
                idx[dim]++;
                off += maskStrides[dim];
                if (idx[dim] < scoreShape.Dims[dim])
                {
                    break;
                }

                off -= maskStrides[dim] * idx[dim];
                idx[dim] = 0;
            }
        }

        return offsets;
    }

    /// <summary>Whether <paramref name="from"/> broadcasts to exactly <paramref name="to"/> (trailing dims aligned).</summary>
    private static bool AttentionMaskBroadcasts(Shape from, Shape to)
    {
        if (from.Rank > to.Rank)
        {
            return false;
        }

        for (int i = 1; i <= from.Rank; i++)
        {
            int f = from[from.Rank - i];
            if (f != 1 && f != to[to.Rank - i])
            {
                return false;
            }
        }

        return true;
    }

    private static void ValidateAttention(Tensor query, Tensor key, Tensor value, Tensor? attnMask, Tensor? keyPaddingMask, float dropoutP)
    {
        const string Op = "ScaledDotProductAttention";
        if (query.Rank < 2 || key.Rank != query.Rank || value.Rank != query.Rank)
        {
            throw new ArgumentException($"{Op}: query {query.Shape}, key {key.Shape} and value {value.Shape} must have the same rank, at least 2 ([..., L, D]).");
        }

        int rank = query.Rank;
        for (int i = 0; i < rank - 2; i++)
        {
            if (key.Shape[i] != query.Shape[i] || value.Shape[i] != query.Shape[i])
            {
                throw new ArgumentException($"{Op}: leading dimensions differ: query {query.Shape}, key {key.Shape}, value {value.Shape} (dimension {i}).");
            }
        }

        if (key.Shape[-1] != query.Shape[-1])
        {
            throw new ArgumentException($"{Op}: query {query.Shape} and key {key.Shape} have different feature sizes ({query.Shape[-1]} vs {key.Shape[-1]}).");
        }

        if (value.Shape[-2] != key.Shape[-2])
        {
            throw new ArgumentException($"{Op}: key {key.Shape} and value {value.Shape} have different lengths ({key.Shape[-2]} vs {value.Shape[-2]}).");
        }

        if (key.Shape[-2] == 0)
        {
            throw new ArgumentException($"{Op}: key {key.Shape} has no positions to attend to.");
        }

        var scoreShape = new Shape([.. query.Shape.Dims[..^2], query.Shape[-2], key.Shape[-2]]);
        if (attnMask is not null && !AttentionMaskBroadcasts(attnMask.Shape, scoreShape))
        {
            throw new ArgumentException($"{Op}: attnMask {attnMask.Shape} does not broadcast to the score shape {scoreShape}.");
        }

        if (keyPaddingMask is not null)
        {
            int b = rank >= 3 ? query.Shape[0] : 1;
            if (keyPaddingMask.Rank != 2 || keyPaddingMask.Shape[0] != b || keyPaddingMask.Shape[1] != key.Shape[-2])
            {
                throw new ArgumentException($"{Op}: keyPaddingMask {keyPaddingMask.Shape} must be [{b}, {key.Shape[-2]}] ([B, Lk]) for query {query.Shape} and key {key.Shape}.");
            }
        }

        if (!(dropoutP >= 0f && dropoutP <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(dropoutP), $"{Op}: dropoutP {dropoutP} is outside [0, 1].");
        }
    }
}
