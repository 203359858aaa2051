using ParamGen.Tensors.Autograd;

namespace ParamGen.Tensors;

public partial class Tensor
{
    /// <summary>
    /// A view with a new shape and the same elements in the same order (shares storage). One size may be
    /// -1 and is inferred, as <c>reshape</c>/<c>view</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The element counts differ or more than one size is -1.</exception>
    public Tensor Reshape(params int[] shape)
    {
        var resolved = ResolveShape(shape);
        if (resolved == Shape)
        {
            return this;
        }

        var y = new Tensor(Buffer, Offset, resolved);
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, "Reshape", [this], g => AutogradEngine.Accumulate(this, g.Reshape(Shape.Dims)));
        }

        return y;
    }

    /// <summary>Same as <see cref="Reshape(int[])"/> (storage is always contiguous, so every reshape is a view).</summary>
    public Tensor View(params int[] shape) => Reshape(shape);

    /// <summary>Flattens dimensions [startDim, endDim] into one, as <c>flatten</c>.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0)
        {
            return Reshape(1);
        }

        int s = Shape.NormalizeDim(startDim);
        int e = Shape.NormalizeDim(endDim);
        if (s > e)
        {
            throw new ArgumentException($"Flatten start dimension {startDim} is after end dimension {endDim} for shape {Shape}.");
        }

        var dims = new List<int>();
        for (int i = 0; i < s; i++)
        {
            dims.Add(Shape.Dims[i]);
        }

        dims.Add(Shape.Product(s, e + 1));
        for (int i = e + 1; i < Rank; i++)
        {
            dims.Add(Shape.Dims[i]);
        }

        return Reshape(dims.ToArray());
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="dim"/> (a view).</summary>
    public Tensor Unsqueeze(int dim)
    {
        int d = dim < 0 ? dim + Rank + 1 : dim;
        if (d < 0 || d > Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), $"Unsqueeze dimension {dim} is out of range for shape {Shape}.");
        }

        var dims = new List<int>(Shape.Dims);
        dims.Insert(d, 1);
        return Reshape(dims.ToArray());
    }

    /// <summary>Removes dimension <paramref name="dim"/> if its size is 1 (a view); otherwise returns this tensor, as PyTorch.</summary>
    public Tensor Squeeze(int dim)
    {
        int d = Shape.NormalizeDim(dim);
        if (Shape.Dims[d] != 1)
        {
            return this;
        }

        var dims = new List<int>(Shape.Dims);
        dims.RemoveAt(d);
        return Reshape(dims.ToArray());
    }

    /// <summary>Removes every dimension of size 1 (a view).</summary>
    public Tensor Squeeze() => Reshape(Array.FindAll(Shape.Dims, x => x != 1));

    private Shape ResolveShape(int[] shape)
    {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (infer >= 0)
                {
                    throw new ArgumentException($"Reshape of {Shape} to [{string.Join(", ", shape)}]: only one size may be -1.");
                }

                infer = i;
            }
            else if (shape[i] < 0)
            {
                throw new ArgumentException($"Reshape of {Shape} to [{string.Join(", ", shape)}]: negative size {shape[i]}.");
            }
            else
            {
                known *= shape[i];
            }
        }

        var dims = (int[])shape.Clone();
        if (infer >= 0)
        {
            if (known == 0 || NumElements % known != 0)
            {
                throw new ArgumentException($"Reshape of {Shape} ({NumElements} elements) to [{string.Join(", ", shape)}]: cannot infer the -1 size.");
            }

            dims[infer] = (int)(NumElements / known);
            known *= dims[infer];
        }

        if (known != NumElements)
        {
            throw new ArgumentException($"Cannot reshape a tensor of shape {Shape} ({NumElements} elements) to [{string.Join(", ", shape)}] ({known} elements).");
        }

        return new Shape(dims);
    }
}
