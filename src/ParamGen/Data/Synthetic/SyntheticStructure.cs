using ParamGen.Tensors.Random;

namespace ParamGen.Data;

/// <summary>
/// The planted world of a synthetic dataset: which item sits in which (cluster, sub-cluster) group and
/// category, each domain's successor permutation and popularity weights, and the transition rule that both
/// draws next items (<see cref="SampleNext"/>) and gives their exact probabilities
/// (<see cref="FillNextProbabilities"/>). The two share every branch, so the oracle is the sampler's own law.
/// </summary>
/// <remarks>Clusters and sub-clusters are 1-based; group <c>g = (c - 1) * S + (s - 1)</c>. Immutable after
/// <see cref="Create"/>; safe to read from several threads.</remarks>
internal sealed class SyntheticStructure
{
    private readonly int[][] _groups;
    private readonly double[][] _groupWeight;
    private readonly double[] _within;
    private readonly double _subShare;
    private readonly double _successorShare;
    private readonly double _tierShare;

    private SyntheticStructure(SyntheticOptions options)
    {
        NumItems = options.Items;
        NumClusters = options.Clusters;
        NumSubClusters = options.SubClusters;
        NumCategories = options.Categories;
        NumDomains = options.Domains.Count;
        _subShare = options.SubClusterShare;
        _successorShare = options.SuccessorShare;
        _tierShare = options.PreferredSubClusterShare;
        _within = options.Domains.Select(d => d.WithinClusterShare).ToArray();
        ItemCluster = new int[NumItems + 1];
        ItemSubCluster = new int[NumItems + 1];
        ItemCategory = new int[NumItems + 1];
        ClusterPrimaryCategory = new int[NumClusters + 1];
        ClusterSecondaryCategory = new int[NumClusters + 1];
        _groups = new int[NumClusters * NumSubClusters][];
        SuccessorCluster = new int[NumDomains][];
        ItemWeight = new double[NumDomains][];
        _groupWeight = new double[NumDomains][];
    }

    public int NumItems { get; }

    public int NumClusters { get; }

    public int NumSubClusters { get; }

    public int NumCategories { get; }

    public int NumDomains { get; }

    /// <summary>Cluster of each item id, 1..C, <c>[N + 1]</c> (0 = padding).</summary>
    public int[] ItemCluster { get; }

    /// <summary>Sub-cluster of each item id within its cluster, 1..S, <c>[N + 1]</c>.</summary>
    public int[] ItemSubCluster { get; }

    /// <summary>Category of each item id, 1..K, <c>[N + 1]</c>.</summary>
    public int[] ItemCategory { get; }

    /// <summary>Primary category of each cluster, <c>[C + 1]</c>.</summary>
    public int[] ClusterPrimaryCategory { get; }

    /// <summary>Secondary category of each cluster, <c>[C + 1]</c>.</summary>
    public int[] ClusterSecondaryCategory { get; }

    /// <summary>Per domain, the successor of each cluster <c>[D][C + 1]</c>: a single cycle through all clusters.</summary>
    public int[][] SuccessorCluster { get; }

    /// <summary>Per domain, the popularity weight of each item id <c>[D][N + 1]</c>.</summary>
    public double[][] ItemWeight { get; }

    /// <summary>Draws the structure from the options' structure stream.</summary>
    public static SyntheticStructure Create(SyntheticOptions options)
    {
        var s = new SyntheticStructure(options);
        var g = SeedStreams.Create(options.Seed, SeedStreams.Structure);
        s.AssignGroups(g);
        s.AssignCategories(g, options.PrimaryCategoryShare, options.SecondaryCategoryShare);
        for (int d = 0; d < s.NumDomains; d++)
        {
            s.SuccessorCluster[d] = SingleCycle(s.NumClusters, g);
            s.AssignPopularity(d, options.Domains[d].ZipfExponent, g);
        }

        return s;
    }

    /// <summary>Draws a user's first item: a uniform cluster, the sub-cluster as when entering a cluster, then by
    /// popularity.</summary>
    public int SampleFirst(int domain, int tier, Generator g)
    {
        int c = 1 + g.NextInt(NumClusters);
        return PickInGroup(domain, GroupIndex(c, SampleEnteredSubCluster(tier, g)), 0, g);
    }

    /// <summary>Draws the item after <paramref name="item"/> for a user of <paramref name="domain"/> who prefers
    /// sub-cluster <paramref name="tier"/>.</summary>
    public int SampleNext(int domain, int item, int tier, Generator g)
    {
        int c = ItemCluster[item], s = ItemSubCluster[item], numS = NumSubClusters;
        if (g.NextDouble() < _within[domain])
        {
            int s2 = s;
            if (numS > 1 && g.NextDouble() >= _subShare)
            {
                if (tier != s && g.NextDouble() < _tierShare)
                {
                    s2 = tier;
                }
                else
                {
                    int r = 1 + g.NextInt(numS - 1);
                    s2 = r >= s ? r + 1 : r;
                }
            }

            return PickInGroup(domain, GroupIndex(c, s2), s2 == s ? item : 0, g);
        }

        int c2;
        if (g.NextDouble() < _successorShare)
        {
            c2 = SuccessorCluster[domain][c];
        }
        else
        {
            int r = 1 + g.NextInt(NumClusters - 1);
            c2 = r >= c ? r + 1 : r;
        }

        return PickInGroup(domain, GroupIndex(c2, SampleEnteredSubCluster(tier, g)), 0, g);
    }

    /// <summary>
    /// The exact probability of every next item after <paramref name="item"/> in <paramref name="domain"/> for a
    /// user who prefers sub-cluster <paramref name="tier"/>, written to <paramref name="destination"/>
    /// <c>[N + 1]</c> (index 0 = padding and the current item get 0). With <paramref name="tier"/> 0 the user is
    /// unknown and the tier is averaged out (it is uniform), which gives the law without taste.
    /// </summary>
    public void FillNextProbabilities(int domain, int item, int tier, Span<double> destination)
    {
        int c = ItemCluster[item], s = ItemSubCluster[item];
        int numC = NumClusters, numS = NumSubClusters;
        Span<double> enter = numS <= 256 ? stackalloc double[numS + 1] : new double[numS + 1];
        Span<double> move = numS <= 256 ? stackalloc double[numS + 1] : new double[numS + 1];
        for (int s2 = 1; s2 <= numS; s2++)
        {
            enter[s2] = tier == 0 || numS == 1 ? 1.0 / numS : ((1 - _tierShare) / numS) + (s2 == tier ? _tierShare : 0);
            move[s2] = s2 == s ? 0
                : tier == 0 || tier == s ? 1.0 / (numS - 1)
                : ((1 - _tierShare) / (numS - 1)) + (s2 == tier ? _tierShare : 0);
        }

        destination.Clear();
        double p = _within[domain];
        double stay = numS == 1 ? 1 : _subShare;
        double other = (1 - _successorShare) / (numC - 1);
        int successor = SuccessorCluster[domain][c];
        var w = ItemWeight[domain];
        var gw = _groupWeight[domain];
        for (int c2 = 1; c2 <= numC; c2++)
        {
            double cluster = c2 == c ? p : (1 - p) * (other + (c2 == successor ? _successorShare : 0));
            for (int s2 = 1; s2 <= numS; s2++)
            {
                int gi = GroupIndex(c2, s2);
                double scale = c2 != c ? cluster * enter[s2] / gw[gi]
                    : s2 == s ? cluster * stay / (gw[gi] - w[item])
                    : cluster * (1 - stay) * move[s2] / gw[gi];
                foreach (int j in _groups[gi])
                {
                    destination[j] = j == item ? 0 : scale * w[j];
                }
            }
        }
    }

    /// <summary>The sub-cluster on entering a cluster: the user's tier with the preferred share, else uniform.</summary>
    private int SampleEnteredSubCluster(int tier, Generator g)
    {
        if (NumSubClusters == 1)
        {
            return 1;
        }

        return g.NextDouble() < _tierShare ? tier : 1 + g.NextInt(NumSubClusters);
    }

    private int PickInGroup(int domain, int group, int exclude, Generator g)
    {
        var w = ItemWeight[domain];
        double total = _groupWeight[domain][group] - (exclude != 0 ? w[exclude] : 0);
        double u = g.NextDouble() * total;
        int last = 0;
        foreach (int j in _groups[group])
        {
            if (j == exclude)
            {
                continue;
            }

            last = j;
            u -= w[j];
            if (u < 0)
            {
                return j;
            }
        }

        return last;
    }

    private int GroupIndex(int cluster, int subCluster) => ((cluster - 1) * NumSubClusters) + subCluster - 1;

    private void AssignGroups(Generator g)
    {
        var order = Permutation(NumItems, g);
        int numGroups = _groups.Length, size = NumItems / numGroups, extra = NumItems % numGroups, start = 0;
        for (int gi = 0; gi < numGroups; gi++)
        {
            int n = size + (gi < extra ? 1 : 0);
            var members = order.AsSpan(start, n).ToArray();
            Array.Sort(members);
            _groups[gi] = members;
            start += n;
            int c = (gi / NumSubClusters) + 1, s = (gi % NumSubClusters) + 1;
            foreach (int item in members)
            {
                ItemCluster[item] = c;
                ItemSubCluster[item] = s;
            }
        }
    }

    private void AssignCategories(Generator g, double primaryShare, double secondaryShare)
    {
        int k = NumCategories;
        var relabel = Permutation(k, g);
        for (int c = 1; c <= NumClusters; c++)
        {
            int primary = relabel[(c - 1) % k];
            int r = 1 + g.NextInt(k - 1);
            ClusterPrimaryCategory[c] = primary;
            ClusterSecondaryCategory[c] = r >= primary ? r + 1 : r;
        }

        for (int c = 1; c <= NumClusters; c++)
        {
            var members = new List<int>();
            for (int s = 1; s <= NumSubClusters; s++)
            {
                members.AddRange(_groups[GroupIndex(c, s)]);
            }

            var items = members.ToArray();
            Shuffle(items, g);
            int n = items.Length;
            int numPrimary = (int)Math.Round(n * primaryShare);
            int numSecondary = Math.Min(n - numPrimary, (int)Math.Round(n * secondaryShare));
            int primary = ClusterPrimaryCategory[c], secondary = ClusterSecondaryCategory[c];
            for (int i = 0; i < n; i++)
            {
                ItemCategory[items[i]] = i < numPrimary ? primary : i < numPrimary + numSecondary ? secondary : OtherCategory(primary, secondary, g);
            }
        }
    }

    /// <summary>A uniform category other than the two given ones (the secondary when there is no third).</summary>
    private int OtherCategory(int primary, int secondary, Generator g)
    {
        if (NumCategories < 3)
        {
            return secondary;
        }

        int r = 1 + g.NextInt(NumCategories - 2);
        int lo = Math.Min(primary, secondary), hi = Math.Max(primary, secondary);
        if (r >= lo)
        {
            r++;
        }

        if (r >= hi)
        {
            r++;
        }

        return r;
    }

    private void AssignPopularity(int domain, double exponent, Generator g)
    {
        var order = Permutation(NumItems, g);
        var w = new double[NumItems + 1];
        for (int rank = 1; rank <= NumItems; rank++)
        {
            w[order[rank - 1]] = Math.Pow(rank, -exponent);
        }

        var gw = new double[_groups.Length];
        for (int gi = 0; gi < _groups.Length; gi++)
        {
            foreach (int j in _groups[gi])
            {
                gw[gi] += w[j];
            }
        }

        ItemWeight[domain] = w;
        _groupWeight[domain] = gw;
    }

    /// <summary>A uniformly random permutation of 1..n (Fisher-Yates).</summary>
    private static int[] Permutation(int n, Generator g)
    {
        var a = new int[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = i + 1;
        }

        Shuffle(a, g);
        return a;
    }

    private static void Shuffle(int[] a, Generator g)
    {
        for (int i = a.Length - 1; i > 0; i--)
        {
            int j = g.NextInt(i + 1);
            (a[i], a[j]) = (a[j], a[i]);
        }
    }

    /// <summary>A uniformly random cyclic permutation of 1..n as a successor map <c>[n + 1]</c> (Sattolo), so no
    /// cluster is its own successor.</summary>
    private static int[] SingleCycle(int n, Generator g)
    {
        var a = new int[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = i + 1;
        }

        for (int i = n - 1; i > 0; i--)
        {
            int j = g.NextInt(i);
            (a[i], a[j]) = (a[j], a[i]);
        }

        // a is now a single cycle as a mapping i -> a[i] (0-based); read it as cluster i + 1 -> a[i].
        var successor = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            successor[i + 1] = a[i];
        }

        return successor;
    }
}
