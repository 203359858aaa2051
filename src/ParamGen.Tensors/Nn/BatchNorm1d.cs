namespace ParamGen.Tensors.Nn;

/// <summary>
/// Batch normalisation of <c>[N, C]</c> or <c>[N, C, L]</c> inputs over every dim but the channel, as
/// <c>torch.nn.BatchNorm1d</c>. State keys: <c>weight</c>, <c>bias</c> (ones and zeros at initialisation) and the
/// buffers <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c> (stored as float32).
/// </summary>
/// <remarks>In training mode the batch statistics normalise the input and the running statistics are updated
/// (with the unbiased batch variance); in evaluation mode the running statistics are used.</remarks>
public sealed class BatchNorm1d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    /// <param name="numFeatures">The number of channels C.</param>
    /// <param name="eps">Added to the variance for stability (default 1e-5).</param>
    /// <param name="momentum">Weight of the current batch in the running statistics (default 0.1); null keeps a
    /// cumulative average (weight 1/<c>num_batches_tracked</c>), as PyTorch's <c>momentum=None</c>.</param>
    /// <param name="affine">Whether to learn a per-channel scale and shift (default true).</param>
    /// <param name="trackRunningStats">Whether to keep running statistics (default true); without them batch
    /// statistics are used in both modes and the buffers are absent.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numFeatures"/> is not positive, or eps/momentum are out of range.</exception>
    public BatchNorm1d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numFeatures, 1);
        if (!(eps >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), $"BatchNorm1d eps must be non-negative; got {eps}.");
        }

        if (momentum is float m && !(m >= 0 && m <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), $"BatchNorm1d momentum must lie in [0, 1]; got {m}.");
        }

        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Weight = RegisterParameter("weight", affine ? new Parameter(Tensor.Ones(numFeatures)) : null);
        Bias = RegisterParameter("bias", affine ? new Parameter(Tensor.Zeros(numFeatures)) : null);
        RunningMean = RegisterBuffer("running_mean", trackRunningStats ? Tensor.Zeros(numFeatures) : null);
        RunningVar = RegisterBuffer("running_var", trackRunningStats ? Tensor.Ones(numFeatures) : null);
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", trackRunningStats ? Tensor.Scalar(0f) : null);
    }

    /// <summary>True: in training mode the batch's own statistics normalise the input.</summary>
    public override bool UsesBatchStatistics => true;

    /// <summary>The number of channels.</summary>
    public int NumFeatures { get; }

    /// <summary>The stabilising constant added to the variance.</summary>
    public float Eps { get; }

    /// <summary>The running-statistics momentum, or null for a cumulative average.</summary>
    public float? Momentum { get; }

    /// <summary>The per-channel scale, or null without an affine part.</summary>
    public Parameter? Weight { get; }

    /// <summary>The per-channel shift, or null without an affine part.</summary>
    public Parameter? Bias { get; }

    /// <summary>The running mean <c>[C]</c>, or null when statistics are not tracked.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>The running (unbiased) variance <c>[C]</c>, or null when statistics are not tracked.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>The number of training batches seen (a rank-0 tensor), or null when statistics are not tracked.</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <summary>Normalises <paramref name="input"/> <c>[N, C]</c> or <c>[N, C, L]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not rank 2 or 3, has the wrong channel count, or (in training)
    /// has a single value per channel. Nothing is updated when this is thrown.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if ((input.Rank != 2 && input.Rank != 3) || input.Shape[1] != NumFeatures)
        {
            throw new ArgumentException($"BatchNorm1d({NumFeatures}) expects input [N, {NumFeatures}] or [N, {NumFeatures}, L]; got {input.Shape}.", nameof(input));
        }

        bool useBatchStats = Training || RunningMean is null;
        if (useBatchStats && input.NumElements / NumFeatures <= 1)
        {
            throw new ArgumentException($"BatchNorm1d expected more than 1 value per channel when training; got input {input.Shape}.", nameof(input));
        }

        float factor = Momentum ?? 0f;
        if (Training && NumBatchesTracked is not null)
        {
            NumBatchesTracked.Span[0] += 1f;
            factor = Momentum ?? (1f / NumBatchesTracked.Span[0]);
        }

        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, useBatchStats, factor, Eps);
    }
}
