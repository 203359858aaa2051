using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

/// <summary>
/// Stateless neural-network functions, as <c>torch.nn.functional</c>. Tip:
/// <c>using F = ParamGen.Tensors.Functional;</c>.
/// </summary>
public static partial class Functional
{
    /// <summary>
    /// Affine map <c>y = x W^T + b</c>, as <c>F.linear</c>: x <c>[*, in]</c>, weight <c>[out, in]</c>,
    /// bias <c>[out]</c> or null. One fused op: the transpose is a GEMM flag, never a copy, and the bias is the
    /// GEMM's starting value rather than a second pass; backward computes dx, dW and db in one rule.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit; the message names them.</exception>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2 || input.Rank < 1 || input.Shape[-1] != weight.Shape[1])
        {
            throw new ArgumentException($"Linear: input {input.Shape} does not fit weight {weight.Shape} (expected input [*, {(weight.Rank == 2 ? weight.Shape[1] : -1)}] and weight [out, in]).");
        }

        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
        {
            throw new ArgumentException($"Linear: bias {bias.Shape} does not fit weight {weight.Shape} (expected [{weight.Shape[0]}]).");
        }

        int inF = weight.Shape[1];
        int outF = weight.Shape[0];
        int rows = input.Shape.Product(0, input.Rank - 1);
        var outDims = input.Shape.ToArray();
        outDims[^1] = outF;
        var y = Tensor.Uninitialized(new Shape(outDims)); // [*, out]: the bias rows, or the product alone (beta = 0)
        if (bias is not null)
        {
            FillRows(y.Buffer, rows, bias.AsReadOnlySpan());
        }

        Gemm.Sgemm(false, true, rows, outF, inF, 1f, input.Buffer, input.Offset, inF, weight.Buffer, weight.Offset, inF,
            bias is null ? 0f : 1f, y.Buffer, 0, outF);
        if (AutogradEngine.NeedsGrad(input, weight, bias))
        {
            AutogradEngine.Record(y, "Linear", [input, weight, bias], g => LinearBackward(g, input, weight, bias));
        }

        return y;
    }

    /// <summary>
    /// Accumulates the gradients of <c>y = x W^T + b</c> given dy = <paramref name="g"/> (any shape with
    /// <c>[rows, out]</c> elements): dx = dy W, dW = dy^T x, db = column sums of dy (or <paramref name="biasGrad"/> when
    /// the caller already has them).
    /// </summary>
    internal static void LinearBackward(Tensor g, Tensor input, Tensor weight, Tensor? bias, Tensor? biasGrad = null)
    {
        int inF = weight.Shape[1];
        int outF = weight.Shape[0];
        int rows = input.Shape.Product(0, input.Rank - 1);
        if (input.RequiresGrad)
        {
            var dx = Tensor.Uninitialized(input.Shape); // [*, in]
            Gemm.Sgemm(false, false, rows, inF, outF, 1f, g.Buffer, g.Offset, outF, weight.Buffer, weight.Offset, inF, 0f, dx.Buffer, 0, inF);
            AutogradEngine.Accumulate(input, dx);
        }

        if (weight.RequiresGrad)
        {
            var dw = Tensor.Uninitialized(weight.Shape); // [out, in]
            Gemm.Sgemm(true, false, outF, inF, rows, 1f, g.Buffer, g.Offset, outF, input.Buffer, input.Offset, inF, 0f, dw.Buffer, 0, inF);
            AutogradEngine.Accumulate(weight, dw);
        }

        if (bias is { RequiresGrad: true })
        {
            var db = biasGrad;
            if (db is null)
            {
                db = Tensor.Uninitialized(bias.Shape); // [out]
                ColumnSums.Compute(g.Buffer, g.Offset, rows, outF, db.Span);
            }

            AutogradEngine.Accumulate(bias, db);
        }
    }

    /// <summary>
    /// dropout(act(x W^T + b)) as one op, the first half of a transformer feed-forward block: the product runs by
    /// blocks of rows, and each block's bias, activation and dropout are applied while it is still in cache. For GELU
    /// the activation's derivative is kept for backward (in place of the pre-activation); for ReLU nothing is kept
    /// beyond the output. The dropout mask is counter-based: one seed is drawn (when 0 &lt; p &lt; 1) and the mask
    /// regenerated in backward.
    /// </summary>
    /// <param name="input">x <c>[*, in]</c>.</param>
    /// <param name="weight">W <c>[out, in]</c>.</param>
    /// <param name="bias">b <c>[out]</c> or null.</param>
    /// <param name="activation">GELU (exact) or ReLU.</param>
    /// <param name="p">Dropout probability (0 for none).</param>
    /// <param name="generator">Source of the dropout seed.</param>
    internal static Tensor LinearActivationDropout(Tensor input, Tensor weight, Tensor? bias, Nn.TransformerActivation activation, float p, Random.Generator? generator)
    {
        if (input.Rank < 1 || input.Shape[-1] != weight.Shape[1])
        {
            throw new ArgumentException($"Linear: input {input.Shape} does not fit weight {weight.Shape} (expected input [*, {weight.Shape[1]}] and weight [out, in]).");
        }

        int inF = weight.Shape[1];
        int outF = weight.Shape[0];
        int rows = input.Shape.Product(0, input.Rank - 1);
        var outDims = input.Shape.ToArray();
        outDims[^1] = outF;
        var y = Tensor.Uninitialized(new Shape(outDims)); // [*, out]
        bool gelu = activation == Nn.TransformerActivation.Gelu;
        bool dropout = p > 0f;
        ulong seed = dropout && p < 1f ? (generator ?? Random.Generator.Default).NextUInt64() : 0UL;
        uint threshold = DropoutMask.Threshold(p);
        float scale = DropoutMask.Scale(p);
        bool needsGrad = AutogradEngine.NeedsGrad(input, weight, bias);
        var deriv = gelu && needsGrad ? Tensor.ScopedArray(rows * outF) : null; // gelu'(u), [rows, out]

        // W^T [in, out] once, so each block is a plain product with no per-call transpose.
        var wt = new float[inF * outF];
        var w = weight.AsReadOnlySpan();
        for (int o = 0; o < outF; o++)
        {
            for (int i = 0; i < inF; i++)
            {
                wt[(i * outF) + o] = w[(o * inF) + i];
            }
        }

        var xb = input.Buffer;
        int xo = input.Offset;
        var yb = y.Buffer;
        var b = bias?.ToArray();
        const int BlockRows = 64;
        int blocks = (rows + BlockRows - 1) / BlockRows;
        WorkSplit.Dynamic(blocks, 2L * BlockRows * inF * outF, (s, e) =>
        {
            for (int blk = s; blk < e; blk++)
            {
                int r0 = blk * BlockRows, r = Math.Min(BlockRows, rows - r0);
                var u = yb.AsSpan(r0 * outF, r * outF);
                if (b is not null)
                {
                    for (int i = 0; i < r; i++)
                    {
                        b.CopyTo(u.Slice(i * outF, outF));
                    }
                }

                Gemm.Sgemm(false, false, r, outF, inF, 1f, xb, xo + (r0 * inF), inF, wt, 0, outF, b is null ? 0f : 1f, yb, r0 * outF, outF, parallel: false);
                if (gelu)
                {
                    if (deriv is null)
                    {
                        Kernels.Gelu.Forward(u, u);
                    }
                    else
                    {
                        Kernels.Gelu.ForwardWithDerivative(u, u, deriv.AsSpan(r0 * outF, r * outF));
                    }
                }
                else
                {
                    System.Numerics.Tensors.TensorPrimitives.Max(u, 0f, u);
                }

                if (dropout)
                {
                    DropoutMask.Apply(seed, (long)r0 * outF, threshold, scale, u, u);
                }
            }
        });

        if (needsGrad)
        {
            AutogradEngine.Record(y, "LinearActivationDropout", [input, weight, bias], g =>
            {
                // dU = dY * mask * act'(u); for ReLU, act'(u) * mask is scale exactly where the output is positive.
                // The bias gradient's per-block column sums are taken while each block of dU is in cache.
                var gu = Tensor.Uninitialized(y.Shape); // [*, out]
                var gb = g.Buffer;
                int go = g.Offset;
                var gub = gu.Buffer;
                float keep = dropout ? scale : 1f;
                bool biasGrad = bias is { RequiresGrad: true };
                int sumBlocks = (rows + ColumnSums.BlockRows - 1) / ColumnSums.BlockRows;
                var partial = biasGrad ? new float[sumBlocks * outF] : null;
                WorkSplit.Dynamic(sumBlocks, 4L * ColumnSums.BlockRows * outF, (bs, be) =>
                {
                    for (int blk = bs; blk < be; blk++)
                    {
                        int s = blk * ColumnSums.BlockRows * outF;
                        int n = (Math.Min(rows, (blk + 1) * ColumnSums.BlockRows) * outF) - s;
                        var dst = gub.AsSpan(s, n);
                        var up = gb.AsSpan(go + s, n);
                        if (gelu)
                        {
                            System.Numerics.Tensors.TensorPrimitives.Multiply(up, deriv.AsSpan(s, n), dst);
                            if (dropout)
                            {
                                DropoutMask.Apply(seed, s, threshold, scale, dst, dst);
                            }
                        }
                        else
                        {
                            var ys = yb.AsSpan(s, n);
                            for (int i = 0; i < n; i++)
                            {
                                dst[i] = ys[i] > 0f ? up[i] * keep : 0f;
                            }
                        }

                        if (partial is not null)
                        {
                            ColumnSums.SumBlock(dst, outF, partial.AsSpan(blk * outF, outF));
                        }
                    }
                });

                Tensor? db = null;
                if (partial is not null)
                {
                    db = Tensor.Uninitialized(bias!.Shape); // [out]
                    ColumnSums.Combine(partial, sumBlocks, outF, db.Span);
                }

                LinearBackward(gu, input, weight, bias, db);
            });
        }

        return y;
    }

    /// <summary>Writes <paramref name="row"/> into each of the first <paramref name="rows"/> rows of <paramref name="dst"/>.</summary>
    private static void FillRows(float[] dst, int rows, ReadOnlySpan<float> row)
    {
        int n = row.Length;
        if (n == 0)
        {
            return;
        }

        var src = row.ToArray();
        WorkSplit.Dynamic(rows, n, (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                src.CopyTo(dst, r * n);
            }
        });
    }
}
