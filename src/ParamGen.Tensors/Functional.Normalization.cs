namespace ParamGen.Tensors;

// Owner: reductions, normalisation, losses.
public static partial class Functional
{
    /// <summary>
    /// Layer normalisation over the trailing <paramref name="normalizedShape"/> dims, with optional affine
    /// <paramref name="weight"/> and <paramref name="bias"/> (default eps 1e-5), as <c>F.layer_norm</c>.
    /// </summary>
    public static Tensor LayerNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
        => throw new NotImplementedException();

    /// <summary>
    /// Batch normalisation of <c>[N, C]</c> or <c>[N, C, L]</c> over all but the channel dim, as <c>F.batch_norm</c>.
    /// In training it uses batch statistics and updates <paramref name="runningMean"/>/<paramref name="runningVar"/>
    /// in place (unbiased variance, <paramref name="momentum"/> default 0.1); in evaluation it uses them.
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, float momentum = 0.1f, float eps = 1e-5f) => throw new NotImplementedException();

    /// <summary>
    /// Inverted dropout, as <c>F.dropout</c>: in training each element is zeroed with probability <paramref name="p"/>
    /// and the rest scaled by 1/(1-p); otherwise the input is returned unchanged.
    /// </summary>
    public static Tensor Dropout(Tensor input, float p = 0.5f, bool training = true, Random.Generator? generator = null)
        => throw new NotImplementedException();
}
