namespace ParamGen.Evaluation;

/// <summary>Options of <see cref="Evaluator"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Ranking protocol. Default <see cref="EvaluationProtocol.Full"/>.</summary>
    public EvaluationProtocol Protocol { get; init; } = EvaluationProtocol.Full;

    /// <summary>
    /// Whether items already in the example's input history are excluded from the ranking (the target is never
    /// excluded). Default false; reported with every result.
    /// </summary>
    public bool MaskHistory { get; init; }

    /// <summary>The cut-offs K of every metric. Default 5, 10, 20.</summary>
    public IReadOnlyList<int> Ks { get; init; } = [5, 10, 20];

    /// <summary>Examples scored per forward pass. Default 512.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Longest history read per example. Default: the backbone's <c>MaxLength</c>.</summary>
    public int? MaxLength { get; init; }

    /// <summary>Negatives per user for <see cref="EvaluationProtocol.Sampled"/>. Default 100.</summary>
    public int SampledNegatives { get; init; } = 100;

    /// <summary>Seed of the sampled negatives (fixed per user from this seed and the user id). Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Validates the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Ks is null || Ks.Count == 0 || Ks.Any(k => k < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Ks), "EvaluationOptions.Ks must hold at least one cut-off, each at least 1.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(SampledNegatives, 1, nameof(SampledNegatives));
        if (MaxLength is int l)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(l, 1, nameof(MaxLength));
        }
    }
}
