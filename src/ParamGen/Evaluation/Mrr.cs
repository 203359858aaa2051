namespace ParamGen.Evaluation;

/// <summary>
/// Mean reciprocal rank, truncated: <c>MRR@K = 1 / (rank + 1) if rank &lt; K else 0</c> (rank 0-based), averaged
/// over examples.
/// </summary>
/// <param name="k">The cut-off K, at least 1.</param>
public sealed class Mrr(int k) : RankingMetric(k)
{
    /// <inheritdoc/>
    public override string Name => "MRR";

    /// <inheritdoc/>
    public override double Gain(int rank) => rank < K ? 1.0 / (rank + 1.0) : 0.0;
}
