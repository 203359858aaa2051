namespace ParamGen.Evaluation;

/// <summary>
/// Recall: <c>Recall@K = |relevant ∩ top K| / |relevant|</c>, averaged over examples. Each example has one
/// relevant item (its target), so <c>Recall@K = 1 if rank &lt; K else 0</c>, the same number as <see cref="HitRate"/>;
/// it is reported under its own name because papers use both.
/// </summary>
/// <param name="k">The cut-off K, at least 1.</param>
public sealed class Recall(int k) : RankingMetric(k)
{
    /// <inheritdoc/>
    public override string Name => "Recall";

    /// <inheritdoc/>
    public override double Gain(int rank) => rank < K ? 1.0 : 0.0;
}
