using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

public partial class Tensor
{
    /// <summary>
    /// Reorders dimensions, as <c>permute</c>: output dimension <c>i</c> is input dimension <c>dims[i]</c>
    /// (negative values count from the end). The result is a copy, since storage is contiguous, except when
    /// the permutation only moves size-1 dimensions and so keeps the element order: then it is a view.
    /// </summary>
    /// <param name="dims">A permutation of 0..Rank-1.</param>
    /// <exception cref="ArgumentException"><paramref name="dims"/> is not a permutation of 0..Rank-1 (wrong length,
    /// a dimension out of range or repeated); the message names the dims and the shape.</exception>
    public Tensor Permute(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var perm = CheckPermutation(dims);
        var outDims = new int[Rank];
        for (int p = 0; p < Rank; p++)
        {
            outDims[p] = Shape.Dims[perm[p]];
        }

        var simpleDims = new int[Rank];
        var simplePerm = new int[Rank];
        int m = Kernels.Permute.Simplify(Shape.Dims, perm, simpleDims, simplePerm);
        if (m <= 1)
        {
            return Reshape(outDims);
        }

        var y = Empty(new Shape(outDims));
        PermuteInto(this, simpleDims[..m], simplePerm[..m], y);
        if (AutogradEngine.NeedsGrad(this))
        {
            var inverse = new int[Rank];
            for (int p = 0; p < Rank; p++)
            {
                inverse[perm[p]] = p;
            }

            AutogradEngine.Record(y, "Permute", [this], g => AutogradEngine.Accumulate(this, g.Permute(inverse)));
        }

        return y;
    }

    /// <summary>Swaps two dimensions (a copy unless only size-1 dimensions move), as <c>transpose</c>.</summary>
    /// <param name="dim0">The first dimension (negative counts from the end).</param>
    /// <param name="dim1">The second dimension (negative counts from the end).</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is out of range for this shape.</exception>
    public Tensor Transpose(int dim0, int dim1)
    {
        int a = NormalizeDimFor("Transpose", dim0);
        int b = NormalizeDimFor("Transpose", dim1);
        var perm = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            perm[i] = i;
        }

        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>
    /// The elements [start, start + length) along <paramref name="dim"/>, as <c>narrow</c>. The result is a view
    /// sharing storage when every dimension before <paramref name="dim"/> has size 1 (always for dim 0), else a copy.
    /// </summary>
    /// <param name="dim">The dimension to narrow (negative counts from the end).</param>
    /// <param name="start">The first index kept (negative counts from the end).</param>
    /// <param name="length">The number of indices kept (may be 0).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is out of range, or [start, start + length)
    /// does not lie within the dimension; the message names the values and the shape.</exception>
    public Tensor Narrow(int dim, int start, int length)
    {
        int d = NormalizeDimFor("Narrow", dim);
        int size = Shape.Dims[d];
        int s = start < 0 ? start + size : start;
        if (s < 0 || s > size || length < 0 || length > size - s)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Narrow: start {start} and length {length} do not fit in dimension {dim} of size {size} (shape {Shape}); need 0 <= start <= {size} (or negative from the end) and start + length <= {size}.");
        }

        var outDims = Shape.ToArray();
        outDims[d] = length;
        return SliceAlong(d, s, length, new Shape(outDims), "Narrow");
    }

    /// <summary>
    /// The slice at <paramref name="index"/> along <paramref name="dim"/>, with that dimension removed, as <c>select</c>.
    /// Like <see cref="Narrow"/>, a view when every dimension before <paramref name="dim"/> has size 1, else a copy.
    /// </summary>
    /// <param name="dim">The dimension to index (negative counts from the end).</param>
    /// <param name="index">The index along it (negative counts from the end).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> or <paramref name="index"/> is out of range.</exception>
    public Tensor Select(int dim, int index)
    {
        int d = NormalizeDimFor("Select", dim);
        int size = Shape.Dims[d];
        int i = index < 0 ? index + size : index;
        if (i < 0 || i >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"Select: index {index} is out of range for dimension {dim} of size {size} (shape {Shape}); valid indices are -{size}..{size - 1}.");
        }

        var outDims = new List<int>(Shape.Dims);
        outDims.RemoveAt(d);
        return SliceAlong(d, i, 1, new Shape(outDims.ToArray()), "Select");
    }

    /// <summary>
    /// Splits into pieces of <paramref name="splitSize"/> along <paramref name="dim"/> (the last may be smaller),
    /// as <c>split</c>. Each piece is a <see cref="Narrow"/> of this tensor.
    /// </summary>
    /// <param name="splitSize">The size of each piece (at least 1).</param>
    /// <param name="dim">The dimension to split (default 0; negative counts from the end).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="splitSize"/> is less than 1 or <paramref name="dim"/> is out of range.</exception>
    public Tensor[] Split(int splitSize, int dim = 0)
    {
        int d = NormalizeDimFor("Split", dim);
        if (splitSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(splitSize), $"Split: split size {splitSize} must be at least 1 (shape {Shape}).");
        }

        int size = Shape.Dims[d];
        if (size == 0)
        {
            return [Narrow(d, 0, 0)];
        }

        var pieces = new Tensor[(size + splitSize - 1) / splitSize];
        for (int k = 0; k < pieces.Length; k++)
        {
            int s = k * splitSize;
            pieces[k] = Narrow(d, s, Math.Min(splitSize, size - s));
        }

        return pieces;
    }

    /// <summary>Splits into pieces of the given sizes along <paramref name="dim"/>, as <c>split</c> with a list (<c>split_with_sizes</c>).</summary>
    /// <param name="splitSizes">The size of each piece (each at least 0); they must add up to the dimension's size.</param>
    /// <param name="dim">The dimension to split (default 0; negative counts from the end).</param>
    /// <exception cref="ArgumentException">A size is negative or the sizes do not add up to the dimension's size.</exception>
    public Tensor[] Split(int[] splitSizes, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(splitSizes);
        int d = NormalizeDimFor("Split", dim);
        long total = 0;
        foreach (int s in splitSizes)
        {
            if (s < 0)
            {
                throw new ArgumentException($"Split: sizes [{string.Join(", ", splitSizes)}] contain a negative size (shape {Shape}).", nameof(splitSizes));
            }

            total += s;
        }

        if (total != Shape.Dims[d])
        {
            throw new ArgumentException($"Split: sizes [{string.Join(", ", splitSizes)}] add up to {total}, but dimension {dim} of shape {Shape} has size {Shape.Dims[d]}.", nameof(splitSizes));
        }

        var pieces = new Tensor[splitSizes.Length];
        int start = 0;
        for (int k = 0; k < pieces.Length; k++)
        {
            pieces[k] = Narrow(d, start, splitSizes[k]);
            start += splitSizes[k];
        }

        return pieces;
    }

    /// <summary>
    /// Splits into at most <paramref name="chunks"/> pieces of size <c>ceil(size / chunks)</c> along
    /// <paramref name="dim"/> (the last may be smaller, and there may be fewer pieces than asked), as <c>chunk</c>.
    /// </summary>
    /// <param name="chunks">The number of pieces wanted (at least 1).</param>
    /// <param name="dim">The dimension to split (default 0; negative counts from the end).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunks"/> is less than 1 or <paramref name="dim"/> is out of range.</exception>
    public Tensor[] Chunk(int chunks, int dim = 0)
    {
        int d = NormalizeDimFor("Chunk", dim);
        if (chunks < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(chunks), $"Chunk: the number of chunks {chunks} must be at least 1 (shape {Shape}).");
        }

        int size = Shape.Dims[d];
        if (size == 0)
        {
            // PyTorch returns `chunks` empty pieces here.
            var empty = new Tensor[chunks];
            for (int k = 0; k < chunks; k++)
            {
                empty[k] = Narrow(d, 0, 0);
            }

            return empty;
        }

        return Split((size + chunks - 1) / chunks, d);
    }

    /// <summary>Concatenates tensors along <paramref name="dim"/>, as <c>torch.cat</c>.</summary>
    /// <param name="tensors">The tensors: same rank (at least 1) and same sizes outside <paramref name="dim"/>.</param>
    /// <param name="dim">The dimension to join along (default 0; negative counts from the end).</param>
    /// <exception cref="ArgumentException">The list is empty, a tensor is a scalar, or the ranks or the sizes outside
    /// <paramref name="dim"/> differ; the message names the shapes.</exception>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("Cat: expected at least one tensor.", nameof(tensors));
        }

        var first = tensors[0] ?? throw new ArgumentException("Cat: tensor 0 is null.", nameof(tensors));
        if (first.Rank == 0)
        {
            throw new ArgumentException("Cat: scalars (rank 0) cannot be concatenated; use Stack or Reshape(1) first.", nameof(tensors));
        }

        int d = first.NormalizeDimFor("Cat", dim);
        var outDims = first.Shape.ToArray();
        outDims[d] = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i] ?? throw new ArgumentException($"Cat: tensor {i} is null.", nameof(tensors));
            bool ok = t.Rank == first.Rank;
            for (int k = 0; ok && k < first.Rank; k++)
            {
                ok = k == d || t.Shape.Dims[k] == first.Shape.Dims[k];
            }

            if (!ok)
            {
                throw new ArgumentException($"Cat along dimension {dim}: tensor {i} has shape {t.Shape} but tensor 0 has shape {first.Shape}; sizes must match in every other dimension.", nameof(tensors));
            }

            outDims[d] += t.Shape.Dims[d];
        }

        int outer = first.Shape.Product(0, d);
        int inner = first.Shape.Product(d + 1, first.Rank);
        var chunk = new int[tensors.Count];
        for (int i = 0; i < chunk.Length; i++)
        {
            chunk[i] = tensors[i].Shape.Dims[d] * inner;
        }

        return Concat(tensors, outer, chunk, new Shape(outDims), "Cat");
    }

    /// <summary>Stacks equally shaped tensors along a new dimension <paramref name="dim"/>, as <c>torch.stack</c>.</summary>
    /// <param name="tensors">The tensors, all of the same shape.</param>
    /// <param name="dim">Where the new dimension goes, in [-(Rank+1), Rank] (default 0).</param>
    /// <exception cref="ArgumentException">The list is empty or the shapes differ; the message names them.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is out of range.</exception>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("Stack: expected at least one tensor.", nameof(tensors));
        }

        var first = tensors[0] ?? throw new ArgumentException("Stack: tensor 0 is null.", nameof(tensors));
        int r = first.Rank;
        int d = dim < 0 ? dim + r + 1 : dim;
        if (d < 0 || d > r)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), $"Stack: dimension {dim} is out of range for stacking tensors of shape {first.Shape}; valid range is {-(r + 1)}..{r}.");
        }

        for (int i = 1; i < tensors.Count; i++)
        {
            var t = tensors[i] ?? throw new ArgumentException($"Stack: tensor {i} is null.", nameof(tensors));
            if (t.Shape != first.Shape)
            {
                throw new ArgumentException($"Stack: tensor {i} has shape {t.Shape} but tensor 0 has shape {first.Shape}; all must be equal.", nameof(tensors));
            }
        }

        var outDims = new List<int>(first.Shape.Dims);
        outDims.Insert(d, tensors.Count);
        var chunk = new int[tensors.Count];
        Array.Fill(chunk, first.Shape.Product(d, r));
        return Concat(tensors, first.Shape.Product(0, d), chunk, new Shape(outDims.ToArray()), "Stack");
    }

    /// <summary>
    /// Tiles the tensor, as <c>repeat</c>: dimension <c>i</c> of the result has size <c>shape[i] * repeats[i]</c>.
    /// With more repeats than dimensions, the shape is first padded with leading 1s.
    /// </summary>
    /// <param name="repeats">Repetitions per dimension (at least Rank values, each at least 0).</param>
    /// <exception cref="ArgumentException">Fewer repeats than dimensions, or a negative repeat.</exception>
    public Tensor Repeat(params int[] repeats)
    {
        ArgumentNullException.ThrowIfNull(repeats);
        if (repeats.Length < Rank)
        {
            throw new ArgumentException($"Repeat: {repeats.Length} repeats [{string.Join(", ", repeats)}] for a tensor of shape {Shape}; need at least one per dimension ({Rank}).", nameof(repeats));
        }

        if (Array.Exists(repeats, x => x < 0))
        {
            throw new ArgumentException($"Repeat: repeats [{string.Join(", ", repeats)}] contain a negative count (shape {Shape}).", nameof(repeats));
        }

        int k = repeats.Length;
        var padded = new int[k];
        Array.Fill(padded, 1);
        Shape.Dims.CopyTo(padded, k - Rank);
        var outDims = new int[k];
        for (int i = 0; i < k; i++)
        {
            outDims[i] = padded[i] * repeats[i];
        }

        var y = Empty(new Shape(outDims));
        Tile.Run(AsReadOnlySpan(), padded, repeats, y.Span);
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, "Repeat", [this], g =>
            {
                // View the output as [r0, s0, r1, s1, ...] and sum over the repeat axes.
                var interleaved = new int[2 * k];
                var repeatAxes = new int[k];
                for (int i = 0; i < k; i++)
                {
                    interleaved[2 * i] = repeats[i];
                    interleaved[(2 * i) + 1] = padded[i];
                    repeatAxes[i] = 2 * i;
                }

                AutogradEngine.Accumulate(this, g.Reshape(interleaved).Sum(repeatAxes).Reshape(Shape.Dims));
            });
        }

        return y;
    }

    /// <summary>
    /// The lower triangle of the last two dimensions, as <c>tril</c>: element (i, j) is kept when
    /// <c>j - i &lt;= diagonal</c> and zeroed otherwise.
    /// </summary>
    /// <param name="diagonal">Which diagonal bounds the triangle (default 0, the main one; positive is above it).</param>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions.</exception>
    public Tensor Tril(int diagonal = 0) => TriangleOp(diagonal, lower: true, "Tril");

    /// <summary>
    /// The upper triangle of the last two dimensions, as <c>triu</c>: element (i, j) is kept when
    /// <c>j - i &gt;= diagonal</c> and zeroed otherwise.
    /// </summary>
    /// <param name="diagonal">Which diagonal bounds the triangle (default 0, the main one; positive is above it).</param>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions.</exception>
    public Tensor Triu(int diagonal = 0) => TriangleOp(diagonal, lower: false, "Triu");

    private Tensor TriangleOp(int diagonal, bool lower, string name)
    {
        if (Rank < 2)
        {
            throw new ArgumentException($"{name}: needs a tensor with at least 2 dimensions; got shape {Shape}.");
        }

        int rows = Shape.Dims[^2], cols = Shape.Dims[^1];
        var y = Empty(Shape);
        Triangle.Apply(AsReadOnlySpan(), y.Span, rows, cols, diagonal, lower);
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, name, [this], g =>
            {
                var gx = Empty(Shape);
                Triangle.Apply(g.AsReadOnlySpan(), gx.Span, rows, cols, diagonal, lower);
                AutogradEngine.Accumulate(this, gx);
            });
        }

        return y;
    }

    /// <summary>Validates a permutation (negative dims allowed) and returns it normalised to 0..Rank-1.</summary>
    private int[] CheckPermutation(int[] dims)
    {
        string Describe() => $"Permute: dims [{string.Join(", ", dims)}] are not a permutation of 0..{Rank - 1} for a tensor of shape {Shape}";
        if (dims.Length != Rank)
        {
            throw new ArgumentException($"{Describe()}: got {dims.Length} dims for rank {Rank}.", nameof(dims));
        }

        var perm = new int[Rank];
        var seen = new bool[Rank];
        for (int i = 0; i < dims.Length; i++)
        {
            int d = dims[i] < 0 ? dims[i] + Rank : dims[i];
            if (d < 0 || d >= Rank)
            {
                throw new ArgumentException($"{Describe()}: dimension {dims[i]} is out of range.", nameof(dims));
            }

            if (seen[d])
            {
                throw new ArgumentException($"{Describe()}: dimension {dims[i]} is repeated.", nameof(dims));
            }

            seen[d] = true;
            perm[i] = d;
        }

        return perm;
    }

    /// <summary>Normalises a dimension index, with the op's name in the error message.</summary>
    private int NormalizeDimFor(string op, int dim)
    {
        int d = dim < 0 ? dim + Rank : dim;
        if (d < 0 || d >= Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), Rank == 0
                ? $"{op}: dimension {dim} given for a scalar (rank 0) tensor, which has no dimensions."
                : $"{op}: dimension {dim} is out of range for a tensor of shape {Shape}; valid range is {-Rank}..{Rank - 1}.");
        }

        return d;
    }

    /// <summary>Copies <paramref name="x"/> into <paramref name="y"/> under a simplified permutation, in parallel when large.</summary>
    private static void PermuteInto(Tensor x, int[] dims, int[] perm, Tensor y)
    {
        int items = Kernels.Permute.WorkItems(dims, perm);
        if (items == 0)
        {
            return;
        }

        var xb = x.Buffer;
        var yb = y.Buffer;
        int xo = x.Offset, n = x.NumElements;
        Engine.ParallelFor(items, Math.Max(1, n / items), (s, e) =>
            Kernels.Permute.Run(xb.AsSpan(xo, n), dims, perm, yb.AsSpan(0, n), s, e));
    }

    /// <summary>
    /// Indices [start, start + length) along dimension <paramref name="d"/> (already validated), reshaped to
    /// <paramref name="outShape"/>: a view when nothing precedes the slice in memory order, else a copy.
    /// </summary>
    private Tensor SliceAlong(int d, int start, int length, Shape outShape, string name)
    {
        int outer = Shape.Product(0, d);
        int inner = Shape.Product(d + 1, Rank);
        int size = Shape.Dims[d];
        int block = length * inner;
        Tensor y;
        if (outer == 1)
        {
            y = new Tensor(Buffer, Offset + (start * inner), outShape);
        }
        else
        {
            y = Empty(outShape);
            var src = AsReadOnlySpan();
            var dst = y.Span;
            for (int o = 0; o < outer; o++)
            {
                src.Slice((((o * size) + start) * inner), block).CopyTo(dst.Slice(o * block, block));
            }
        }

        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, name, [this], g =>
            {
                var gx = Empty(Shape);
                var gs = g.AsReadOnlySpan();
                var dst = gx.Span;
                for (int o = 0; o < outer; o++)
                {
                    gs.Slice(o * block, block).CopyTo(dst.Slice(((o * size) + start) * inner, block));
                }

                AutogradEngine.Accumulate(this, gx);
            });
        }

        return y;
    }

    /// <summary>
    /// Joins tensors viewed as [outer, chunk[i]] along their second axis into <paramref name="outShape"/>
    /// (Cat and Stack). Backward hands each input its columns of the gradient.
    /// </summary>
    private static Tensor Concat(IReadOnlyList<Tensor> tensors, int outer, int[] chunk, Shape outShape, string name)
    {
        int n = tensors.Count;
        var prefix = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            prefix[i + 1] = prefix[i] + chunk[i];
        }

        int row = prefix[n];
        var y = Empty(outShape);
        var dst = y.Span;
        for (int i = 0; i < n; i++)
        {
            var src = tensors[i].AsReadOnlySpan();
            int c = chunk[i];
            for (int o = 0; o < outer; o++)
            {
                src.Slice(o * c, c).CopyTo(dst.Slice((o * row) + prefix[i], c));
            }
        }

        var inputs = tensors.ToArray();
        if (AutogradEngine.NeedsGrad(inputs))
        {
            AutogradEngine.Record(y, name, inputs, g =>
            {
                for (int i = 0; i < n; i++)
                {
                    var t = inputs[i];
                    if (!t.RequiresGrad)
                    {
                        continue;
                    }

                    int c = chunk[i];
                    if (outer == 1)
                    {
                        // The input's gradient is one contiguous run of g: share it instead of copying.
                        AutogradEngine.Accumulate(t, new Tensor(g.Buffer, g.Offset + prefix[i], t.Shape));
                        continue;
                    }

                    var gt = Empty(t.Shape);
                    var gs = g.AsReadOnlySpan();
                    var gd = gt.Span;
                    for (int o = 0; o < outer; o++)
                    {
                        gs.Slice((o * row) + prefix[i], c).CopyTo(gd.Slice(o * c, c));
                    }

                    AutogradEngine.Accumulate(t, gt);
                }
            });
        }

        return y;
    }
}
