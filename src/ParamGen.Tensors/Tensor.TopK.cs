using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

// Owner: sequence ops.
public partial class Tensor
{
    /// <summary>
    /// The <paramref name="k"/> largest (or smallest) values along <paramref name="dim"/>, sorted, and their indices,
    /// as <c>topk</c>. Ties keep the lower index first; NaN ranks above every number. Gradient flows to the selected
    /// elements. Uses partial selection (O(n log k) per row), not a full sort.
    /// </summary>
    /// <param name="k">How many elements to keep (0 to the size of <paramref name="dim"/>).</param>
    /// <param name="dim">The dimension to select along; the last by default.</param>
    /// <param name="largest">Keep the largest (the default) or the smallest values.</param>
    /// <returns>Values and their indices (integers stored as floats), both with <paramref name="dim"/> of size k.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is negative or exceeds the dimension's size, or
    /// <paramref name="dim"/> is out of range.</exception>
    public (Tensor Values, Tensor Indices) TopK(int k, int dim = -1, bool largest = true)
    {
        int d = Shape.NormalizeDim(dim);
        int n = Shape[d];
        if (k < 0 || k > n)
        {
            throw new ArgumentOutOfRangeException(nameof(k), $"TopK: k = {k} is outside [0, {n}] for dimension {dim} of shape {Shape}.");
        }

        int outer = Shape.Product(0, d), inner = Shape.Product(d + 1, Rank);
        var dims = Shape.ToArray();
        dims[d] = k;
        var outShape = new Shape(dims);
        var values = Empty(outShape);
        var indices = Empty(outShape);
        var picked = new int[outer * inner * k]; // [outer, inner, k] positions along dim, for backward
        Engine.ParallelFor(outer * inner, (long)n * (1 + (int)Math.Log2(k + 1)), (start, end) =>
        {
            var row = inner == 1 ? null : new float[n];
            var src = AsReadOnlySpan();
            var vs = values.Span;
            var ix = indices.Span;
            for (int r = start; r < end; r++)
            {
                int o = r / inner, i = r % inner;
                int baseIn = (o * n * inner) + i, baseOut = (o * k * inner) + i;
                ReadOnlySpan<float> line;
                if (row is null)
                {
                    line = src.Slice(o * n, n);
                }
                else
                {
                    for (int j = 0; j < n; j++)
                    {
                        row[j] = src[baseIn + (j * inner)];
                    }

                    line = row;
                }

                var sel = picked.AsSpan(r * k, k);
                TopKSelect.Select(line, sel, largest);
                for (int j = 0; j < k; j++)
                {
                    vs[baseOut + (j * inner)] = line[sel[j]];
                    ix[baseOut + (j * inner)] = sel[j];
                }
            }
        });

        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(values, "TopK", [this], g =>
            {
                var dx = Empty(Shape);
                var gs = g.AsReadOnlySpan();
                var ds = dx.Span;
                for (int r = 0; r < outer * inner; r++)
                {
                    int o = r / inner, i = r % inner;
                    int baseIn = (o * n * inner) + i, baseOut = (o * k * inner) + i;
                    for (int j = 0; j < k; j++)
                    {
                        ds[baseIn + (picked[(r * k) + j] * inner)] = gs[baseOut + (j * inner)];
                    }
                }

                AutogradEngine.Accumulate(this, dx);
            });
        }

        return (values, indices);
    }
}
