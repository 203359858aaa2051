using System.Numerics.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

// Owner: reductions, normalisation, losses.
public partial class Tensor
{
    /// <summary>
    /// The maximum over <paramref name="dim"/> and the index of its first occurrence, as <c>max(dim)</c>.
    /// NaN counts as the maximum. The gradient flows to the chosen element only.
    /// </summary>
    /// <param name="dim">The dimension to reduce (negative counts from the end; 0 or -1 for a scalar).</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1 (default false).</param>
    /// <returns>The values and their indices (integers stored as float, no gradient).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The dimension has size 0.</exception>
    public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false) => Extremum(dim, keepDim, max: true);

    /// <summary>
    /// The minimum over <paramref name="dim"/> and the index of its first occurrence, as <c>min(dim)</c>.
    /// NaN counts as the minimum. The gradient flows to the chosen element only.
    /// </summary>
    /// <param name="dim">The dimension to reduce (negative counts from the end; 0 or -1 for a scalar).</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1 (default false).</param>
    /// <returns>The values and their indices (integers stored as float, no gradient).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The dimension has size 0.</exception>
    public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false) => Extremum(dim, keepDim, max: false);

    /// <summary>
    /// The maximum of all elements (rank 0), NaN if any element is NaN. At ties the gradient is split evenly
    /// among the tied elements, as PyTorch.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is empty.</exception>
    public Tensor Max() => ExtremumAll(max: true);

    /// <summary>
    /// The minimum of all elements (rank 0), NaN if any element is NaN. At ties the gradient is split evenly.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is empty.</exception>
    public Tensor Min() => ExtremumAll(max: false);

    /// <summary>Index of the first maximum along <paramref name="dim"/> as an integer-valued float tensor (no gradient), as <c>argmax</c>.</summary>
    /// <param name="dim">The dimension to reduce.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1 (default false).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The dimension has size 0.</exception>
    public Tensor ArgMax(int dim, bool keepDim = false)
    {
        using (Autograd.Grad.NoGrad())
        {
            return Max(dim, keepDim).Indices;
        }
    }

    /// <summary>Index of the first minimum along <paramref name="dim"/> as an integer-valued float tensor (no gradient), as <c>argmin</c>.</summary>
    /// <param name="dim">The dimension to reduce.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1 (default false).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The dimension has size 0.</exception>
    public Tensor ArgMin(int dim, bool keepDim = false)
    {
        using (Autograd.Grad.NoGrad())
        {
            return Min(dim, keepDim).Indices;
        }
    }

    /// <summary>
    /// Variance over <paramref name="dims"/> (an empty array means all dims), as <c>var</c>: the sum of squared
    /// deviations divided by N-1 when <paramref name="unbiased"/> (default true), else by N. One element with
    /// <paramref name="unbiased"/> gives NaN, as PyTorch.
    /// </summary>
    /// <param name="dims">The dimensions to reduce, each once (negative counts from the end).</param>
    /// <param name="unbiased">Use Bessel's correction (default true).</param>
    /// <param name="keepDim">Keep the reduced dimensions with size 1 (default false).</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is out of range.</exception>
    /// <exception cref="ArgumentException">A dimension is repeated.</exception>
    public Tensor Var(int[] dims, bool unbiased = true, bool keepDim = false)
    {
        var (v, mean, kept, reduced, divisor) = Moments(dims, unbiased);
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(v, "Var", [this], g =>
            {
                // d var / dx = 2 (x - mean) / (N - correction)
                AutogradEngine.Accumulate(this, Sub(mean).Mul(g.Reshape(kept.Dims).Mul((float)(2.0 / divisor))));
            });
        }

        return keepDim ? v : v.Reshape(reduced.Dims);
    }

    /// <summary>Variance over one dimension; see <see cref="Var(int[], bool, bool)"/>.</summary>
    /// <param name="dim">The dimension to reduce.</param>
    /// <param name="unbiased">Use Bessel's correction (default true).</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1 (default false).</param>
    public Tensor Var(int dim, bool unbiased = true, bool keepDim = false) => Var([dim], unbiased, keepDim);

    /// <summary>
    /// Standard deviation over <paramref name="dims"/> (an empty array means all dims), as <c>std</c>: the square
    /// root of <see cref="Var(int[], bool, bool)"/>. Where the result is 0 the gradient is 0, as PyTorch.
    /// </summary>
    /// <param name="dims">The dimensions to reduce, each once (negative counts from the end).</param>
    /// <param name="unbiased">Use Bessel's correction (default true).</param>
    /// <param name="keepDim">Keep the reduced dimensions with size 1 (default false).</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is out of range.</exception>
    /// <exception cref="ArgumentException">A dimension is repeated.</exception>
    public Tensor Std(int[] dims, bool unbiased = true, bool keepDim = false)
    {
        var (v, mean, kept, reduced, divisor) = Moments(dims, unbiased);
        var s = v.Span;
        TensorPrimitives.Sqrt(s, s);
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(v, "Std", [this], g =>
            {
                // d std / dx = (x - mean) / ((N - correction) std), taken as 0 where std is 0.
                var coef = Empty(kept);
                var c = coef.Span;
                var gs = g.AsReadOnlySpan();
                var sd = v.AsReadOnlySpan();
                for (int i = 0; i < c.Length; i++)
                {
                    c[i] = sd[i] == 0f ? 0f : (float)(gs[i] / (divisor * sd[i]));
                }

                AutogradEngine.Accumulate(this, Sub(mean).Mul(coef));
            });
        }

        return keepDim ? v : v.Reshape(reduced.Dims);
    }

    /// <summary>Standard deviation over one dimension; see <see cref="Std(int[], bool, bool)"/>.</summary>
    /// <param name="dim">The dimension to reduce.</param>
    /// <param name="unbiased">Use Bessel's correction (default true).</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1 (default false).</param>
    public Tensor Std(int dim, bool unbiased = true, bool keepDim = false) => Std([dim], unbiased, keepDim);

    /// <summary>
    /// log(sum(exp(x))) over <paramref name="dim"/>, computed stably (shifted by the maximum), as <c>logsumexp</c>.
    /// A slice of all -inf gives -inf (and a zero gradient); the gradient is softmax(x) along the dim.
    /// </summary>
    /// <param name="dim">The dimension to reduce (negative counts from the end).</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1 (default false).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is out of range.</exception>
    public Tensor LogSumExp(int dim, bool keepDim = false)
    {
        var (outer, n, inner) = DimLayout(dim, out var kept, out var reduced);
        var y = Empty(kept);
        var x = AsReadOnlySpan();
        if (n == 0)
        {
            y.Span.Fill(float.NegativeInfinity);
        }
        else if (inner == 1)
        {
            var buf = Buffer;
            int off = Offset;
            var ybuf = y.Buffer;
            Engine.ParallelFor(outer, n, (s, e) =>
            {
                for (int o = s; o < e; o++)
                {
                    ybuf[o] = Kernels.Softmax.LogSumExp(buf.AsSpan(off + (o * n), n));
                }
            });
        }
        else
        {
            var scratch = new float[inner];
            for (int o = 0; o < outer; o++)
            {
                Reduce.LogSumExpColumns(x.Slice(o * n * inner, n * inner), n, inner, y.Span.Slice(o * inner, inner), scratch);
            }
        }

        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, "LogSumExp", [this], g =>
            {
                var dx = Empty(Shape);
                var d = dx.Span;
                var xs = AsReadOnlySpan();
                var ls = y.AsReadOnlySpan();
                var gs = g.AsReadOnlySpan();
                for (int o = 0; o < outer; o++)
                {
                    for (int k = 0; k < n; k++)
                    {
                        int row = ((o * n) + k) * inner;
                        for (int i = 0; i < inner; i++)
                        {
                            float l = ls[(o * inner) + i];
                            d[row + i] = float.IsNegativeInfinity(l) ? 0f : gs[(o * inner) + i] * MathF.Exp(xs[row + i] - l);
                        }
                    }
                }

                AutogradEngine.Accumulate(this, dx);
            });
        }

        return keepDim ? y : y.Reshape(reduced.Dims);
    }

    /// <summary>
    /// Views this tensor as <c>[outer, n, inner]</c> around <paramref name="dim"/>; a scalar is treated as one
    /// element along dim 0 or -1, as PyTorch. Also gives the shapes with the dim kept as 1 and removed.
    /// </summary>
    internal (int Outer, int N, int Inner) DimLayout(int dim, out Shape kept, out Shape reduced)
    {
        if (Rank == 0)
        {
            if (dim != 0 && dim != -1)
            {
                throw new ArgumentOutOfRangeException(nameof(dim), $"Dimension {dim} is out of range for a scalar tensor (expected 0 or -1).");
            }

            kept = Shape;
            reduced = Shape;
            return (1, 1, 1);
        }

        int d = Shape.NormalizeDim(dim);
        var keptDims = Shape.ToArray();
        keptDims[d] = 1;
        kept = new Shape(keptDims);
        var reducedDims = new int[Rank - 1];
        for (int i = 0, j = 0; i < Rank; i++)
        {
            if (i != d)
            {
                reducedDims[j++] = Shape.Dims[i];
            }
        }

        reduced = new Shape(reducedDims);
        return (Shape.Product(0, d), Shape.Dims[d], Shape.Product(d + 1, Rank));
    }

    private (Tensor Values, Tensor Indices) Extremum(int dim, bool keepDim, bool max)
    {
        string op = max ? "Max" : "Min";
        var (outer, n, inner) = DimLayout(dim, out var kept, out var reduced);
        if (n == 0)
        {
            throw new ArgumentException($"{op}: cannot reduce dimension {dim} of size 0 (shape {Shape}).", nameof(dim));
        }

        var values = Empty(kept);
        var indices = Empty(kept);
        Reduce.ArgExtremum(AsReadOnlySpan(), outer, n, inner, values.Span, indices.Span, max);
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(values, op + "Dim", [this], g =>
            {
                var dx = Empty(Shape);
                var d = dx.Span;
                var gs = g.AsReadOnlySpan();
                var idx = indices.AsReadOnlySpan();
                for (int o = 0; o < outer; o++)
                {
                    for (int i = 0; i < inner; i++)
                    {
                        int at = (o * inner) + i;
                        d[((((o * n) + (int)idx[at])) * inner) + i] = gs[at];
                    }
                }

                AutogradEngine.Accumulate(this, dx);
            });
        }

        return keepDim ? (values, indices) : (values.Reshape(reduced.Dims), indices.Reshape(reduced.Dims));
    }

    private Tensor ExtremumAll(bool max)
    {
        string op = max ? "Max" : "Min";
        if (NumElements == 0)
        {
            throw new ArgumentException($"{op}: cannot reduce an empty tensor of shape {Shape}.");
        }

        var x = AsReadOnlySpan();
        float value = max ? TensorPrimitives.Max(x) : TensorPrimitives.Min(x);
        var y = Scalar(value);
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, op, [this], g =>
            {
                // Evenly distributed over the elements equal to the result (the NaNs when it is NaN).
                var dx = Empty(Shape);
                var d = dx.Span;
                var xs = AsReadOnlySpan();
                bool nan = float.IsNaN(value);
                int count = 0;
                for (int i = 0; i < xs.Length; i++)
                {
                    if (nan ? float.IsNaN(xs[i]) : xs[i] == value)
                    {
                        count++;
                    }
                }

                float share = g.Item() / count;
                for (int i = 0; i < xs.Length; i++)
                {
                    d[i] = (nan ? float.IsNaN(xs[i]) : xs[i] == value) ? share : 0f;
                }

                AutogradEngine.Accumulate(this, dx);
            });
        }

        return y;
    }

    /// <summary>
    /// Mean and (un)biased variance over <paramref name="dims"/> (empty = all), in double. Returns the variance
    /// and mean with the dims kept as 1, the shape without them, and the divisor N - correction.
    /// </summary>
    private (Tensor Var, Tensor Mean, Shape Kept, Shape Reduced, double Divisor) Moments(int[] dims, bool unbiased)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length == 0)
        {
            dims = Enumerable.Range(0, Rank).ToArray();
        }

        var reduced = ReducedShape(dims, out var kept);
        int outCount = kept.NumElements;
        int count = outCount == 0 ? 0 : NumElements / outCount;

        // map[i] = the output element that input element i reduces into.
        var map = new int[NumElements];
        var str = Kernels.Broadcast.PaddedStrides(kept, Rank);
        var dimsArr = Shape.Dims;
        var idx = new int[Rank];
        int off = 0;
        for (int i = 0; i < map.Length; i++)
        {
            map[i] = off;
            for (int d = Rank - 1; d >= 0; d--)
            {
                idx[d]++;
                off += str[d];
                if (idx[d] < dimsArr[d])
                {
                    break;
                }

                off -= str[d] * dimsArr[d];
                idx[d] = 0;
            }
        }

        var x = AsReadOnlySpan();
        var sum = new double[outCount];
        for (int i = 0; i < x.Length; i++)
        {
            sum[map[i]] += x[i];
        }

        for (int j = 0; j < outCount; j++)
        {
            sum[j] /= count;
        }

        var ssq = new double[outCount];
        for (int i = 0; i < x.Length; i++)
        {
            double dev = x[i] - sum[map[i]];
            ssq[map[i]] += dev * dev;
        }

        double divisor = count - (unbiased ? 1 : 0);
        var v = Empty(kept);
        var mean = Empty(kept);
        for (int j = 0; j < outCount; j++)
        {
            v.Span[j] = (float)(ssq[j] / divisor);
            mean.Span[j] = (float)sum[j];
        }

        return (v, mean, kept, reduced, divisor);
    }
}
