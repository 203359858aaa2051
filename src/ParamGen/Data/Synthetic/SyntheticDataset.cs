namespace ParamGen.Data;

/// <summary>
/// A generated dataset with its ground truth: the interactions (<see cref="Dataset"/>, with domains, timestamps
/// and item categories), each item's planted semantic id (cluster, sub-cluster) and category, each domain's
/// successor clusters, each user's preferred sub-cluster, the exact next-item law, and what the data realised
/// (<see cref="Statistics"/>). Made by <see cref="SyntheticDataGenerator.Generate"/>.
/// </summary>
/// <remarks>
/// In <see cref="Dataset"/>, item id k is token <c>ik</c>, user id u is token <c>uu</c>, category id k is token
/// <c>catk</c>, and domain ids follow <see cref="SyntheticOptions.Domains"/>. Every item is shared by all domains
/// (<see cref="InteractionDataset.ItemDomains"/> therefore only records where an item was first seen). The
/// arrays returned here are the caller's copies, indexed by item id with index 0 = padding.
/// </remarks>
public sealed class SyntheticDataset
{
    private readonly SyntheticStructure _structure;
    private readonly int[] _tiers;

    internal SyntheticDataset(SyntheticOptions options, InteractionDataset dataset, SyntheticStructure structure, int[] tiers, SyntheticStatistics statistics)
    {
        Options = options;
        Dataset = dataset;
        _structure = structure;
        _tiers = tiers;
        Statistics = statistics;
        ItemCluster = (int[])structure.ItemCluster.Clone();
        ItemSubCluster = (int[])structure.ItemSubCluster.Clone();
        ItemCategory = (int[])structure.ItemCategory.Clone();
        ClusterPrimaryCategory = (int[])structure.ClusterPrimaryCategory.Clone();
    }

    /// <summary>The options the data was generated from.</summary>
    public SyntheticOptions Options { get; }

    /// <summary>The interactions: users grouped, timestamps strictly increasing per user, one domain per user,
    /// item categories in <see cref="InteractionDataset.ItemFeatures"/>, ratings when
    /// <see cref="SyntheticOptions.IncludeRatings"/>.</summary>
    public InteractionDataset Dataset { get; }

    /// <summary>The ground-truth cluster (first level of the semantic id) of each item id, 1 .. NumClusters,
    /// <c>[NumItems + 1]</c> with index 0 = padding (0).</summary>
    public int[] ItemCluster { get; }

    /// <summary>The ground-truth sub-cluster (second level of the semantic id) of each item id within its cluster,
    /// 1 .. NumSubClusters, <c>[NumItems + 1]</c> with index 0 = padding (0).</summary>
    public int[] ItemSubCluster { get; }

    /// <summary>The category id of each item id, 1 .. NumCategories (the ids of the dataset's
    /// <see cref="ItemFeatures.Categories"/>), <c>[NumItems + 1]</c> with index 0 = padding (0).</summary>
    public int[] ItemCategory { get; }

    /// <summary>The primary category of each cluster, <c>[NumClusters + 1]</c> (index 0 unused).</summary>
    public int[] ClusterPrimaryCategory { get; }

    /// <summary>Number of clusters.</summary>
    public int NumClusters => _structure.NumClusters;

    /// <summary>Number of sub-clusters per cluster.</summary>
    public int NumSubClusters => _structure.NumSubClusters;

    /// <summary>Number of distinct semantic ids: <c>NumClusters * NumSubClusters</c>.</summary>
    public int NumSemanticIds => NumClusters * NumSubClusters;

    /// <summary>Number of categories.</summary>
    public int NumCategories => _structure.NumCategories;

    /// <summary>What the data realised, overall and per domain.</summary>
    public SyntheticStatistics Statistics { get; }

    /// <summary>The flat semantic id of an item, <c>(cluster - 1) * NumSubClusters + subCluster</c> in
    /// 1 .. <see cref="NumSemanticIds"/> (0 for padding).</summary>
    /// <param name="item">An item id in [0, NumItems].</param>
    /// <returns>The semantic id.</returns>
    public int SemanticId(int item)
    {
        CheckItem(item);
        return item == 0 ? 0 : ((ItemCluster[item] - 1) * NumSubClusters) + ItemSubCluster[item];
    }

    /// <summary>The cluster users of a domain move to when they leave a cluster and follow the domain's
    /// successor rule (each domain has its own random cycle through the clusters).</summary>
    /// <param name="domain">A domain id.</param>
    /// <param name="cluster">A cluster in 1 .. NumClusters.</param>
    /// <returns>The successor cluster (never <paramref name="cluster"/> itself).</returns>
    public int SuccessorCluster(int domain, int cluster)
    {
        CheckDomain(domain);
        if ((uint)(cluster - 1) >= (uint)NumClusters)
        {
            throw new ArgumentOutOfRangeException(nameof(cluster), cluster, $"SyntheticDataset: cluster {cluster} is outside [1, {NumClusters}].");
        }

        return _structure.SuccessorCluster[domain][cluster];
    }

    /// <summary>The sub-cluster index (tier) a user prefers, in 1 .. NumSubClusters (see
    /// <see cref="SyntheticOptions.PreferredSubClusterShare"/>).</summary>
    /// <param name="user">A user id in [1, NumUsers].</param>
    /// <returns>The preferred sub-cluster.</returns>
    public int PreferredSubCluster(int user)
    {
        CheckUser(user);
        return _tiers[user];
    }

    /// <summary>
    /// The planted probability of every next item after <paramref name="item"/> for a user of
    /// <paramref name="domain"/> whose preferred sub-cluster is unknown (averaged out): the first-order law a
    /// domain-aware model can at best learn. Index 0 (padding) and <paramref name="item"/> itself get 0; the rest
    /// sums to 1.
    /// </summary>
    /// <param name="domain">A domain id.</param>
    /// <param name="item">The current item id in [1, NumItems].</param>
    /// <param name="destination"><c>[NumItems + 1]</c>, overwritten.</param>
    public void NextItemProbabilities(int domain, int item, Span<double> destination)
    {
        CheckDomain(domain);
        CheckItem(item, allowPadding: false);
        CheckDestination(destination);
        _structure.FillNextProbabilities(domain, item, 0, destination);
    }

    /// <summary>
    /// The planted probability of every next item after <paramref name="item"/> for this user (their domain and
    /// preferred sub-cluster known): the law the user's sequence was drawn from.
    /// </summary>
    /// <param name="user">A user id in [1, NumUsers].</param>
    /// <param name="item">The current item id in [1, NumItems].</param>
    /// <param name="destination"><c>[NumItems + 1]</c>, overwritten.</param>
    public void NextItemProbabilitiesForUser(int user, int item, Span<double> destination)
    {
        CheckUser(user);
        CheckItem(item, allowPadding: false);
        CheckDestination(destination);
        _structure.FillNextProbabilities(Dataset.UserDomain(user), item, _tiers[user], destination);
    }

    /// <summary>
    /// Writes the data to <paramref name="directory"/> (created if missing) as <c>{Name}.inter</c> (RecBole atomic
    /// interactions), <c>{Name}.item</c> (categories and semantic ids), <c>{Name}.txt</c> (one line per user) and
    /// <c>{Name}.json</c> (options and realised statistics), where Name is <see cref="SyntheticOptions.Name"/>.
    /// The bytes depend only on the options. Each file is written to a temporary file and then moved into place.
    /// </summary>
    /// <param name="directory">The output directory.</param>
    /// <returns>The paths written, in the order above.</returns>
    public IReadOnlyList<string> WriteFiles(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        string stem = Path.Combine(directory, Options.Name);
        string inter = stem + ".inter", item = stem + ".item", txt = stem + ".txt", json = stem + ".json";
        DatasetWriter.Write(Dataset, inter, DataFormat.RecBoleAtomic);
        SyntheticFileWriter.WriteItems(this, item);
        DatasetWriter.Write(Dataset, txt, DataFormat.UserSequences, dropUnsupportedColumns: true);
        SyntheticFileWriter.WriteJson(this, json);
        return [inter, item, txt, json];
    }

    private void CheckDomain(int domain)
    {
        if ((uint)domain >= (uint)_structure.NumDomains)
        {
            throw new ArgumentOutOfRangeException(nameof(domain), domain, $"SyntheticDataset: domain {domain} is outside [0, {_structure.NumDomains}).");
        }
    }

    private void CheckItem(int item, bool allowPadding = true)
    {
        if (item < (allowPadding ? 0 : 1) || item > _structure.NumItems)
        {
            throw new ArgumentOutOfRangeException(nameof(item), item, $"SyntheticDataset: item id {item} is outside [{(allowPadding ? 0 : 1)}, {_structure.NumItems}].");
        }
    }

    private void CheckUser(int user)
    {
        if ((uint)(user - 1) >= (uint)Dataset.NumUsers)
        {
            throw new ArgumentOutOfRangeException(nameof(user), user, $"SyntheticDataset: user id {user} is outside [1, {Dataset.NumUsers}].");
        }
    }

    private void CheckDestination(Span<double> destination)
    {
        if (destination.Length != _structure.NumItems + 1)
        {
            throw new ArgumentException($"SyntheticDataset: the destination has {destination.Length} entries; it needs NumItems + 1 = {_structure.NumItems + 1}.", nameof(destination));
        }
    }
}
