namespace ParamGen.Data;

/// <summary>
/// The dynamics of one domain of a synthetic dataset (see <see cref="SyntheticOptions.Domains"/>). All domains
/// share the items, clusters and categories; they differ in how users move between them.
/// </summary>
/// <param name="Name">The domain's name, written to the <c>domain:token</c> column; must be non-empty and free of
/// whitespace.</param>
public sealed record SyntheticDomainOptions(string Name)
{
    /// <summary>
    /// The probability that a user's next item stays in the cluster of the current item (default 0.7), in [0, 1].
    /// The generator realises it exactly in expectation, so the share of within-cluster transitions in the data
    /// measures it.
    /// </summary>
    public double WithinClusterShare { get; init; } = 0.7;

    /// <summary>
    /// The Zipf exponent of item popularity in this domain (default 1.0), in [0, 5]: an item of rank r in the
    /// domain's own random ordering of the catalogue has weight <c>r^-ZipfExponent</c>, and an item is picked
    /// within its (cluster, sub-cluster) group in proportion to its weight. 0 means uniform.
    /// </summary>
    public double ZipfExponent { get; init; } = 1.0;

    /// <summary>
    /// The mean number of interactions of a user of this domain (default 15). Lengths are
    /// <see cref="SyntheticOptions.MinLength"/> plus a geometric variable, redrawn when they exceed
    /// <see cref="SyntheticOptions.MaxLength"/>, so the realised mean is slightly lower when the cap bites.
    /// Must lie in [MinLength, MaxLength].
    /// </summary>
    public double MeanLength { get; init; } = 15;

    /// <summary>The relative share of users that belong to this domain (default 1, i.e. equal shares); must be
    /// finite and greater than 0.</summary>
    public double UserShare { get; init; } = 1;
}
