namespace ParamGen.Evaluation;

/// <summary>The metrics of one evaluation run, overall and per domain, with the protocol they were measured under.</summary>
public sealed record EvaluationResult
{
    /// <summary>
    /// Metric name (<c>HR@10</c>, <c>NDCG@10</c>, <c>MRR@10</c>, <c>Recall@10</c>, <c>Coverage@10</c>,
    /// <c>Diversity@10</c>) to value, over all examples; grouped by metric, then by increasing K.
    /// </summary>
    public required IReadOnlyDictionary<string, double> Overall { get; init; }

    /// <summary>
    /// The same metrics per domain name, for each domain that holds at least one example's target (empty when the
    /// dataset has a single domain). An example belongs to the domain of its target interaction.
    /// </summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> PerDomain { get; init; }

    /// <summary>The protocol used.</summary>
    public required EvaluationProtocol Protocol { get; init; }

    /// <summary>Whether history items were masked.</summary>
    public required bool MaskHistory { get; init; }

    /// <summary>Which items the targets were ranked against (default <see cref="CandidateScope.AllItems"/>).</summary>
    public CandidateScope CandidateScope { get; init; } = CandidateScope.AllItems;

    /// <summary>How ties with the target's score were ranked (default <see cref="TieBreaking.Pessimistic"/>).</summary>
    public TieBreaking Ties { get; init; } = TieBreaking.Pessimistic;

    /// <summary>Number of examples evaluated.</summary>
    public required int Examples { get; init; }

    /// <summary>Wall-clock seconds taken.</summary>
    public required double Seconds { get; init; }

    /// <summary>A metric over all examples.</summary>
    /// <param name="metric">E.g. <c>NDCG@10</c>.</param>
    /// <exception cref="KeyNotFoundException">The metric was not computed; the message lists those that were.</exception>
    public double this[string metric] => Overall.TryGetValue(metric, out double v) ? v
        : throw new KeyNotFoundException($"Metric '{metric}' was not computed; available: {string.Join(", ", Overall.Keys)}.");
}
