using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

// Owner: reductions, normalisation, losses.
public static partial class Functional
{
    /// <summary>Columns processed together when normalising a dimension that is not the last.</summary>
    private const int SoftmaxTile = 256;

    /// <summary>
    /// Softmax over <paramref name="dim"/> (default -1, the last), as <c>F.softmax</c>, computed stably.
    /// A slice of all -inf (fully masked) gives zeros rather than NaN.
    /// </summary>
    /// <param name="input">The scores.</param>
    /// <param name="dim">The dimension to normalise (negative counts from the end).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is out of range.</exception>
    public static Tensor Softmax(Tensor input, int dim = -1) => SoftmaxCore(input, dim, log: false);

    /// <summary>
    /// Log-softmax over <paramref name="dim"/> (default -1, the last), as <c>F.log_softmax</c>:
    /// x - logsumexp(x), computed stably.
    /// </summary>
    /// <param name="input">The scores.</param>
    /// <param name="dim">The dimension to normalise (negative counts from the end).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is out of range.</exception>
    public static Tensor LogSoftmax(Tensor input, int dim = -1) => SoftmaxCore(input, dim, log: true);

    private static Tensor SoftmaxCore(Tensor input, int dim, bool log)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (outer, n, inner) = input.DimLayout(dim, out _, out _);
        var y = Tensor.Empty(input.Shape);
        if (input.NumElements > 0)
        {
            var xb = input.Buffer;
            int xo = input.Offset;
            var yb = y.Buffer;
            if (inner == 1)
            {
                Engine.ParallelFor(outer, 4L * n, (s, e) =>
                {
                    for (int r = s; r < e; r++)
                    {
                        var src = xb.AsSpan(xo + (r * n), n);
                        var dst = yb.AsSpan(r * n, n);
                        if (log)
                        {
                            Kernels.LogSoftmax.Row(src, dst);
                        }
                        else
                        {
                            Kernels.Softmax.Row(src, dst);
                        }
                    }
                });
            }
            else
            {
                ForEachColumnTile(outer, n, inner, (o, c0, width, scratch) => SoftmaxStrided.Forward(
                    xb.AsSpan(xo + (o * n * inner) + c0), yb.AsSpan((o * n * inner) + c0), n, inner, width, scratch, log));
            }
        }

        if (AutogradEngine.NeedsGrad(input))
        {
            AutogradEngine.Record(y, log ? "LogSoftmax" : "Softmax", [input], g =>
            {
                var dx = Tensor.Empty(input.Shape);
                if (dx.NumElements > 0)
                {
                    var gb = g.Buffer;
                    int go = g.Offset;
                    var yb = y.Buffer;
                    var db = dx.Buffer;
                    if (inner == 1)
                    {
                        Engine.ParallelFor(outer, 4L * n, (s, e) =>
                        {
                            for (int r = s; r < e; r++)
                            {
                                var ys = yb.AsSpan(r * n, n);
                                var gs = gb.AsSpan(go + (r * n), n);
                                var ds = db.AsSpan(r * n, n);
                                if (log)
                                {
                                    Kernels.LogSoftmax.BackwardRow(ys, gs, ds);
                                }
                                else
                                {
                                    Kernels.Softmax.BackwardRow(ys, gs, ds);
                                }
                            }
                        });
                    }
                    else
                    {
                        ForEachColumnTile(outer, n, inner, (o, c0, width, scratch) => SoftmaxStrided.Backward(
                            yb.AsSpan((o * n * inner) + c0), gb.AsSpan(go + (o * n * inner) + c0), db.AsSpan((o * n * inner) + c0),
                            n, inner, width, scratch, log));
                    }
                }

                AutogradEngine.Accumulate(input, dx);
            });
        }

        return y;
    }

    private delegate void ColumnTileBody(int outer, int firstColumn, int width, Span<float> scratch);

    /// <summary>
    /// Runs <paramref name="body"/> over every (outer block, column tile) of a <c>[outer, n, inner]</c> layout,
    /// in parallel, with a scratch span of 2 * <see cref="SoftmaxTile"/> floats per worker.
    /// </summary>
    private static void ForEachColumnTile(int outer, int n, int inner, ColumnTileBody body)
    {
        int tiles = (inner + SoftmaxTile - 1) / SoftmaxTile;
        Engine.ParallelFor(outer * tiles, 4L * n * Math.Min(inner, SoftmaxTile), (s, e) =>
        {
            Span<float> scratch = stackalloc float[2 * SoftmaxTile];
            for (int t = s; t < e; t++)
            {
                int o = t / tiles;
                int c0 = (t % tiles) * SoftmaxTile;
                body(o, c0, Math.Min(SoftmaxTile, inner - c0), scratch);
            }
        });
    }
}
