using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

// Index tensors hold integer values stored as float32 (exact below 2^24).
public partial class Tensor
{
    /// <summary>
    /// Gathers values along <paramref name="dim"/>: out[i][j][k] = this[i][index[i][j][k]][k] for dim 1, as
    /// <c>torch.gather</c>. <paramref name="index"/> has this tensor's rank, sizes no larger than this tensor's
    /// outside <paramref name="dim"/>, and holds whole numbers in [0, size of <paramref name="dim"/>). The result
    /// has the index's shape; the gradient scatters back (adding where indices repeat).
    /// </summary>
    /// <param name="dim">The dimension to index along (negative counts from the end).</param>
    /// <param name="index">The indices (no gradient).</param>
    /// <exception cref="ArgumentException">The ranks differ, the index is larger than this tensor outside
    /// <paramref name="dim"/>, or an index is out of range or not an integer; the message names it.</exception>
    public Tensor Gather(int dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var (self, idx) = (AsAtLeast1D(this), AsAtLeast1D(index));
        int d = self.NormalizeDimFor("Gather", dim);
        CheckIndexShape("Gather", self.Shape, idx.Shape, d, allowLargerAlongDim: true);
        CheckIndexValues("Gather", index, self.Shape.Dims[d], $"dimension {dim} of shape {Shape}");

        var y = Empty(index.Shape);
        GatherScatter.Gather(AsReadOnlySpan(), self.Shape.Dims, d, index.AsReadOnlySpan(), idx.Shape.Dims, y.Span, idx.Shape.Dims);
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, "Gather", [this], g =>
            {
                var gx = Empty(Shape);
                GatherScatter.ScatterAdd(gx.Span, self.Shape.Dims, d, index.AsReadOnlySpan(), idx.Shape.Dims, g.AsReadOnlySpan(), idx.Shape.Dims);
                AutogradEngine.Accumulate(this, gx);
            });
        }

        return y;
    }

    /// <summary>
    /// Slices along <paramref name="dim"/> picked by a 1-D integer index (repeats allowed), as <c>index_select</c>.
    /// The result has this shape with <paramref name="dim"/> resized to the number of indices.
    /// </summary>
    /// <param name="dim">The dimension to select along (negative counts from the end).</param>
    /// <param name="index">A 1-D (or scalar) tensor of whole numbers in [0, size of <paramref name="dim"/>) (no gradient).</param>
    /// <exception cref="ArgumentException">The index has more than one dimension, or an index is out of range or not an
    /// integer; the message names it.</exception>
    public Tensor IndexSelect(int dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var self = AsAtLeast1D(this);
        int d = self.NormalizeDimFor("IndexSelect", dim);
        if (index.Rank > 1)
        {
            throw new ArgumentException($"IndexSelect: the index must be 1-D; got shape {index.Shape}.", nameof(index));
        }

        int size = self.Shape.Dims[d];
        CheckIndexValues("IndexSelect", index, size, $"dimension {dim} of shape {Shape}");

        int outer = self.Shape.Product(0, d);
        int inner = self.Shape.Product(d + 1, self.Rank);
        int count = index.NumElements;
        var outDims = self.Shape.ToArray();
        outDims[d] = count;
        var y = Empty(Rank == 0 && count == 1 ? new Shape() : new Shape(outDims));
        var src = AsReadOnlySpan();
        var dst = y.Span;
        var ids = index.AsReadOnlySpan();
        for (int o = 0; o < outer; o++)
        {
            IndexRows.Select(src.Slice(o * size * inner, size * inner), inner, ids, dst.Slice(o * count * inner, count * inner));
        }

        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, "IndexSelect", [this], g =>
            {
                var gx = Empty(Shape);
                var gs = g.AsReadOnlySpan();
                var gd = gx.Span;
                for (int o = 0; o < outer; o++)
                {
                    IndexRows.AddTo(gd.Slice(o * size * inner, size * inner), inner, index.AsReadOnlySpan(), gs.Slice(o * count * inner, count * inner), 0, size, -1);
                }

                AutogradEngine.Accumulate(this, gx);
            });
        }

        return y;
    }

    /// <summary>
    /// A copy of this tensor with <paramref name="source"/> added at <paramref name="index"/> along
    /// <paramref name="dim"/>: out[i][index[i][j][k]][k] += source[i][j][k] for dim 1, as <c>scatter_add</c>.
    /// The gradient reaches this tensor unchanged and <paramref name="source"/> by gathering at the same indices
    /// (zero at source positions the index does not cover).
    /// </summary>
    /// <param name="dim">The dimension to scatter along (negative counts from the end).</param>
    /// <param name="index">Whole numbers in [0, size of <paramref name="dim"/>), of this tensor's rank, no larger than
    /// <paramref name="source"/> in any dimension nor than this tensor outside <paramref name="dim"/> (no gradient).</param>
    /// <param name="source">The values to add (same rank).</param>
    /// <exception cref="ArgumentException">The ranks differ, the index is too large, or an index is out of range or not an
    /// integer; the message names it.</exception>
    public Tensor ScatterAdd(int dim, Tensor index, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(source);
        var (self, idx, src) = (AsAtLeast1D(this), AsAtLeast1D(index), AsAtLeast1D(source));
        int d = self.NormalizeDimFor("ScatterAdd", dim);
        CheckIndexShape("ScatterAdd", self.Shape, idx.Shape, d, allowLargerAlongDim: true);
        if (src.Rank != idx.Rank)
        {
            throw new ArgumentException($"ScatterAdd: source of shape {source.Shape} must have the rank of the index (shape {index.Shape}).", nameof(source));
        }

        for (int k = 0; k < idx.Rank; k++)
        {
            if (idx.Shape.Dims[k] > src.Shape.Dims[k])
            {
                throw new ArgumentException($"ScatterAdd: index of shape {index.Shape} is larger than source of shape {source.Shape} in dimension {k}.", nameof(index));
            }
        }

        CheckIndexValues("ScatterAdd", index, self.Shape.Dims[d], $"dimension {dim} of shape {Shape}");

        var y = Clone();
        GatherScatter.ScatterAdd(y.Span, self.Shape.Dims, d, index.AsReadOnlySpan(), idx.Shape.Dims, source.AsReadOnlySpan(), src.Shape.Dims);
        if (AutogradEngine.NeedsGrad(this, source))
        {
            AutogradEngine.Record(y, "ScatterAdd", [this, source], g =>
            {
                AutogradEngine.Accumulate(this, g);
                if (source.RequiresGrad)
                {
                    var gs = Empty(source.Shape);
                    GatherScatter.Gather(g.AsReadOnlySpan(), self.Shape.Dims, d, index.AsReadOnlySpan(), idx.Shape.Dims, gs.Span, src.Shape.Dims);
                    AutogradEngine.Accumulate(source, gs);
                }
            });
        }

        return y;
    }

    /// <summary>
    /// Elementwise choice: <paramref name="a"/> where <paramref name="condition"/> is non-zero, else
    /// <paramref name="b"/>, with all three broadcast together, as <c>torch.where</c>. Gradients reach
    /// <paramref name="a"/> where the condition holds and <paramref name="b"/> elsewhere; the condition gets none.
    /// </summary>
    /// <param name="condition">Non-zero (including NaN) selects <paramref name="a"/>.</param>
    /// <param name="a">Values where the condition holds.</param>
    /// <param name="b">Values elsewhere.</param>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast together; the message names them.</exception>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Shape outShape;
        try
        {
            outShape = Shape.Broadcast(Shape.Broadcast(condition.Shape, a.Shape), b.Shape);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Where: condition {condition.Shape}, a {a.Shape} and b {b.Shape} cannot be broadcast together. {e.Message}", e);
        }

        var c = BroadcastValues(condition, outShape);
        var av = BroadcastValues(a, outShape);
        var bv = BroadcastValues(b, outShape);
        var y = Empty(outShape);
        var ys = y.Span;
        for (int i = 0; i < ys.Length; i++)
        {
            ys[i] = c[i] != 0 ? av[i] : bv[i];
        }

        if (AutogradEngine.NeedsGrad(a, b))
        {
            AutogradEngine.Record(y, "Where", [a, b], g =>
            {
                var cs = BroadcastValues(condition, outShape);
                var gs = g.AsReadOnlySpan();
                if (a.RequiresGrad)
                {
                    var ga = Empty(outShape);
                    var s = ga.Span;
                    for (int i = 0; i < s.Length; i++)
                    {
                        s[i] = cs[i] != 0 ? gs[i] : 0f;
                    }

                    AutogradEngine.Accumulate(a, ga);
                }

                if (b.RequiresGrad)
                {
                    var gb = Empty(outShape);
                    var s = gb.Span;
                    for (int i = 0; i < s.Length; i++)
                    {
                        s[i] = cs[i] != 0 ? 0f : gs[i];
                    }

                    AutogradEngine.Accumulate(b, gb);
                }
            });
        }

        return y;
    }

    /// <summary>
    /// A copy with <paramref name="value"/> wherever <paramref name="mask"/> is non-zero, as <c>masked_fill</c>.
    /// The mask and this tensor broadcast together (the result has the broadcast shape, as PyTorch's out-of-place
    /// form). The gradient is zero at filled positions.
    /// </summary>
    /// <param name="mask">Non-zero marks positions to fill (no gradient).</param>
    /// <param name="value">The fill value (may be infinite, e.g. <c>float.NegativeInfinity</c> for attention masks).</param>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast together; the message names them.</exception>
    public Tensor MaskedFill(Tensor mask, float value)
    {
        ArgumentNullException.ThrowIfNull(mask);
        Shape outShape;
        try
        {
            outShape = Shape.Broadcast(Shape, mask.Shape);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"MaskedFill: mask of shape {mask.Shape} cannot be broadcast with a tensor of shape {Shape}. {e.Message}", e);
        }

        var m = BroadcastValues(mask, outShape);
        var x = BroadcastValues(this, outShape);
        var y = Empty(outShape);
        var ys = y.Span;
        for (int i = 0; i < ys.Length; i++)
        {
            ys[i] = m[i] != 0 ? value : x[i];
        }

        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, "MaskedFill", [this], g =>
            {
                var ms = BroadcastValues(mask, outShape);
                var gs = g.AsReadOnlySpan();
                var gx = Empty(outShape);
                var s = gx.Span;
                for (int i = 0; i < s.Length; i++)
                {
                    s[i] = ms[i] != 0 ? 0f : gs[i];
                }

                AutogradEngine.Accumulate(this, gx);
            });
        }

        return y;
    }

    /// <summary>1 where this &gt; <paramref name="other"/> else 0, with broadcasting (no gradient), as <c>torch.gt</c>.</summary>
    /// <param name="other">The right-hand side.</param>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
    public Tensor Gt(Tensor other) => BinaryForward<CompareOp<GreaterThan>>(this, other);

    /// <summary>1 where this &gt; <paramref name="value"/> else 0 (no gradient).</summary>
    /// <param name="value">The right-hand side.</param>
    public Tensor Gt(float value) => ScalarForward<CompareOp<GreaterThan>>(this, value);

    /// <summary>1 where this &lt; <paramref name="other"/> else 0, with broadcasting (no gradient), as <c>torch.lt</c>.</summary>
    /// <param name="other">The right-hand side.</param>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
    public Tensor Lt(Tensor other) => BinaryForward<CompareOp<LessThan>>(this, other);

    /// <summary>1 where this &lt; <paramref name="value"/> else 0 (no gradient).</summary>
    /// <param name="value">The right-hand side.</param>
    public Tensor Lt(float value) => ScalarForward<CompareOp<LessThan>>(this, value);

    /// <summary>1 where this == <paramref name="other"/> else 0, with broadcasting (no gradient), as <c>torch.eq</c>.</summary>
    /// <param name="other">The right-hand side.</param>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
    public Tensor Eq(Tensor other) => BinaryForward<CompareOp<EqualTo>>(this, other);

    /// <summary>1 where this == <paramref name="value"/> else 0 (no gradient).</summary>
    /// <param name="value">The right-hand side.</param>
    public Tensor Eq(float value) => ScalarForward<CompareOp<EqualTo>>(this, value);

    /// <summary>
    /// Checks that every element of <paramref name="index"/> is a whole number in [0, <paramref name="size"/>),
    /// throwing an <see cref="ArgumentException"/> that names the first offending value, its position and the valid range.
    /// </summary>
    internal static void CheckIndexValues(string op, Tensor index, int size, string target)
    {
        var s = index.AsReadOnlySpan();
        for (int p = 0; p < s.Length; p++)
        {
            float v = s[p];
            if (v >= 0 && v < size && v == MathF.Floor(v))
            {
                continue;
            }

            string where = index.Rank == 0 ? string.Empty : $" at position {FormatPosition(index.Shape, p)} of the index (shape {index.Shape})";
            string message = float.IsFinite(v) && v != MathF.Floor(v)
                ? $"{op}: index value {v}{where} is not an integer; indices must be whole numbers in [0, {size - 1}] for {target}."
                : $"{op}: index {v}{where} is out of range; valid indices are 0..{size - 1} for {target}.";
            throw new ArgumentException(message, nameof(index));
        }
    }

    private static string FormatPosition(Shape shape, int flat)
    {
        var dims = shape.Dims;
        var idx = new int[dims.Length];
        for (int d = dims.Length - 1; d >= 0; d--)
        {
            idx[d] = flat % dims[d];
            flat /= dims[d];
        }

        return $"[{string.Join(", ", idx)}]";
    }

    /// <summary>Checks the index rank and its sizes against the data outside <paramref name="dim"/>.</summary>
    private static void CheckIndexShape(string op, Shape data, Shape index, int dim, bool allowLargerAlongDim)
    {
        if (index.Rank != data.Rank)
        {
            throw new ArgumentException($"{op}: index of shape {index} must have the same rank as the tensor of shape {data}.", nameof(index));
        }

        for (int k = 0; k < data.Rank; k++)
        {
            if (k == dim && allowLargerAlongDim)
            {
                continue;
            }

            if (index.Dims[k] > data.Dims[k])
            {
                throw new ArgumentException($"{op}: index of shape {index} is larger than the tensor of shape {data} in dimension {k} (only dimension {dim} may differ freely).", nameof(index));
            }
        }
    }

    /// <summary>A rank-1 view of a scalar (PyTorch treats a 0-d tensor as one element here); other tensors unchanged, no graph.</summary>
    private static Tensor AsAtLeast1D(Tensor t) => t.Rank == 0 ? new Tensor(t.Buffer, t.Offset, new Shape(1)) : t;

    /// <summary>The elements of <paramref name="t"/> broadcast to <paramref name="shape"/> (its own storage when the shapes match).</summary>
    private static ReadOnlySpan<float> BroadcastValues(Tensor t, Shape shape)
    {
        if (t.Shape == shape)
        {
            return t.AsReadOnlySpan();
        }

        int r = shape.Rank;
        var dims = new int[r];
        var reps = new int[r];
        for (int i = 0; i < r; i++)
        {
            int k = i - (r - t.Rank);
            dims[i] = k < 0 ? 1 : t.Shape.Dims[k];
            reps[i] = dims[i] == shape.Dims[i] ? 1 : shape.Dims[i];
        }

        var buffer = new float[shape.NumElements];
        Tile.Run(t.AsReadOnlySpan(), dims, reps, buffer);
        return buffer;
    }
}
