using ParamGen.Data;

namespace ParamGen.Evaluation;

/// <summary>Options of <see cref="Evaluator"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Ranking protocol. Default <see cref="EvaluationProtocol.Full"/>.</summary>
    public EvaluationProtocol Protocol { get; init; } = EvaluationProtocol.Full;

    /// <summary>
    /// Whether items already in the example's input history are excluded from the ranking (the target is never
    /// excluded). Default false; reported with every result. The whole input history is masked, not only the part
    /// that fits the model's window. Under <see cref="EvaluationProtocol.Sampled"/> it changes nothing: the sampled
    /// negatives already avoid every item of the user.
    /// </summary>
    public bool MaskHistory { get; init; }

    /// <summary>
    /// Which items each example's target is ranked against on multi-domain data. Default
    /// <see cref="CandidateScope.AllItems"/>; reported with every result. With <see cref="CandidateScope.UserDomain"/>
    /// only the items of the target interaction's domain are candidates (full ranking and top-K lists), and
    /// <c>Coverage@K</c> per domain is the share of that domain's items. Under <see cref="EvaluationProtocol.Sampled"/>
    /// the user's fixed negatives stay the same for every model and those outside the target's domain are dropped: the
    /// target is ranked against the in-domain part of them (about <see cref="SampledNegatives"/> times the domain's
    /// share of the catalogue; raise <see cref="SampledNegatives"/> to keep more). A dataset with one domain ranks
    /// every item either way.
    /// </summary>
    public CandidateScope CandidateScope { get; init; } = CandidateScope.AllItems;

    /// <summary>The cut-offs K of every metric. Default 5, 10, 20.</summary>
    public IReadOnlyList<int> Ks { get; init; } = [5, 10, 20];

    /// <summary>How ties with the target's score are ranked. Default <see cref="TieBreaking.Pessimistic"/>; reported with every result.</summary>
    public TieBreaking Ties { get; init; } = TieBreaking.Pessimistic;

    /// <summary>
    /// Whether to compute the list metrics, <c>Coverage@K</c> and (when the dataset has item categories)
    /// <c>Diversity@K</c>, which need each example's top-K list rather than only the target's rank. Default true.
    /// Only under <see cref="EvaluationProtocol.Full"/> (a list drawn from 101 sampled candidates says nothing about
    /// the catalogue).
    /// </summary>
    public bool ListMetrics { get; init; } = true;

    /// <summary>Examples scored per forward pass. Default 512.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Longest history read per example. Default: the backbone's <c>MaxLength</c>.</summary>
    public int? MaxLength { get; init; }

    /// <summary>Negatives per user for <see cref="EvaluationProtocol.Sampled"/>. Default 100.</summary>
    public int SampledNegatives { get; init; } = 100;

    /// <summary>Seed of the sampled negatives (fixed per user from this seed and the user id). Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Negatives drawn beforehand for <see cref="EvaluationProtocol.Sampled"/> (e.g. once for every validation run
    /// of a training), or null (the default) to draw them from the evaluated dataset with
    /// <see cref="SampledNegatives"/> and <see cref="Seed"/> on every call. When given, they must have been drawn
    /// from that dataset and <see cref="SampledNegatives"/> and <see cref="Seed"/> are not used.
    /// </summary>
    public SampledEvaluationNegatives? Negatives { get; init; }

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

        if (!Enum.IsDefined(Protocol))
        {
            throw new ArgumentOutOfRangeException(nameof(Protocol), Protocol, "EvaluationOptions.Protocol is not a defined protocol.");
        }

        if (!Enum.IsDefined(CandidateScope))
        {
            throw new ArgumentOutOfRangeException(nameof(CandidateScope), CandidateScope, "EvaluationOptions.CandidateScope is not a defined scope.");
        }

        if (!Enum.IsDefined(Ties))
        {
            throw new ArgumentOutOfRangeException(nameof(Ties), Ties, "EvaluationOptions.Ties is not a defined tie-breaking rule.");
        }
    }
}
