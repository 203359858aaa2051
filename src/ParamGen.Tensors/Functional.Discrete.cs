using System.Numerics.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

// Owner: sequence ops.
public static partial class Functional
{
    /// <summary>
    /// Gumbel-softmax sample over <paramref name="dim"/>, as <c>F.gumbel_softmax</c>: softmax((logits + g) / tau) with
    /// Gumbel noise g = -log(-log(u)), u uniform in (0, 1) from <paramref name="generator"/>. When <paramref name="hard"/>,
    /// the forward value is exactly one-hot at the soft sample's arg-max (first on ties) and the gradient is the soft
    /// sample's (straight-through).
    /// </summary>
    /// <param name="logits">Unnormalised log-probabilities, rank at least 1.</param>
    /// <param name="tau">Temperature (positive); 1 by default.</param>
    /// <param name="hard">Return one-hot samples with the straight-through gradient; false by default.</param>
    /// <param name="dim">The category dimension; the last by default.</param>
    /// <param name="generator">Random source for the noise; <see cref="Random.Generator.Default"/> when null.</param>
    /// <returns>Samples with the shape of <paramref name="logits"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is a scalar.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tau"/> is not positive and finite, or <paramref name="dim"/> is out of range.</exception>
    public static Tensor GumbelSoftmax(Tensor logits, float tau = 1f, bool hard = false, int dim = -1, Random.Generator? generator = null)
    {
        ValidateGumbel(logits, tau, dim);
        var gen = generator ?? Random.Generator.Default;
        var noise = Tensor.Empty(logits.Shape);
        var ns = noise.Span;
        for (int i = 0; i < ns.Length; i++)
        {
            // u in (0, 1) strictly (half-offset 53-bit grid), so the noise is always finite.
            double u = ((gen.NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));
            ns[i] = (float)-Math.Log(-Math.Log(u));
        }

        return GumbelSoftmax(logits, noise, tau, hard, dim);
    }

    /// <summary>Gumbel-softmax with given noise <paramref name="gumbels"/> (same shape as the logits); the noise gets no gradient.</summary>
    internal static Tensor GumbelSoftmax(Tensor logits, Tensor gumbels, float tau, bool hard, int dim)
    {
        ValidateGumbel(logits, tau, dim);
        if (gumbels.Shape != logits.Shape)
        {
            throw new ArgumentException($"GumbelSoftmax: noise {gumbels.Shape} must have the logits' shape {logits.Shape}.", nameof(gumbels));
        }

        int d = logits.Shape.NormalizeDim(dim);
        int n = logits.Shape[d];
        int outer = logits.Shape.Product(0, d), inner = logits.Shape.Product(d + 1, logits.Rank);
        var soft = new float[logits.NumElements];
        var z = new float[n];
        var x = logits.AsReadOnlySpan();
        var gs = gumbels.AsReadOnlySpan();
        var y = Tensor.Empty(logits.Shape);
        var ys = y.Span;
        for (int r = 0; r < outer * inner; r++)
        {
            int b0 = ((r / inner) * n * inner) + (r % inner);
            for (int j = 0; j < n; j++)
            {
                int at = b0 + (j * inner);
                z[j] = (x[at] + gs[at]) / tau;
            }

            Kernels.Softmax.Row(z, z);
            int best = 0;
            for (int j = 0; j < n; j++)
            {
                soft[b0 + (j * inner)] = z[j];
                if (z[j] > z[best])
                {
                    best = j;
                }
            }

            if (hard)
            {
                ys[b0 + (best * inner)] = 1f;
            }
        }

        if (!hard)
        {
            soft.CopyTo(ys);
        }

        if (AutogradEngine.NeedsGrad(logits))
        {
            // Hard samples take the soft sample's gradient (straight-through), so both cases share one rule.
            AutogradEngine.Record(y, hard ? "GumbelSoftmaxHard" : "GumbelSoftmax", [logits], g =>
            {
                var dx = Tensor.Empty(logits.Shape);
                var gr = g.AsReadOnlySpan();
                var ds = dx.Span;
                var ps = new float[n];
                var gsRow = new float[n];
                for (int r = 0; r < outer * inner; r++)
                {
                    int b0 = ((r / inner) * n * inner) + (r % inner);
                    for (int j = 0; j < n; j++)
                    {
                        ps[j] = soft[b0 + (j * inner)];
                        gsRow[j] = gr[b0 + (j * inner)];
                    }

                    Kernels.Softmax.BackwardRow(ps, gsRow, gsRow);
                    for (int j = 0; j < n; j++)
                    {
                        ds[b0 + (j * inner)] = gsRow[j] / tau;
                    }
                }

                AutogradEngine.Accumulate(logits, dx);
            });
        }

        return y;
    }

    private static void ValidateGumbel(Tensor logits, float tau, int dim)
    {
        if (logits.Rank == 0)
        {
            throw new ArgumentException($"GumbelSoftmax needs logits of rank >= 1; got shape {logits.Shape}.", nameof(logits));
        }

        if (!(tau > 0f) || float.IsPositiveInfinity(tau))
        {
            throw new ArgumentOutOfRangeException(nameof(tau), $"GumbelSoftmax: tau {tau} must be positive and finite.");
        }

        logits.Shape.NormalizeDim(dim);
    }

    /// <summary>
    /// Vector quantisation: for each row of <paramref name="input"/> <c>[N, d]</c> the nearest row (squared Euclidean) of
    /// <paramref name="codebook"/> <c>[K, d]</c>, ties going to the lower index. Leading dimensions other than N are
    /// allowed (<c>[..., d]</c>); the indices then have the shape <c>[...]</c>.
    /// </summary>
    /// <param name="input">Vectors to quantise, <c>[N, d]</c>.</param>
    /// <param name="codebook">Codewords, <c>[K, d]</c> with K at least 1.</param>
    /// <returns>
    /// <c>Quantized</c>: the codewords in the forward pass with the straight-through gradient to <paramref name="input"/>
    /// (x + sg(q - x)); <c>Codewords</c>: the same values with the gradient to <paramref name="codebook"/> (for codebook and
    /// commitment losses); <c>Indices</c> <c>[N]</c>.
    /// </returns>
    /// <exception cref="ArgumentException">The codebook is not <c>[K, d]</c> with K at least 1, or the feature sizes differ.</exception>
    public static (Tensor Quantized, Tensor Codewords, Tensor Indices) NearestCodeword(Tensor input, Tensor codebook)
    {
        if (codebook.Rank != 2 || codebook.Shape[0] == 0)
        {
            throw new ArgumentException($"NearestCodeword: codebook {codebook.Shape} must be [K, d] with K >= 1.", nameof(codebook));
        }

        if (input.Rank == 0 || input.Shape[-1] != codebook.Shape[1])
        {
            throw new ArgumentException($"NearestCodeword: input {input.Shape} must be [N, {codebook.Shape[1]}] to match codebook {codebook.Shape}.", nameof(input));
        }

        int kc = codebook.Shape[0], d = codebook.Shape[1];
        int rows = input.Rank == 1 ? 1 : input.Shape.Product(0, input.Rank - 1);
        var cs = codebook.AsReadOnlySpan();
        var norms = new float[kc]; // ||c_k||^2
        for (int c = 0; c < kc; c++)
        {
            var row = cs.Slice(c * d, d);
            norms[c] = TensorPrimitives.Dot(row, row);
        }

        // ||x - c||^2 = ||x||^2 - 2 x·c + ||c||^2; ||x||^2 is the same for every c, so rank by ||c||^2 - 2 x·c.
        var picked = new int[rows];
        const int Block = 64;
        int blocks = (rows + Block - 1) / Block;
        Engine.ParallelFor(blocks, (long)Block * kc * d, (b0, b1) =>
        {
            var scores = new float[Block * kc];
            for (int blk = b0; blk < b1; blk++)
            {
                int r0 = blk * Block, m = Math.Min(Block, rows - r0);
                Gemm.Sgemm(false, true, m, kc, d, -2f, input.Buffer, input.Offset + (r0 * d), d, codebook.Buffer, codebook.Offset, d, 0f, scores, 0, kc, parallel: false);
                for (int i = 0; i < m; i++)
                {
                    var s = scores.AsSpan(i * kc, kc);
                    TensorPrimitives.Add(s, norms, s);
                    int best = 0;
                    for (int c = 1; c < kc; c++)
                    {
                        if (s[c] < s[best])
                        {
                            best = c;
                        }
                    }

                    picked[r0 + i] = best;
                }
            }
        });

        var quantized = Tensor.Empty(input.Shape);
        var codewords = Tensor.Empty(input.Shape);
        var indices = Tensor.Empty(new Shape(input.Rank == 1 ? [] : input.Shape.Dims[..^1]));
        for (int r = 0; r < rows; r++)
        {
            cs.Slice(picked[r] * d, d).CopyTo(quantized.Span.Slice(r * d, d));
            cs.Slice(picked[r] * d, d).CopyTo(codewords.Span.Slice(r * d, d));
            indices.Span[r] = picked[r];
        }

        if (AutogradEngine.NeedsGrad(input))
        {
            AutogradEngine.Record(quantized, "NearestCodewordStraightThrough", [input], g => AutogradEngine.Accumulate(input, g));
        }

        if (AutogradEngine.NeedsGrad(codebook))
        {
            AutogradEngine.Record(codewords, "NearestCodewordLookup", [codebook], g =>
            {
                var dc = Tensor.Empty(codebook.Shape); // [K, d], each used row summing its selections' gradients
                var gs = g.AsReadOnlySpan();
                for (int r = 0; r < rows; r++)
                {
                    var dst = dc.Span.Slice(picked[r] * d, d);
                    TensorPrimitives.Add(dst, gs.Slice(r * d, d), dst);
                }

                AutogradEngine.Accumulate(codebook, dc);
            });
        }

        return (quantized, codewords, indices);
    }
}
