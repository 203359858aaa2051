namespace ParamGen.Tensors;

// Owner: sequence ops.
public static partial class Functional
{
    /// <summary>
    /// Gumbel-softmax sample over <paramref name="dim"/>, as <c>F.gumbel_softmax</c>: softmax((logits + g) / tau) with
    /// Gumbel noise g from <paramref name="generator"/>. When <paramref name="hard"/>, the forward value is one-hot and the
    /// gradient is the soft sample's (straight-through).
    /// </summary>
    public static Tensor GumbelSoftmax(Tensor logits, float tau = 1f, bool hard = false, int dim = -1, Random.Generator? generator = null)
        => throw new NotImplementedException();

    /// <summary>
    /// Vector quantisation: for each row of <paramref name="input"/> <c>[N, d]</c> the nearest row (squared Euclidean) of
    /// <paramref name="codebook"/> <c>[K, d]</c>.
    /// </summary>
    /// <returns>
    /// <c>Quantized</c>: the codewords in the forward pass with the straight-through gradient to <paramref name="input"/>
    /// (x + sg(q - x)); <c>Codewords</c>: the same values with the gradient to <paramref name="codebook"/> (for codebook and
    /// commitment losses); <c>Indices</c> <c>[N]</c>.
    /// </returns>
    public static (Tensor Quantized, Tensor Codewords, Tensor Indices) NearestCodeword(Tensor input, Tensor codebook)
        => throw new NotImplementedException();
}
