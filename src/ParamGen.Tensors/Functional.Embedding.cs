namespace ParamGen.Tensors;

// Owner: shape and indexing ops.
public static partial class Functional
{
    /// <summary>
    /// Looks up rows of <paramref name="weight"/> <c>[num, dim]</c> for integer <paramref name="indices"/> of any shape,
    /// giving <c>[*indices.shape, dim]</c>, as <c>F.embedding</c>. The row <paramref name="paddingIdx"/>, if given,
    /// receives no gradient.
    /// </summary>
    /// <exception cref="ArgumentException">An index is out of range; the message names it and the table size.</exception>
    public static Tensor Embedding(Tensor indices, Tensor weight, int? paddingIdx = null) => throw new NotImplementedException();

    /// <summary>One-hot rows <c>[*indices.shape, numClasses]</c> for integer indices (no gradient), as <c>F.one_hot</c>.</summary>
    public static Tensor OneHot(Tensor indices, int numClasses) => throw new NotImplementedException();
}
