using ParamGen.Tensors;

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
    public int NumElements => Shape.Aggregate(1, (a, b) => a * b);

    /// <summary>Number of samples the view serves: the length of <see cref="RowIndex"/>, else the packed row count.</summary>
    public int Rows => RowIndex?.Length ?? Packed.Shape[0];

    /// <summary>The packed row sample <paramref name="sample"/> reads.</summary>
    /// <param name="sample">A sample index in [0, <see cref="Rows"/>).</param>
    /// <returns>The row of <see cref="Packed"/>.</returns>
    public int RowOf(int sample) => RowIndex is null ? sample : RowIndex[sample];
}
