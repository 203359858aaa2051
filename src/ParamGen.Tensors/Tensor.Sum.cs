using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

public partial class Tensor
{
    /// <summary>The sum of all elements, as a rank-0 tensor.</summary>
    public Tensor Sum()
    {
        var y = Scalar(Elementwise.Sum(AsReadOnlySpan()));
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, "Sum", [this], g => AutogradEngine.Accumulate(this, Full(g.Item(), Shape.ToArray())));
        }

        return y;
    }

    /// <summary>The mean of all elements, as a rank-0 tensor.</summary>
    public Tensor Mean() => Sum().Div(Math.Max(NumElements, 1));

    /// <summary>Sum over one dimension (negative counts from the end).</summary>
    /// <param name="dim">The dimension to reduce.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1 (as <c>keepdim=True</c>).</param>
    public Tensor Sum(int dim, bool keepDim = false) => Sum([dim], keepDim);

    /// <summary>Sum over several dimensions.</summary>
    /// <param name="dims">The dimensions to reduce (each once; negative counts from the end).</param>
    /// <param name="keepDim">Keep the reduced dimensions with size 1.</param>
    /// <exception cref="ArgumentException">A dimension is repeated.</exception>
    public Tensor Sum(int[] dims, bool keepDim = false)
    {
        var reduced = ReducedShape(dims, out var keptShape);
        var y = Empty(keptShape);
        Broadcast.SumTo(AsReadOnlySpan(), Shape, y.Span, keptShape);
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, "SumDim", [this], g => AutogradEngine.Accumulate(this, g.Reshape(keptShape.Dims).Expand(Shape)));
        }

        return keepDim ? y : y.Reshape(reduced.Dims);
    }

    /// <summary>Mean over one dimension.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Mean([dim], keepDim);

    /// <summary>Mean over several dimensions.</summary>
    public Tensor Mean(int[] dims, bool keepDim = false)
    {
        ReducedShape(dims, out var kept);
        int count = NumElements / Math.Max(kept.NumElements, 1);
        return Sum(dims, keepDim).Div(Math.Max(count, 1));
    }

    /// <summary>
    /// Sums this tensor down to <paramref name="shape"/>, which must broadcast to this tensor's shape:
    /// the inverse of broadcasting, used to undo it in backward rules.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not broadcast to this shape.</exception>
    public Tensor SumToShape(Shape shape)
    {
        if (shape == Shape)
        {
            return this;
        }

        if (shape.Rank > Rank || Shape.Broadcast(shape, Shape) != Shape)
        {
            throw new ArgumentException($"Cannot sum a tensor of shape {Shape} down to shape {shape}: {shape} does not broadcast to {Shape}.");
        }

        var y = Empty(shape);
        Broadcast.SumTo(AsReadOnlySpan(), Shape, y.Span, shape);
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, "SumToShape", [this], g => AutogradEngine.Accumulate(this, g.Expand(Shape)));
        }

        return y;
    }

    /// <summary>
    /// Materialises this tensor broadcast to <paramref name="shape"/> (a copy, since storage is always
    /// contiguous), as <c>expand(...).contiguous()</c>.
    /// </summary>
    /// <exception cref="ArgumentException">This shape does not broadcast to <paramref name="shape"/>.</exception>
    public Tensor Expand(Shape shape)
    {
        if (shape == Shape)
        {
            return this;
        }

        if (Shape.Rank > shape.Rank || Shape.Broadcast(Shape, shape) != shape)
        {
            throw new ArgumentException($"Cannot expand a tensor of shape {Shape} to shape {shape}.");
        }

        var y = Empty(shape);
        var zero = Empty(shape);
        Broadcast.Binary<AddOp>(AsReadOnlySpan(), Shape, zero.AsReadOnlySpan(), shape, y.Span, shape);
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, "Expand", [this], g => AutogradEngine.Accumulate(this, g));
        }

        return y;
    }

    /// <summary>Materialises this tensor broadcast to the given sizes.</summary>
    public Tensor Expand(params int[] shape) => Expand(new Shape(shape));

    /// <summary>Validates reduction dims; returns the shape without them and, via <paramref name="kept"/>, with them as 1.</summary>
    private Shape ReducedShape(int[] dims, out Shape kept)
    {
        var flags = new bool[Rank];
        foreach (int d in dims)
        {
            int nd = Shape.NormalizeDim(d);
            if (flags[nd])
            {
                throw new ArgumentException($"Dimension {d} appears twice in reduction dims [{string.Join(", ", dims)}] for shape {Shape}.");
            }

            flags[nd] = true;
        }

        var keptDims = Shape.ToArray();
        var reduced = new List<int>(Rank);
        for (int i = 0; i < Rank; i++)
        {
            if (flags[i])
            {
                keptDims[i] = 1;
            }
            else
            {
                reduced.Add(Shape.Dims[i]);
            }
        }

        kept = new Shape(keptDims);
        return new Shape(reduced.ToArray());
    }
}
