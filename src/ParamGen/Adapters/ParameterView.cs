using ParamGen.Tensors;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Adapters;

/// <summary>
/// One weight of one slot for every sample of a batch, as a window into a generator's packed output: sample b's
/// weight is the <see cref="Shape"/>-shaped block that starts at column <see cref="Offset"/> of row
/// <c>RowOf(b)</c> of <see cref="Packed"/>. Nothing is copied; ops that take a view read the packed tensor in
/// place and send gradients back into it.
/// </summary>
/// <param name="Packed">The generator's output <c>[N, P]</c>.</param>
/// <param name="Offset">First column of this weight within a row.</param>
/// <param name="Shape">The weight's shape for one sample (e.g. <c>[d, r]</c>).</param>
/// <param name="RowIndex">Which packed row each sample uses (<c>[B]</c>, for one row per domain or task), or null when row b is sample b.</param>
public sealed record ParameterView(Tensor Packed, int Offset, int[] Shape, int[]? RowIndex)
{
    /// <summary>Number of floats per sample.</summary>
    public int NumElements => ShapeProduct.Of(Shape);

    /// <summary>Number of samples the view serves: the length of <see cref="RowIndex"/>, else the packed row count.</summary>
    public int Rows => RowIndex?.Length ?? Packed.Shape[0];

    /// <summary>The packed row sample <paramref name="sample"/> reads.</summary>
    /// <param name="sample">A sample index in [0, <see cref="Rows"/>).</param>
    /// <returns>The row of <see cref="Packed"/>.</returns>
    public int RowOf(int sample) => RowIndex is null ? sample : RowIndex[sample];

    /// <summary>
    /// <c>y[b] = x[b] W_b (+ bias_b)</c> with this view as the per-sample matrix <c>W_b</c> (<c>[k, n]</c>), read in place
    /// (<see cref="F.PackedMatMul"/>); gradients flow into x and into this view's columns of <see cref="Packed"/>.
    /// </summary>
    /// <param name="x">States <c>[B, L, k]</c> or <c>[B, k]</c>, one sample per view row.</param>
    /// <param name="bias">A view <c>[n]</c> of the same packed tensor and rows, fused into the product; null (the default) for none.</param>
    /// <returns><c>[B, L, n]</c> or <c>[B, n]</c>.</returns>
    /// <exception cref="ArgumentException">The view is not a matrix, the bias does not fit it, or x does not fit; the message names the shapes.</exception>
    public Tensor MatMul(Tensor x, ParameterView? bias = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (Shape.Length != 2)
        {
            throw new ArgumentException($"MatMul needs a matrix view [k, n]; this view is [{string.Join(", ", Shape)}].");
        }

        if (x.Rank is not (2 or 3) || x.Shape[-1] != Shape[0] || x.Shape[0] != Rows)
        {
            throw new ArgumentException($"States {x.Shape} do not fit per-sample weights [{Rows} samples] x [{Shape[0]}, {Shape[1]}]: expected [{Rows}, L, {Shape[0]}] or [{Rows}, {Shape[0]}].", nameof(x));
        }

        if (bias is not null)
        {
            CheckCompanion(bias, Shape[1], "bias");
        }

        return F.PackedMatMul(x, Packed, Offset, Shape[1], bias?.Offset, RowIndex);
    }

    /// <summary><c>y[b] = x[b] + v_b</c> with this view <c>[n]</c> broadcast over positions (<see cref="F.PackedAddBias"/>).</summary>
    /// <param name="x">States <c>[B, L, n]</c> or <c>[B, n]</c>.</param>
    /// <returns>The shape of x.</returns>
    /// <exception cref="ArgumentException">The view is not a vector or x does not fit.</exception>
    public Tensor AddTo(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (Shape.Length != 1 || x.Rank is not (2 or 3) || x.Shape[-1] != Shape[0] || x.Shape[0] != Rows)
        {
            throw new ArgumentException($"States {x.Shape} do not fit per-sample vectors [{Rows} samples] x [{string.Join(", ", Shape)}]: expected [{Rows}, L, n] or [{Rows}, n] with n the vector's length.", nameof(x));
        }

        return F.PackedAddBias(x, Packed, Offset, RowIndex);
    }

    /// <summary>
    /// The weights as an ordinary tensor <c>[Rows, ...Shape]</c> (a copy, with autograd back into <see cref="Packed"/>), for
    /// adapters that need more than a product or a bias add.
    /// </summary>
    /// <returns>The per-sample weights.</returns>
    public Tensor Materialize()
    {
        var block = Packed.Narrow(1, Offset, NumElements); // [N, numel]
        if (RowIndex is not null)
        {
            block = block.IndexSelect(0, Tensor.FromInts(RowIndex, RowIndex.Length)); // [B, numel]
        }

        return block.Reshape([block.Shape[0], .. Shape]); // [B, ...Shape]
    }

    private void CheckCompanion(ParameterView other, int length, string what)
    {
        if (!ReferenceEquals(other.Packed, Packed) || (other.RowIndex != RowIndex && !(other.RowIndex ?? []).AsSpan().SequenceEqual(RowIndex ?? [])))
        {
            throw new ArgumentException($"The {what} view must come from the same packed weights and rows as the matrix it goes with.");
        }

        if (other.Shape.Length != 1 || other.Shape[0] != length)
        {
            throw new ArgumentException($"A {what} [{string.Join(", ", other.Shape)}] does not fit a matrix [{Shape[0]}, {Shape[1]}]: expected [{length}].");
        }
    }
}
