namespace ParamGen.Data;

/// <summary>
/// What one domain of a synthetic dataset realised, measured on the generated interactions (shares over the
/// domain's transitions, i.e. consecutive pairs of a user's sequence). Values are rounded to 4 decimals.
/// </summary>
/// <remarks>
/// The hit rates replay every transition (previous item -> next item) of the domain and ask whether the next item
/// is in a 10-item list ranked from the planted law (<see cref="SyntheticDataset.NextItemProbabilities"/>):
/// <list type="bullet">
/// <item><see cref="UserHitRate10"/>: ranked with the user's domain and preferred sub-cluster known (the
/// first-order ceiling of a model that reads the user from the history);</item>
/// <item><see cref="DomainHitRate10"/>: with the domain known, the user's sub-cluster preference averaged out (the ceiling of a
/// domain-aware first-order model);</item>
/// <item><see cref="PooledHitRate10"/>: with the domain unknown, the domains' laws mixed in proportion to how often
/// each domain leaves the previous item (what a domain-agnostic model converges to);</item>
/// <item><see cref="DiverseHitRate10"/>: the domain-aware law re-ranked for category coverage (the most probable
/// item of each category first, in order of probability, then the rest by probability).</item>
/// </list>
/// The gaps <c>UserHitRate10 - DomainHitRate10</c> (personalisation), <c>DomainHitRate10 - PooledHitRate10</c>
/// (domain awareness) and <c>DomainHitRate10 - DiverseHitRate10</c> against
/// <c>DiverseListCategories10 - DomainListCategories10</c> (the accuracy/diversity trade-off) are the benefits a
/// generator of per-user, per-domain or per-requirement parameters can recover.
/// </remarks>
public sealed record SyntheticDomainStatistics
{
    /// <summary>The domain's name.</summary>
    public required string Name { get; init; }

    /// <summary>Users of the domain.</summary>
    public int Users { get; init; }

    /// <summary>Interactions of the domain.</summary>
    public int Interactions { get; init; }

    /// <summary>Mean sequence length of the domain's users.</summary>
    public double MeanLength { get; init; }

    /// <summary>Transitions (consecutive pairs) of the domain: interactions minus users.</summary>
    public int Transitions { get; init; }

    /// <summary>Share of transitions whose next item is in the previous item's cluster (planted:
    /// <see cref="SyntheticDomainOptions.WithinClusterShare"/>).</summary>
    public double WithinClusterShare { get; init; }

    /// <summary>Among within-cluster transitions, the share that also stays in the sub-cluster (planted:
    /// <see cref="SyntheticOptions.SubClusterShare"/>).</summary>
    public double WithinSubClusterShare { get; init; }

    /// <summary>Among cross-cluster transitions, the share that goes to this domain's successor cluster.</summary>
    public double SuccessorShare { get; init; }

    /// <summary>Share of transitions whose next item has the previous item's category.</summary>
    public double SameCategoryShare { get; init; }

    /// <summary>The same-category share if next items were drawn independently from the domain's category
    /// frequencies (the sum of squared category shares): the baseline <see cref="SameCategoryShare"/> beats.</summary>
    public double SameCategoryShareByChance { get; init; }

    /// <summary>Gini coefficient of the domain's interaction counts over all items (0 = equal, near 1 = one item).</summary>
    public double PopularityGini { get; init; }

    /// <summary>Share of the domain's interactions that go to its 10% most frequent items.</summary>
    public double Top10PercentShare { get; init; }

    /// <summary>HR@10 of the planted law with the user's domain and preferred sub-cluster known.</summary>
    public double UserHitRate10 { get; init; }

    /// <summary>HR@10 of the planted law with the domain known and the user's preferred sub-cluster averaged out.</summary>
    public double DomainHitRate10 { get; init; }

    /// <summary>HR@10 of the domains' laws pooled (domain unknown).</summary>
    public double PooledHitRate10 { get; init; }

    /// <summary>Mean number of distinct categories in the domain-aware top-10 list.</summary>
    public double DomainListCategories10 { get; init; }

    /// <summary>HR@10 of the category-diverse re-ranking of the domain-aware law.</summary>
    public double DiverseHitRate10 { get; init; }

    /// <summary>Mean number of distinct categories in the category-diverse list.</summary>
    public double DiverseListCategories10 { get; init; }
}
