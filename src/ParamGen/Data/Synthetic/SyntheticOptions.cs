namespace ParamGen.Data;

/// <summary>
/// What <see cref="SyntheticDataGenerator"/> plants: items in latent clusters and sub-clusters (the ground-truth
/// two-level semantic id), one category per item that mostly follows its cluster, users in domains whose
/// transition dynamics, popularity skew and sequence lengths differ, and a per-user preferred sub-cluster (tier).
/// The defaults give about 3,000 users, 600 items and 45,000 interactions in three domains.
/// </summary>
/// <remarks>
/// <para>How a user's sequence is drawn. Each user belongs to one domain d and prefers one sub-cluster index t
/// (a "tier"). The first item's cluster is uniform and its sub-cluster is chosen as when entering a cluster (see
/// below). After an item of cluster c, sub-cluster s:</para>
/// <list type="number">
/// <item>with probability <see cref="SyntheticDomainOptions.WithinClusterShare"/> of d the next item stays in c:
/// it stays in s with probability <see cref="SubClusterShare"/>, otherwise it moves to another sub-cluster of c,
/// which is t with probability <see cref="PreferredSubClusterShare"/> (when t is not s) and else uniform;</item>
/// <item>otherwise it leaves c: with probability <see cref="SuccessorShare"/> to the successor of c in domain d
/// (each domain has its own random cycle through the clusters), else to a uniformly chosen other cluster; the
/// sub-cluster there is t with probability <see cref="PreferredSubClusterShare"/> and else uniform.</item>
/// </list>
/// <para>Within the chosen (cluster, sub-cluster) group, the item is drawn in proportion to its popularity weight
/// in d, never repeating the current item. So the next item depends on the current item only through its
/// semantic id (and on the domain and the user's tier), which a semantic-id model can exploit.</para>
/// <para>Validation happens in <see cref="Validate"/>, which <see cref="SyntheticDataGenerator.Generate"/> calls
/// before doing any work.</para>
/// </remarks>
public sealed record SyntheticOptions
{
    /// <summary>The seed of every random choice (default 42). The same options give byte-identical data.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>A name for the dataset and the stem of the files <see cref="SyntheticDataset.WriteFiles"/> writes
    /// (default <c>synthetic</c>); a file name without directory separators.</summary>
    public string Name { get; init; } = "synthetic";

    /// <summary>Number of users (default 3,000), at least 1. User tokens are <c>u1</c>, <c>u2</c>, ...</summary>
    public int Users { get; init; } = 3000;

    /// <summary>Number of items (default 600), at least <c>2 * Clusters * SubClusters</c> and at most 2^24.
    /// Item tokens are <c>i1</c>, <c>i2</c>, ...; item id k is token <c>ik</c> in the generated dataset.</summary>
    public int Items { get; init; } = 600;

    /// <summary>Number of latent clusters, the first level of the semantic id (default 20), at least 2.</summary>
    public int Clusters { get; init; } = 20;

    /// <summary>Sub-clusters per cluster, the second level of the semantic id (default 3), at least 1. Items are
    /// split as evenly as possible over the <c>Clusters * SubClusters</c> groups.</summary>
    public int SubClusters { get; init; } = 3;

    /// <summary>When the next item stays in the current cluster, the probability that it also stays in the
    /// current sub-cluster (default 0.6), in [0, 1]; ignored when <see cref="SubClusters"/> is 1.</summary>
    public double SubClusterShare { get; init; } = 0.6;

    /// <summary>Number of item categories (default 8), at least 2. Categories are coarser than clusters and not
    /// identical to them: several clusters share a primary category.</summary>
    public int Categories { get; init; } = 8;

    /// <summary>The share of a cluster's items in the cluster's primary category (default 0.75), in [0, 1].
    /// Cluster c's primary category is category <c>((c - 1) mod Categories) + 1</c> after a random relabelling
    /// of the categories.</summary>
    public double PrimaryCategoryShare { get; init; } = 0.75;

    /// <summary>The share of a cluster's items in its secondary category, a random category other than the
    /// primary (default 0.2). The rest of the items get a random third category. <c>PrimaryCategoryShare +
    /// SecondaryCategoryShare</c> must not exceed 1.</summary>
    public double SecondaryCategoryShare { get; init; } = 0.2;

    /// <summary>When a user leaves a cluster, the probability of going to the
    /// domain's successor cluster rather than a uniformly chosen other cluster (default 0.6), in [0, 1].</summary>
    public double SuccessorShare { get; init; } = 0.6;

    /// <summary>
    /// The user-level taste (default 0.6), in [0, 1]. Sub-cluster index s means the same "tier" in every cluster
    /// (think price band or style), and each user prefers one tier, drawn uniformly. Whenever the next item changes
    /// sub-cluster (a move inside the cluster, or entering another cluster), it goes to the user's preferred tier
    /// with this probability (inside the cluster only when that is not the current sub-cluster), else uniformly.
    /// Averaged over users the law is the same as without taste; only the history reveals a user's tier. Has no
    /// effect when <see cref="SubClusters"/> is 1.
    /// </summary>
    public double PreferredSubClusterShare { get; init; } = 0.8;

    /// <summary>The shortest sequence (default 5), at least 2.</summary>
    public int MinLength { get; init; } = 5;

    /// <summary>The longest sequence (default 50), at least <see cref="MinLength"/>.</summary>
    public int MaxLength { get; init; } = 50;

    /// <summary>
    /// The domains (default three: <c>d0</c> with within-cluster share 0.8, Zipf exponent 1.1 and mean length 10;
    /// <c>d1</c> with 0.65, 0.75 and 15; <c>d2</c> with 0.5, 0.4 and 20; equal user shares). At least one, with
    /// distinct names. Each user belongs to one domain; all of a user's interactions carry it.
    /// </summary>
    public IReadOnlyList<SyntheticDomainOptions> Domains { get; init; } =
    [
        new("d0") { WithinClusterShare = 0.8, ZipfExponent = 1.1, MeanLength = 10 },
        new("d1") { WithinClusterShare = 0.65, ZipfExponent = 0.75, MeanLength = 15 },
        new("d2") { WithinClusterShare = 0.5, ZipfExponent = 0.4, MeanLength = 20 },
    ];

    /// <summary>Whether interactions carry a rating in 1..5 (default false). Ratings are drawn from a separate
    /// random stream (item quality, user bias and noise), so switching them on leaves the sequences unchanged;
    /// they carry none of the planted structure.</summary>
    public bool IncludeRatings { get; init; }

    /// <summary>The earliest first timestamp, in Unix seconds (default 1,600,000,000, September 2020), at least 0.</summary>
    public long StartTimestamp { get; init; } = 1_600_000_000;

    /// <summary>Users start uniformly within this many seconds after <see cref="StartTimestamp"/> (default one
    /// year, 31,536,000), at least 0.</summary>
    public long StartWindowSeconds { get; init; } = 365L * 24 * 3600;

    /// <summary>The mean gap between a user's consecutive interactions in seconds (default one day, 86,400), at
    /// least 0. Gaps are 1 + an exponential variable rounded down, so timestamps strictly increase per user.</summary>
    public double MeanGapSeconds { get; init; } = 24 * 3600;

    /// <summary>Checks every value and throws naming the first bad one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its documented range.</exception>
    /// <exception cref="ArgumentException">Values are inconsistent with each other, or a domain is invalid.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || Name.Contains('/', StringComparison.Ordinal) || Name.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"SyntheticOptions.Name = '{Name}' is invalid: it is the file stem, so it must be a non-empty file name without directory separators.", nameof(Name));
        }

        CheckRange(nameof(Users), Users, 1, int.MaxValue);
        CheckRange(nameof(Clusters), Clusters, 2, int.MaxValue);
        CheckRange(nameof(SubClusters), SubClusters, 1, int.MaxValue);
        CheckRange(nameof(Categories), Categories, 2, int.MaxValue);
        CheckRange(nameof(Items), Items, 1, 1 << 24);
        if ((long)Items < 2L * Clusters * SubClusters)
        {
            throw new ArgumentException($"SyntheticOptions.Items = {Items} is too small: {Clusters} clusters x {SubClusters} sub-clusters need at least {2L * Clusters * SubClusters} items (two per group).", nameof(Items));
        }

        CheckProbability(nameof(SubClusterShare), SubClusterShare);
        CheckProbability(nameof(PrimaryCategoryShare), PrimaryCategoryShare);
        CheckProbability(nameof(SecondaryCategoryShare), SecondaryCategoryShare);
        if (PrimaryCategoryShare + SecondaryCategoryShare > 1 + 1e-12)
        {
            throw new ArgumentException($"SyntheticOptions: PrimaryCategoryShare ({PrimaryCategoryShare}) + SecondaryCategoryShare ({SecondaryCategoryShare}) exceeds 1.", nameof(SecondaryCategoryShare));
        }

        CheckProbability(nameof(SuccessorShare), SuccessorShare);
        CheckProbability(nameof(PreferredSubClusterShare), PreferredSubClusterShare);
        CheckRange(nameof(MinLength), MinLength, 2, int.MaxValue);
        CheckRange(nameof(MaxLength), MaxLength, MinLength, int.MaxValue);
        if ((long)Users * MaxLength > Array.MaxLength)
        {
            throw new ArgumentException($"SyntheticOptions: Users ({Users}) x MaxLength ({MaxLength}) may exceed the largest array ({Array.MaxLength:N0} interactions).", nameof(Users));
        }

        if (StartTimestamp < 0)
        {
            throw Bad(nameof(StartTimestamp), StartTimestamp, "must be at least 0");
        }

        if (StartWindowSeconds < 0)
        {
            throw Bad(nameof(StartWindowSeconds), StartWindowSeconds, "must be at least 0");
        }

        if (!(MeanGapSeconds >= 0) || double.IsInfinity(MeanGapSeconds))
        {
            throw Bad(nameof(MeanGapSeconds), MeanGapSeconds, "must be finite and at least 0");
        }

        ValidateDomains();
    }

    private void ValidateDomains()
    {
        if (Domains is null || Domains.Count == 0)
        {
            throw new ArgumentException("SyntheticOptions.Domains must hold at least one domain.", nameof(Domains));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int d = 0; d < Domains.Count; d++)
        {
            var domain = Domains[d] ?? throw new ArgumentException($"SyntheticOptions.Domains[{d}] is null.", nameof(Domains));
            string where = $"SyntheticOptions.Domains[{d}] ('{domain.Name}')";
            if (string.IsNullOrEmpty(domain.Name) || domain.Name.Any(char.IsWhiteSpace) || domain.Name == Vocabulary.PaddingToken)
            {
                throw new ArgumentException($"{where}: the name must be non-empty, free of whitespace and not '{Vocabulary.PaddingToken}'.", nameof(Domains));
            }

            if (!names.Add(domain.Name))
            {
                throw new ArgumentException($"{where}: the name appears twice.", nameof(Domains));
            }

            if (!(domain.WithinClusterShare is >= 0 and <= 1))
            {
                throw new ArgumentException($"{where}: WithinClusterShare = {domain.WithinClusterShare} must lie in [0, 1].", nameof(Domains));
            }

            if (!(domain.ZipfExponent is >= 0 and <= 5))
            {
                throw new ArgumentException($"{where}: ZipfExponent = {domain.ZipfExponent} must lie in [0, 5].", nameof(Domains));
            }

            if (!(domain.MeanLength >= MinLength && domain.MeanLength <= MaxLength))
            {
                throw new ArgumentException($"{where}: MeanLength = {domain.MeanLength} must lie in [MinLength, MaxLength] = [{MinLength}, {MaxLength}].", nameof(Domains));
            }

            if (!(domain.UserShare > 0) || double.IsInfinity(domain.UserShare))
            {
                throw new ArgumentException($"{where}: UserShare = {domain.UserShare} must be finite and greater than 0.", nameof(Domains));
            }
        }
    }

    private static void CheckRange(string property, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            throw Bad(property, value, max == int.MaxValue ? $"must be at least {min}" : $"must lie in [{min}, {max}]");
        }
    }

    private static void CheckProbability(string property, double value)
    {
        if (!(value is >= 0 and <= 1))
        {
            throw Bad(property, value, "must lie in [0, 1]");
        }
    }

    private static ArgumentOutOfRangeException Bad(string property, object value, string rule) =>
        OptionCheck.Invalid(nameof(SyntheticOptions), property, value, rule);
}
