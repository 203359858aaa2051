namespace ParamGen.Data;

/// <summary>
/// Settings of <see cref="SampledEvaluationNegatives"/>: how many negatives each user gets, from which seed, and
/// how they are weighted.
/// </summary>
public sealed record SampledEvaluationOptions
{
    /// <summary>Negatives per user (default 100, the protocol of SASRec and most papers that use it). At least 1.</summary>
    public int Count { get; init; } = 100;

    /// <summary>
    /// The seed (default 0). A fixed default on purpose: every model evaluated on a dataset should be ranked
    /// against the same negatives. User u's negatives depend only on (seed, u, the dataset, the other options).
    /// </summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Exponent on item interaction counts (default 0: uniform over the catalogue, as SASRec; 1: proportional to
    /// popularity, as BERT4Rec's popularity-sampled protocol). Finite and non-negative.
    /// </summary>
    public double PopularityAlpha { get; init; }

    /// <summary>
    /// How many threads draw (default null: all cores). The negatives are the same for every value.
    /// </summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>Checks every value and throws naming the first bad one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its documented range.</exception>
    public void Validate()
    {
        if (Count < 1)
        {
            throw Bad(nameof(Count), Count, "must be at least 1");
        }

        if (!(PopularityAlpha >= 0) || double.IsInfinity(PopularityAlpha))
        {
            throw Bad(nameof(PopularityAlpha), PopularityAlpha, "must be finite and non-negative");
        }

        if (MaxDegreeOfParallelism is int threads && threads < 1)
        {
            throw Bad(nameof(MaxDegreeOfParallelism), threads, "must be at least 1 (or null for all cores)");
        }
    }

    private static ArgumentOutOfRangeException Bad(string property, object value, string rule) =>
        OptionCheck.Invalid(nameof(SampledEvaluationOptions), property, value, rule);
}
