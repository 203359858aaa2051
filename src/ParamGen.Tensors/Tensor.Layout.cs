namespace ParamGen.Tensors;

// Owner: shape and indexing ops. Stubs define the public API; implementations replace the bodies.
public partial class Tensor
{
    /// <summary>Reorders dimensions (a copy, since storage is contiguous), as <c>permute</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="dims"/> is not a permutation of 0..Rank-1.</exception>
    public Tensor Permute(params int[] dims) => throw new NotImplementedException();

    /// <summary>Swaps two dimensions (a copy), as <c>transpose</c>.</summary>
    public Tensor Transpose(int dim0, int dim1) => throw new NotImplementedException();

    /// <summary>The elements [start, start+length) along <paramref name="dim"/>, as <c>narrow</c>. A view when dim is 0.</summary>
    public Tensor Narrow(int dim, int start, int length) => throw new NotImplementedException();

    /// <summary>The slice at <paramref name="index"/> along <paramref name="dim"/>, with that dimension removed, as <c>select</c>.</summary>
    public Tensor Select(int dim, int index) => throw new NotImplementedException();

    /// <summary>Splits into pieces of <paramref name="splitSize"/> along <paramref name="dim"/> (the last may be smaller), as <c>split</c>.</summary>
    public Tensor[] Split(int splitSize, int dim = 0) => throw new NotImplementedException();

    /// <summary>Splits into <paramref name="chunks"/> nearly equal pieces along <paramref name="dim"/>, as <c>chunk</c>.</summary>
    public Tensor[] Chunk(int chunks, int dim = 0) => throw new NotImplementedException();

    /// <summary>Concatenates tensors along <paramref name="dim"/>, as <c>torch.cat</c>.</summary>
    /// <exception cref="ArgumentException">The list is empty or the shapes differ outside <paramref name="dim"/>.</exception>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0) => throw new NotImplementedException();

    /// <summary>Stacks equally shaped tensors along a new dimension <paramref name="dim"/>, as <c>torch.stack</c>.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0) => throw new NotImplementedException();

    /// <summary>Tiles the tensor, as <c>repeat</c>.</summary>
    public Tensor Repeat(params int[] repeats) => throw new NotImplementedException();

    /// <summary>The lower triangle of the last two dimensions (elements above diagonal <paramref name="diagonal"/> zeroed), as <c>tril</c>.</summary>
    public Tensor Tril(int diagonal = 0) => throw new NotImplementedException();

    /// <summary>The upper triangle of the last two dimensions, as <c>triu</c>.</summary>
    public Tensor Triu(int diagonal = 0) => throw new NotImplementedException();
}
