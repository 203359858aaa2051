namespace ParamGen.Evaluation;

/// <summary>
/// Normalised discounted cumulative gain with one relevant item: <c>NDCG@K = 1 / log2(rank + 2) if rank &lt; K
/// else 0</c> (rank 0-based; the ideal DCG is 1), averaged over examples.
/// </summary>
/// <param name="k">The cut-off K, at least 1.</param>
public sealed class Ndcg(int k) : RankingMetric(k)
{
    /// <inheritdoc/>
    public override string Name => "NDCG";

    /// <inheritdoc/>
    public override double Gain(int rank) => rank < K ? 1.0 / Math.Log2(rank + 2.0) : 0.0;
}
