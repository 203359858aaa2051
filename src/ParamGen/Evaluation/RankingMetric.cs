namespace ParamGen.Evaluation;

/// <summary>
/// A metric of one example computed from the rank of its target (0 = first), averaged over examples. Each example
/// has a single relevant item, its held-out target.
/// </summary>
public abstract class RankingMetric
{
    /// <summary>Creates the metric at a cut-off.</summary>
    /// <param name="k">The cut-off K, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    protected RankingMetric(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        K = k;
    }

    /// <summary>The cut-off K: a target at rank K or lower scores 0.</summary>
    public int K { get; }

    /// <summary>The metric's short name, e.g. <c>NDCG</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The name with the cut-off, e.g. <c>NDCG@10</c> (the key in <see cref="EvaluationResult.Overall"/>).</summary>
    public string Key => $"{Name}@{K}";

    /// <summary>The metrics reported by <see cref="Evaluator"/> for each cut-off: HR, NDCG, MRR and Recall, grouped by metric.</summary>
    /// <param name="ks">Cut-offs, each at least 1 (duplicates are dropped, the rest sorted).</param>
    /// <returns>One metric per (kind, K).</returns>
    public static IReadOnlyList<RankingMetric> Standard(IEnumerable<int> ks)
    {
        ArgumentNullException.ThrowIfNull(ks);
        var sorted = ks.Distinct().Order().ToArray();
        return [.. sorted.Select(k => (RankingMetric)new HitRate(k)), .. sorted.Select(k => new Ndcg(k)),
            .. sorted.Select(k => new Mrr(k)), .. sorted.Select(k => new Recall(k))];
    }

    /// <summary>The value for a target at a given rank.</summary>
    /// <param name="rank">The 0-based rank (the number of candidates placed before the target).</param>
    /// <returns>The metric's value; 0 when <paramref name="rank"/> is K or more.</returns>
    public abstract double Gain(int rank);

    /// <summary>The value for a target with <paramref name="higher"/> candidates scoring above it and <paramref name="ties"/> others scoring equal.</summary>
    /// <param name="higher">Candidates scoring strictly higher than the target.</param>
    /// <param name="ties">Other candidates scoring exactly the target's score.</param>
    /// <param name="tieBreaking">Where the target lands among its ties.</param>
    /// <returns><see cref="Gain"/> at rank <c>higher + ties</c> (pessimistic), or its mean over ranks <c>higher .. higher + ties</c> (expected).</returns>
    public double Value(int higher, int ties, TieBreaking tieBreaking)
    {
        if (tieBreaking == TieBreaking.Pessimistic || ties == 0)
        {
            return Gain((int)Math.Min((long)higher + ties, int.MaxValue));
        }

        // Ranks past K contribute 0, so at most K terms are summed whatever the number of ties.
        double sum = 0;
        for (long rank = higher, last = Math.Min((long)higher + ties, K - 1); rank <= last; rank++)
        {
            sum += Gain((int)rank);
        }

        return sum / (ties + 1.0);
    }
}
