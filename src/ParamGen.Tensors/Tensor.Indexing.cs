namespace ParamGen.Tensors;

// Owner: shape and indexing ops. Index tensors hold integer values stored as float32 (exact below 2^24).
public partial class Tensor
{
    /// <summary>
    /// Gathers values along <paramref name="dim"/>: out[i][j][k] = this[i][index[i][j][k]][k] for dim 1, as
    /// <c>torch.gather</c>. <paramref name="index"/> has this tensor's rank and holds integers.
    /// </summary>
    /// <exception cref="ArgumentException">An index is out of range or not an integer; the message names it.</exception>
    public Tensor Gather(int dim, Tensor index) => throw new NotImplementedException();

    /// <summary>Rows (or slices) along <paramref name="dim"/> picked by a 1-D integer index, as <c>index_select</c>.</summary>
    public Tensor IndexSelect(int dim, Tensor index) => throw new NotImplementedException();

    /// <summary>Adds <paramref name="source"/> into a copy of this tensor at <paramref name="index"/> along <paramref name="dim"/>, as <c>scatter_add</c>.</summary>
    public Tensor ScatterAdd(int dim, Tensor index, Tensor source) => throw new NotImplementedException();

    /// <summary>Elementwise choice: <paramref name="a"/> where <paramref name="condition"/> is non-zero, else <paramref name="b"/>, with broadcasting, as <c>torch.where</c>.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) => throw new NotImplementedException();

    /// <summary>A copy with <paramref name="value"/> wherever the broadcast <paramref name="mask"/> is non-zero, as <c>masked_fill</c>.</summary>
    public Tensor MaskedFill(Tensor mask, float value) => throw new NotImplementedException();

    /// <summary>1 where this &gt; other else 0 (broadcasting; no gradient).</summary>
    public Tensor Gt(Tensor other) => throw new NotImplementedException();

    /// <summary>1 where this &gt; value else 0 (no gradient).</summary>
    public Tensor Gt(float value) => throw new NotImplementedException();

    /// <summary>1 where this &lt; other else 0 (broadcasting; no gradient).</summary>
    public Tensor Lt(Tensor other) => throw new NotImplementedException();

    /// <summary>1 where this &lt; value else 0 (no gradient).</summary>
    public Tensor Lt(float value) => throw new NotImplementedException();

    /// <summary>1 where this == other else 0 (broadcasting; no gradient).</summary>
    public Tensor Eq(Tensor other) => throw new NotImplementedException();

    /// <summary>1 where this == value else 0 (no gradient).</summary>
    public Tensor Eq(float value) => throw new NotImplementedException();
}
