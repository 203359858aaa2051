namespace ParamGen.Data;

/// <summary>
/// What a synthetic dataset realised, overall and per domain (see <see cref="SyntheticDomainStatistics"/>).
/// Shares are rounded to 4 decimals.
/// </summary>
public sealed record SyntheticStatistics
{
    /// <summary>The interaction count under which <see cref="ColdItems"/> counts an item: 10.</summary>
    public const int ColdThreshold = 10;

    /// <summary>Number of users.</summary>
    public int Users { get; init; }

    /// <summary>Number of items in the catalogue (including any never interacted with).</summary>
    public int Items { get; init; }

    /// <summary>Number of interactions.</summary>
    public int Interactions { get; init; }

    /// <summary>Mean sequence length.</summary>
    public double MeanLength { get; init; }

    /// <summary>Number of ground-truth semantic ids (clusters x sub-clusters).</summary>
    public int SemanticIds { get; init; }

    /// <summary>Items with no interaction (they are still in the <c>.item</c> file).</summary>
    public int ItemsWithoutInteractions { get; init; }

    /// <summary>Items with fewer than <see cref="ColdThreshold"/> interactions: the long tail where sharing
    /// parameters through semantic ids pays most.</summary>
    public int ColdItems { get; init; }

    /// <summary>Share of items whose category is their cluster's primary category.</summary>
    public double PrimaryCategoryShare { get; init; }

    /// <summary>Per-domain statistics, in domain id order.</summary>
    public required IReadOnlyList<SyntheticDomainStatistics> Domains { get; init; }
}
