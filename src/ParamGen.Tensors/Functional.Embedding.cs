using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

public static partial class Functional
{
    /// <summary>
    /// Looks up rows of <paramref name="weight"/> <c>[num, dim]</c> for integer <paramref name="indices"/> of any shape,
    /// giving <c>[*indices.shape, dim]</c>, as <c>F.embedding</c>. The backward adds each output row's gradient into
    /// its table row (no one-hot matrix); the row <paramref name="paddingIdx"/>, if given, receives no gradient
    /// (its output rows are still looked up, as in PyTorch).
    /// </summary>
    /// <param name="indices">Whole numbers in [0, num) (no gradient).</param>
    /// <param name="weight">The table <c>[num, dim]</c>.</param>
    /// <param name="paddingIdx">The padding row (default none); negative values count from the end, as in PyTorch.</param>
    /// <exception cref="ArgumentException">The weight is not 2-D, or an index is out of range or not an integer; the
    /// message names it and the table size.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="paddingIdx"/> is outside [-num, num).</exception>
    public static Tensor Embedding(Tensor indices, Tensor weight, int? paddingIdx = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2)
        {
            throw new ArgumentException($"Embedding: weight must be a [num, dim] table; got shape {weight.Shape}.", nameof(weight));
        }

        int num = weight.Shape[0], dim = weight.Shape[1];
        int skip = -1;
        if (paddingIdx is int p)
        {
            if (p < -num || p >= num)
            {
                throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"Embedding: padding index {p} is out of range for a table of {num} rows; valid range is {-num}..{num - 1}.");
            }

            skip = p < 0 ? p + num : p;
        }

        Tensor.CheckIndexValues("Embedding", indices, num, $"an embedding table of shape {weight.Shape}");

        int count = indices.NumElements;
        var y = Tensor.Empty(new Shape([.. indices.Shape.Dims, dim]));
        var table = weight.Buffer;
        int tableOffset = weight.Offset;
        var ids = indices.Buffer;
        int idsOffset = indices.Offset;
        var yb = y.Buffer;
        Engine.ParallelFor(count, dim, (s, e) =>
            IndexRows.Select(table.AsSpan(tableOffset, num * dim), dim, ids.AsSpan(idsOffset + s, e - s), yb.AsSpan(s * dim, (e - s) * dim)));

        if (AutogradEngine.NeedsGrad(weight))
        {
            AutogradEngine.Record(y, "Embedding", [weight], g =>
            {
                // [num, dim]: each thread owns a band of table rows and scans all indices, so every row
                // still sums its contributions in index order whatever the thread count.
                var gw = Tensor.Empty(weight.Shape);
                var gwb = gw.Buffer;
                var gb = g.Buffer;
                int go = g.Offset;
                long costPerRow = Math.Max(1, (long)count * dim / Math.Max(num, 1));
                Engine.ParallelFor(num, costPerRow, (r0, r1) =>
                    IndexRows.AddTo(gwb.AsSpan(0, num * dim), dim, ids.AsSpan(idsOffset, count), gb.AsSpan(go, count * dim), r0, r1, skip));
                AutogradEngine.Accumulate(weight, gw);
            });
        }

        return y;
    }

    /// <summary>
    /// One-hot rows <c>[*indices.shape, numClasses]</c> for integer indices (no gradient), as <c>F.one_hot</c>.
    /// </summary>
    /// <param name="indices">Whole numbers in [0, numClasses).</param>
    /// <param name="numClasses">The number of classes, or -1 to use the largest index + 1, as PyTorch's default.</param>
    /// <exception cref="ArgumentException">An index is out of range or not an integer, or <paramref name="numClasses"/>
    /// is -1 and there are no indices to infer it from.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is less than -1.</exception>
    public static Tensor OneHot(Tensor indices, int numClasses = -1)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (numClasses < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(numClasses), $"OneHot: number of classes {numClasses} must be at least 0, or -1 to infer it.");
        }

        var ids = indices.AsReadOnlySpan();
        if (numClasses == -1)
        {
            if (ids.Length == 0)
            {
                throw new ArgumentException($"OneHot: cannot infer the number of classes from an empty index tensor (shape {indices.Shape}); pass numClasses.", nameof(indices));
            }

            // Validate against an unbounded range first so the inferred size is meaningful.
            Tensor.CheckIndexValues("OneHot", indices, int.MaxValue, "one-hot encoding");
            numClasses = (int)System.Numerics.Tensors.TensorPrimitives.Max(ids) + 1;
        }

        Tensor.CheckIndexValues("OneHot", indices, numClasses, $"{numClasses} classes");
        var y = Tensor.Empty(new Shape([.. indices.Shape.Dims, numClasses]));
        var ys = y.Span;
        for (int k = 0; k < ids.Length; k++)
        {
            ys[(k * numClasses) + (int)ids[k]] = 1f;
        }

        return y;
    }
}
