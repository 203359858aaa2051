namespace ParamGen.Evaluation;

/// <summary>
/// Where the target lands among items that score exactly as high as it does. Real models rarely tie in float32,
/// but a degenerate one (constant scores, an untrained model with zeroed embeddings) ties everywhere, and counting
/// ties in its favour would give it a perfect score.
/// </summary>
public enum TieBreaking
{
    /// <summary>
    /// Behind every tied item: rank = (items scoring strictly higher) + (other items scoring equal). A constant
    /// model ranks last. The default.
    /// </summary>
    Pessimistic,

    /// <summary>
    /// The expectation under a uniformly random order of the tied items: with h items strictly higher and e others
    /// equal, the target is at each rank h .. h + e with probability 1 / (e + 1), and every metric is the mean of
    /// its values over those ranks (a constant model scores as a random ranking does).
    /// </summary>
    Expected,
}
