namespace ParamGen.Tensors;

public static partial class Functional
{
    /// <summary>
    /// Batch normalisation with separate statistics per group of samples (domain-specific or "partitioned"
    /// normalisation), channels last, no affine part: each row of <paramref name="input"/> is normalised with the
    /// mean and (biased) variance of the included rows of its sample's group, over every position and sample of that
    /// group, per channel.
    /// </summary>
    /// <remarks>
    /// <para>In training, each group's statistics come from its included rows in the batch, and when running
    /// statistics are given they are updated in place for the groups present: running = (1 - momentum) * running +
    /// momentum * batch, with the unbiased variance (as <c>F.batch_norm</c>). A group with fewer than two included
    /// rows is normalised with its running statistics (left unchanged), or, without them, left as it is (mean 0,
    /// variance 1). In evaluation every group uses its running statistics.</para>
    /// <para>Excluded rows (padding) are normalised with their group's statistics but do not contribute to them, so
    /// they get no gradient through the statistics.</para>
    /// </remarks>
    /// <param name="input">Input <c>[B, C]</c> or <c>[B, L, C]</c>.</param>
    /// <param name="groups">Group of each sample <c>[B]</c>, each in [0, <paramref name="groupCount"/>).</param>
    /// <param name="groupCount">Number of groups G (at least 1).</param>
    /// <param name="runningMean">Running means <c>[G, C]</c>, or null (then also <paramref name="runningVar"/>; training only).</param>
    /// <param name="runningVar">Running variances <c>[G, C]</c>, or null together with <paramref name="runningMean"/>.</param>
    /// <param name="include">Which rows (flattened <c>[B * L]</c>, or <c>[B]</c> for rank 2) count in the statistics; empty (the default): all.</param>
    /// <param name="training">Use batch statistics and update the running ones (default false).</param>
    /// <param name="momentum">Weight of the batch statistics in the running update (default 0.1; in [0, 1]).</param>
    /// <param name="eps">Added to the variance (default 1e-5; non-negative).</param>
    /// <returns>The normalised input, same shape.</returns>
    /// <exception cref="ArgumentException">A shape, group id or mask length does not fit, only one running statistic is
    /// given, or evaluation has no running statistics; the message names the argument and shapes.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="momentum"/> or <paramref name="eps"/> is out of range.</exception>
    public static Tensor GroupBatchNorm(Tensor input, ReadOnlySpan<int> groups, int groupCount, Tensor? runningMean, Tensor? runningVar,
        ReadOnlySpan<bool> include = default, bool training = false, float momentum = 0.1f, float eps = 1e-5f)
    {
        throw new NotImplementedException("GroupBatchNorm: being written (helper A).");
    }
}
