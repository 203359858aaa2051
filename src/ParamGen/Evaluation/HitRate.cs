namespace ParamGen.Evaluation;

/// <summary>
/// Hit rate: <c>HR@K = 1 if rank &lt; K else 0</c> (rank 0-based), averaged over examples: the share of examples
/// whose target is among the top K.
/// </summary>
/// <param name="k">The cut-off K, at least 1.</param>
public sealed class HitRate(int k) : RankingMetric(k)
{
    /// <inheritdoc/>
    public override string Name => "HR";

    /// <inheritdoc/>
    public override double Gain(int rank) => rank < K ? 1.0 : 0.0;
}
