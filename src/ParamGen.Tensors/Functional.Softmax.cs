namespace ParamGen.Tensors;

// Owner: reductions, normalisation, losses.
public static partial class Functional
{
    /// <summary>Softmax over <paramref name="dim"/>, as <c>F.softmax</c>. A row of all -inf gives zeros.</summary>
    public static Tensor Softmax(Tensor input, int dim = -1) => throw new NotImplementedException();

    /// <summary>Log-softmax over <paramref name="dim"/>, as <c>F.log_softmax</c>.</summary>
    public static Tensor LogSoftmax(Tensor input, int dim = -1) => throw new NotImplementedException();
}
