namespace ParamGen.Tensors;

// Owner: sequence ops.
public partial class Tensor
{
    /// <summary>
    /// The <paramref name="k"/> largest (or smallest) values along <paramref name="dim"/>, sorted, and their indices,
    /// as <c>topk</c>. Ties keep the lower index first. Gradient flows to the selected elements.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> exceeds the dimension's size.</exception>
    public (Tensor Values, Tensor Indices) TopK(int k, int dim = -1, bool largest = true) => throw new NotImplementedException();
}
