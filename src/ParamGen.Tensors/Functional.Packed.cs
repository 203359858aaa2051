using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

public static partial class Functional
{
    /// <summary>
    /// Product with per-sample weights read in place from a packed matrix, as <c>torch.bmm(x, W)</c> over a sliced
    /// view of <paramref name="packed"/>, without the slice: sample b's weight <c>W_b</c> is the <c>[k, n]</c> block
    /// (row-major) that starts at column <paramref name="weightOffset"/> of packed row <c>r(b)</c>, and
    /// <c>y[b] = x[b] W_b (+ bias_b)</c>, where <c>r(b)</c> is <c>rowIndex[b]</c>, or b when there is no row index.
    /// </summary>
    /// <param name="input">x: <c>[B, L, k]</c> (a sequence per sample) or <c>[B, k]</c>.</param>
    /// <param name="packed">The packed weights <c>[N, P]</c> (a generator's output: a row per sample, or a row per group chosen by <paramref name="rowIndex"/>).</param>
    /// <param name="weightOffset">First column of W within a row.</param>
    /// <param name="outFeatures">n: columns of W.</param>
    /// <param name="biasOffset">First column of an <c>[n]</c> bias within a row (fused into the product), or null for none (the default).</param>
    /// <param name="rowIndex">The packed row of each sample (<c>[B]</c>, values in [0, N)), or null (the default) when row b serves sample b (then N = B).</param>
    /// <returns>y: <c>[B, L, n]</c> or <c>[B, n]</c>.</returns>
    /// <remarks>
    /// Backward adds <c>dx = dy Wᵀ</c> into x's gradient and <c>xᵀ dy</c> (and the bias's column sums) into only the W
    /// (and bias) columns of the packed tensor's gradient, summed over the samples that share a row. Each result has
    /// the same bits whatever <see cref="Engine.NumThreads"/> is.
    /// </remarks>
    /// <exception cref="ArgumentException">The shapes, offsets or row index do not fit; the message names them.</exception>
    public static Tensor PackedMatMul(Tensor input, Tensor packed, int weightOffset, int outFeatures, int? biasOffset = null, int[]? rowIndex = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(packed);
        var (batch, m, k) = CheckPackedInput("PackedMatMul", input, packed, rowIndex);
        int n = outFeatures;
        if (n < 0)
        {
            throw new ArgumentException($"PackedMatMul: outFeatures is {n}; it must be at least 0.", nameof(outFeatures));
        }

        int p = packed.Shape[1];
        CheckPackedBlock("PackedMatMul", "weight", weightOffset, (long)k * n, $"[{k}, {n}]", packed);
        if (biasOffset is int bo)
        {
            CheckPackedBlock("PackedMatMul", "bias", bo, n, $"[{n}]", packed);
        }

        var outDims = input.Shape.ToArray();
        outDims[^1] = n;
        var y = Tensor.Uninitialized(new Shape(outDims)); // [B, L, n] or [B, n]
        var rows = rowIndex is null ? null : (int[])rowIndex.Clone();
        int bias = biasOffset ?? -1;
        PackedGemm.Forward(batch, m, k, n, input.Buffer, input.Offset, packed.Buffer, packed.Offset, p, weightOffset, bias, rows, y.Buffer, y.Offset);
        if (AutogradEngine.NeedsGrad(input, packed))
        {
            AutogradEngine.Record(y, "PackedMatMul", [input, packed], g =>
            {
                if (AutogradEngine.GradientSink(packed) is { } sink)
                {
                    PackedGemm.BackwardWeights(batch, m, k, n, input.Buffer, input.Offset, g.Buffer, g.Offset, sink.Buffer, sink.Offset, p, weightOffset, bias, rows);
                }

                if (input.RequiresGrad)
                {
                    var dx = Tensor.Uninitialized(input.Shape); // [B, L, k]
                    PackedGemm.BackwardInput(batch, m, k, n, g.Buffer, g.Offset, packed.Buffer, packed.Offset, p, weightOffset, rows, dx.Buffer, dx.Offset);
                    AutogradEngine.Accumulate(input, dx);
                }
            });
        }

        return y;
    }

    /// <summary>
    /// Adds a per-sample bias read in place from a packed matrix: <c>y[b, ...] = x[b, ...] + bias_b</c>, where
    /// <c>bias_b</c> is the <c>[n]</c> block at column <paramref name="offset"/> of packed row <c>r(b)</c>
    /// (<c>rowIndex[b]</c>, or b without a row index).
    /// </summary>
    /// <param name="input">x: <c>[B, L, n]</c> or <c>[B, n]</c>.</param>
    /// <param name="packed">The packed weights <c>[N, P]</c>.</param>
    /// <param name="offset">First column of the bias within a row.</param>
    /// <param name="rowIndex">The packed row of each sample (<c>[B]</c>), or null (the default) when row b serves sample b.</param>
    /// <returns>y, the shape of x.</returns>
    /// <remarks>Backward passes dy to x and adds its sums over positions into the bias columns of the packed gradient's rows, in sample order.</remarks>
    /// <exception cref="ArgumentException">The shapes, offset or row index do not fit; the message names them.</exception>
    public static Tensor PackedAddBias(Tensor input, Tensor packed, int offset, int[]? rowIndex = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(packed);
        var (batch, m, n) = CheckPackedInput("PackedAddBias", input, packed, rowIndex);
        int p = packed.Shape[1];
        CheckPackedBlock("PackedAddBias", "bias", offset, n, $"[{n}]", packed);
        var y = Tensor.Uninitialized(input.Shape); // the shape of x
        var rows = rowIndex is null ? null : (int[])rowIndex.Clone();
        PackedGemm.AddBias(batch, m, n, input.Buffer, input.Offset, packed.Buffer, packed.Offset, p, offset, rows, y.Buffer, y.Offset);
        if (AutogradEngine.NeedsGrad(input, packed))
        {
            AutogradEngine.Record(y, "PackedAddBias", [input, packed], g =>
            {
                if (AutogradEngine.GradientSink(packed) is { } sink)
                {
                    PackedGemm.BackwardBias(batch, m, n, g.Buffer, g.Offset, sink.Buffer, sink.Offset, p, offset, rows);
                }

                AutogradEngine.Accumulate(input, g);
            });
        }

        return y;
    }

    /// <summary>Checks x (<c>[B, L, k]</c> or <c>[B, k]</c>), packed (<c>[N, P]</c>) and the row index; returns (B, L or 1, k).</summary>
    private static (int Batch, int Rows, int Width) CheckPackedInput(string op, Tensor input, Tensor packed, int[]? rowIndex)
    {
        if (input.Rank is not (2 or 3))
        {
            throw new ArgumentException($"{op}: input {input.Shape} must be [B, L, k] or [B, k].", nameof(input));
        }

        if (packed.Rank != 2)
        {
            throw new ArgumentException($"{op}: packed weights {packed.Shape} must be [N, P].", nameof(packed));
        }

        int batch = input.Shape[0];
        int n = packed.Shape[0];
        if (rowIndex is null)
        {
            if (n != batch)
            {
                throw new ArgumentException($"{op}: input {input.Shape} has {batch} samples but packed weights {packed.Shape} have {n} rows; without a row index row b serves sample b.", nameof(packed));
            }
        }
        else
        {
            if (rowIndex.Length != batch)
            {
                throw new ArgumentException($"{op}: the row index has {rowIndex.Length} entries for {batch} samples (input {input.Shape}).", nameof(rowIndex));
            }

            for (int b = 0; b < rowIndex.Length; b++)
            {
                if ((uint)rowIndex[b] >= (uint)n)
                {
                    throw new ArgumentException($"{op}: row index {rowIndex[b]} of sample {b} is outside the {n} rows of packed weights {packed.Shape}.", nameof(rowIndex));
                }
            }
        }

        return (batch, input.Rank == 3 ? input.Shape[1] : 1, input.Shape[-1]);
    }

    private static void CheckPackedBlock(string op, string what, int offset, long length, string shape, Tensor packed)
    {
        if (offset < 0 || offset + length > packed.Shape[1])
        {
            throw new ArgumentException($"{op}: a {what} {shape} at column {offset} does not fit in rows of {packed.Shape[1]} floats (packed weights {packed.Shape}).");
        }
    }
}
