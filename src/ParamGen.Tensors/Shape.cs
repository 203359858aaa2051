using System.Collections;
using System.Text;

namespace ParamGen.Tensors;

/// <summary>
/// The immutable shape of a <see cref="Tensor"/>: its size along each dimension, outermost first
/// (row-major). A rank-0 shape (no dimensions) describes a scalar with one element.
/// </summary>
public readonly struct Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private readonly int[]? _dims;
    private readonly int _numElements;

    /// <summary>Creates a shape from its dimension sizes; every size must be non-negative.</summary>
    /// <param name="dims">The size of each dimension, outermost first.</param>
    /// <exception cref="ArgumentException">A size is negative or the element count overflows.</exception>
    public Shape(params ReadOnlySpan<int> dims)
    {
        long n = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
            {
                throw new ArgumentException($"Shape [{string.Join(", ", dims.ToArray())}] has a negative size at dimension {i}.", nameof(dims));
            }

            n *= dims[i];
            if (n > int.MaxValue)
            {
                throw new ArgumentException($"Shape [{string.Join(", ", dims.ToArray())}] has more than {int.MaxValue} elements.", nameof(dims));
            }
        }

        _dims = dims.ToArray();
        _numElements = (int)n;
    }

    /// <summary>The number of dimensions (0 for a scalar).</summary>
    public int Rank => _dims?.Length ?? 0;

    /// <summary>The total number of elements (the product of the sizes; 1 for a scalar).</summary>
    public int NumElements => _dims is null ? 1 : _numElements;

    /// <summary>The size of dimension <paramref name="dim"/>; negative values count from the end.</summary>
    public int this[int dim] => Dims[NormalizeDim(dim)];

    /// <inheritdoc />
    public int Count => Rank;

    internal int[] Dims => _dims ?? [];

    /// <summary>The sizes as a span, outermost first.</summary>
    public ReadOnlySpan<int> AsSpan() => Dims;

    /// <summary>A copy of the sizes as an array.</summary>
    public int[] ToArray() => (int[])Dims.Clone();

    /// <summary>
    /// Maps a possibly negative dimension index to 0..Rank-1, as PyTorch does (-1 is the last dimension).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [-Rank, Rank).</exception>
    public int NormalizeDim(int dim)
    {
        int r = Rank;
        int d = dim < 0 ? dim + r : dim;
        if (d < 0 || d >= r)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), $"Dimension {dim} is out of range for a tensor of shape {this} (rank {r}).");
        }

        return d;
    }

    /// <summary>The product of sizes of dimensions [from, to).</summary>
    internal int Product(int from, int to)
    {
        int p = 1;
        var d = Dims;
        for (int i = from; i < to; i++)
        {
            p *= d[i];
        }

        return p;
    }

    /// <summary>Row-major (contiguous) strides of this shape.</summary>
    internal int[] Strides()
    {
        var d = Dims;
        var s = new int[d.Length];
        int acc = 1;
        for (int i = d.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= d[i];
        }

        return s;
    }

    /// <inheritdoc />
    public bool Equals(Shape other) => Dims.AsSpan().SequenceEqual(other.Dims);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in Dims)
        {
            h.Add(d);
        }

        return h.ToHashCode();
    }

    /// <summary>Whether two shapes have the same sizes.</summary>
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);

    /// <summary>Whether two shapes differ.</summary>
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>Formats the shape as PyTorch does in error messages, e.g. <c>[2, 3]</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("[");
        var d = Dims;
        for (int i = 0; i < d.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(d[i]);
        }

        return sb.Append(']').ToString();
    }

    /// <inheritdoc />
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)Dims).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Converts an array of sizes to a shape.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <summary>
    /// The shape two operands broadcast to under NumPy/PyTorch rules (trailing dimensions aligned; a size of 1 stretches).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes are not broadcast-compatible; the message names both.</exception>
    public static Shape Broadcast(Shape a, Shape b)
    {
        int r = Math.Max(a.Rank, b.Rank);
        var outDims = new int[r];
        for (int i = 0; i < r; i++)
        {
            int da = i < r - a.Rank ? 1 : a.Dims[i - (r - a.Rank)];
            int db = i < r - b.Rank ? 1 : b.Dims[i - (r - b.Rank)];
            if (da != db && da != 1 && db != 1)
            {
                throw new ArgumentException($"Shapes {a} and {b} cannot be broadcast together (dimension {i}: {da} vs {db}).");
            }

            outDims[i] = da == 1 ? db : da;
        }

        return new Shape(outDims);
    }
}
