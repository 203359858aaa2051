namespace ParamGen.Tensors;

// Owner: reductions, normalisation, losses.
public partial class Tensor
{
    /// <summary>The maximum over <paramref name="dim"/> and its index (first occurrence), as <c>max(dim)</c>. Gradient flows to the chosen element.</summary>
    public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false) => throw new NotImplementedException();

    /// <summary>The minimum over <paramref name="dim"/> and its index, as <c>min(dim)</c>.</summary>
    public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false) => throw new NotImplementedException();

    /// <summary>The maximum of all elements (rank 0); at ties the gradient is split evenly, as PyTorch.</summary>
    public Tensor Max() => throw new NotImplementedException();

    /// <summary>The minimum of all elements (rank 0).</summary>
    public Tensor Min() => throw new NotImplementedException();

    /// <summary>Index of the maximum along <paramref name="dim"/> (no gradient).</summary>
    public Tensor ArgMax(int dim, bool keepDim = false) => throw new NotImplementedException();

    /// <summary>Index of the minimum along <paramref name="dim"/> (no gradient).</summary>
    public Tensor ArgMin(int dim, bool keepDim = false) => throw new NotImplementedException();

    /// <summary>Variance over <paramref name="dims"/>; <paramref name="unbiased"/> (default true) divides by N-1, as <c>var</c>.</summary>
    public Tensor Var(int[] dims, bool unbiased = true, bool keepDim = false) => throw new NotImplementedException();

    /// <summary>Variance over one dimension.</summary>
    public Tensor Var(int dim, bool unbiased = true, bool keepDim = false) => Var([dim], unbiased, keepDim);

    /// <summary>Standard deviation over <paramref name="dims"/>.</summary>
    public Tensor Std(int[] dims, bool unbiased = true, bool keepDim = false) => throw new NotImplementedException();

    /// <summary>log(sum(exp(x))) over <paramref name="dim"/>, computed stably, as <c>logsumexp</c>.</summary>
    public Tensor LogSumExp(int dim, bool keepDim = false) => throw new NotImplementedException();
}
