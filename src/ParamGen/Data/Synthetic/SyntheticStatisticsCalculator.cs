namespace ParamGen.Data;

/// <summary>
/// Measures <see cref="SyntheticStatistics"/> on a generated dataset: counts over its transitions, popularity
/// concentration, and hit rates of 10-item lists ranked from the planted law. Sequential and deterministic.
/// </summary>
internal static class SyntheticStatisticsCalculator
{
    private const int ListLength = 10;

    public static SyntheticStatistics Compute(InteractionDataset data, SyntheticStructure structure, int[] tiers)
    {
        int numItems = structure.NumItems, numDomains = structure.NumDomains;
        var acc = new Accumulator[numDomains];
        for (int d = 0; d < numDomains; d++)
        {
            acc[d] = new Accumulator(numItems, structure.NumCategories);
        }

        CountTransitions(data, structure, acc);
        ScoreLists(data, structure, tiers, acc);

        var totals = new long[numItems + 1];
        foreach (var a in acc)
        {
            for (int i = 1; i <= numItems; i++)
            {
                totals[i] += a.ItemCounts[i];
            }
        }

        int primary = 0;
        for (int i = 1; i <= numItems; i++)
        {
            primary += structure.ItemCategory[i] == structure.ClusterPrimaryCategory[structure.ItemCluster[i]] ? 1 : 0;
        }

        return new SyntheticStatistics
        {
            Users = data.NumUsers,
            Items = numItems,
            Interactions = data.NumInteractions,
            MeanLength = Round((double)data.NumInteractions / data.NumUsers),
            SemanticIds = structure.NumClusters * structure.NumSubClusters,
            ItemsWithoutInteractions = totals.Skip(1).Count(c => c == 0),
            ColdItems = totals.Skip(1).Count(c => c < SyntheticStatistics.ColdThreshold),
            PrimaryCategoryShare = Round((double)primary / numItems),
            Domains = [.. acc.Select((a, d) => a.ToStatistics(data.DomainNames[d]))],
        };
    }

    private static void CountTransitions(InteractionDataset data, SyntheticStructure st, Accumulator[] acc)
    {
        for (int u = 1; u <= data.NumUsers; u++)
        {
            int d = data.UserDomain(u);
            var a = acc[d];
            var seq = data.GetSequence(u);
            a.Users++;
            a.Interactions += seq.Length;
            for (int t = 0; t < seq.Length; t++)
            {
                int j = seq[t];
                a.ItemCounts[j]++;
                a.CategoryCounts[st.ItemCategory[j]]++;
                if (t == 0)
                {
                    continue;
                }

                int i = seq[t - 1];
                a.Transitions++;
                a.FromCounts[i]++;
                if (st.ItemCluster[i] == st.ItemCluster[j])
                {
                    a.WithinCluster++;
                    a.WithinSubCluster += st.ItemSubCluster[i] == st.ItemSubCluster[j] ? 1 : 0;
                }
                else
                {
                    a.ToSuccessor += st.SuccessorCluster[d][st.ItemCluster[i]] == st.ItemCluster[j] ? 1 : 0;
                }

                a.SameCategory += st.ItemCategory[i] == st.ItemCategory[j] ? 1 : 0;
            }
        }
    }

    private static void ScoreLists(InteractionDataset data, SyntheticStructure st, int[] tiers, Accumulator[] acc)
    {
        int numItems = st.NumItems, numDomains = st.NumDomains;
        var probs = new double[numItems + 1];
        var mix = new double[numItems + 1];
        var domainTop = new int[numDomains][][];
        var diverse = new int[numDomains][][];
        for (int d = 0; d < numDomains; d++)
        {
            domainTop[d] = new int[numItems + 1][];
            diverse[d] = new int[numItems + 1][];
        }

        var pooledTop = new int[numItems + 1][];
        for (int u = 1; u <= data.NumUsers; u++)
        {
            int d = data.UserDomain(u);
            var a = acc[d];
            var seq = data.GetSequence(u);
            for (int t = 1; t < seq.Length; t++)
            {
                int i = seq[t - 1], j = seq[t];
                st.FillNextProbabilities(d, i, tiers[u], probs);
                a.UserHits += Contains(TopK(probs), j);

                if (domainTop[d][i] is null)
                {
                    st.FillNextProbabilities(d, i, 0, probs);
                    domainTop[d][i] = TopK(probs);
                    diverse[d][i] = DiverseList(probs, st.ItemCategory);
                }

                a.DomainHits += Contains(domainTop[d][i], j);
                a.DomainCategories += DistinctCategories(domainTop[d][i], st.ItemCategory);
                a.DiverseHits += Contains(diverse[d][i], j);
                a.DiverseCategories += DistinctCategories(diverse[d][i], st.ItemCategory);

                if (pooledTop[i] is null)
                {
                    Array.Clear(mix);
                    for (int e = 0; e < numDomains; e++)
                    {
                        double weight = acc[e].FromCounts[i];
                        if (weight > 0)
                        {
                            st.FillNextProbabilities(e, i, 0, probs);
                            for (int k = 1; k <= numItems; k++)
                            {
                                mix[k] += weight * probs[k];
                            }
                        }
                    }

                    pooledTop[i] = TopK(mix);
                }

                a.PooledHits += Contains(pooledTop[i], j);
            }
        }
    }

    /// <summary>The ListLength highest-scoring item ids (ties: lower id first), best first.</summary>
    private static int[] TopK(ReadOnlySpan<double> scores)
    {
        int k = Math.Min(ListLength, scores.Length - 1);
        var best = new int[k];
        int filled = 0;
        for (int item = 1; item < scores.Length; item++)
        {
            double s = scores[item];
            if (filled == k && !(s > scores[best[k - 1]]))
            {
                continue;
            }

            int pos = filled < k ? filled++ : k - 1;
            while (pos > 0 && s > scores[best[pos - 1]])
            {
                best[pos] = best[pos - 1];
                pos--;
            }

            best[pos] = item;
        }

        return best;
    }

    /// <summary>
    /// A category-covering list: items by descending score, taking the best item of each category not yet in the
    /// list until the list is full or every category is in it, then filling by score.
    /// </summary>
    private static int[] DiverseList(double[] scores, int[] category)
    {
        var order = new int[scores.Length - 1];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i + 1;
        }

        Array.Sort(order, (x, y) => scores[y] != scores[x] ? scores[y].CompareTo(scores[x]) : x.CompareTo(y));
        int k = Math.Min(ListLength, order.Length);
        var list = new List<int>(k);
        var covered = new HashSet<int>();
        foreach (int item in order)
        {
            if (list.Count == k)
            {
                break;
            }

            if (covered.Add(category[item]))
            {
                list.Add(item);
            }
        }

        foreach (int item in order)
        {
            if (list.Count == k)
            {
                break;
            }

            if (!list.Contains(item))
            {
                list.Add(item);
            }
        }

        return [.. list];
    }

    private static int Contains(int[] list, int item) => Array.IndexOf(list, item) >= 0 ? 1 : 0;

    private static int DistinctCategories(int[] list, int[] category)
    {
        int distinct = 0;
        for (int a = 0; a < list.Length; a++)
        {
            bool seen = false;
            for (int b = 0; b < a && !seen; b++)
            {
                seen = category[list[b]] == category[list[a]];
            }

            distinct += seen ? 0 : 1;
        }

        return distinct;
    }

    private static double Round(double value) => Math.Round(value, 4);

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : Round((double)numerator / denominator);

    /// <summary>Gini coefficient of non-negative counts (0 when they sum to 0).</summary>
    private static double Gini(long[] counts)
    {
        var sorted = counts.AsSpan(1).ToArray();
        Array.Sort(sorted);
        double total = 0, weighted = 0;
        int n = sorted.Length;
        for (int i = 0; i < n; i++)
        {
            total += sorted[i];
            weighted += ((2.0 * (i + 1)) - n - 1) * sorted[i];
        }

        return total == 0 ? 0 : Round(weighted / (n * total));
    }

    private static double TopShare(long[] counts, double fraction)
    {
        var sorted = counts.AsSpan(1).ToArray();
        Array.Sort(sorted);
        int top = (int)Math.Ceiling(sorted.Length * fraction);
        long total = 0, head = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            total += sorted[i];
            head += i >= sorted.Length - top ? sorted[i] : 0;
        }

        return Ratio(head, total);
    }

    private sealed class Accumulator(int numItems, int numCategories)
    {
        public long[] ItemCounts { get; } = new long[numItems + 1];

        public long[] FromCounts { get; } = new long[numItems + 1];

        public long[] CategoryCounts { get; } = new long[numCategories + 1];

        public int Users { get; set; }

        public int Interactions { get; set; }

        public int Transitions { get; set; }

        public long WithinCluster { get; set; }

        public long WithinSubCluster { get; set; }

        public long ToSuccessor { get; set; }

        public long SameCategory { get; set; }

        public long UserHits { get; set; }

        public long DomainHits { get; set; }

        public long PooledHits { get; set; }

        public long DiverseHits { get; set; }

        public long DomainCategories { get; set; }

        public long DiverseCategories { get; set; }

        public SyntheticDomainStatistics ToStatistics(string name)
        {
            double chance = 0;
            foreach (long c in CategoryCounts)
            {
                double share = Interactions == 0 ? 0 : (double)c / Interactions;
                chance += share * share;
            }

            return new SyntheticDomainStatistics
            {
                Name = name,
                Users = Users,
                Interactions = Interactions,
                MeanLength = Ratio(Interactions, Users),
                Transitions = Transitions,
                WithinClusterShare = Ratio(WithinCluster, Transitions),
                WithinSubClusterShare = Ratio(WithinSubCluster, WithinCluster),
                SuccessorShare = Ratio(ToSuccessor, Transitions - WithinCluster),
                SameCategoryShare = Ratio(SameCategory, Transitions),
                SameCategoryShareByChance = Round(chance),
                PopularityGini = Gini(ItemCounts),
                Top10PercentShare = TopShare(ItemCounts, 0.1),
                UserHitRate10 = Ratio(UserHits, Transitions),
                DomainHitRate10 = Ratio(DomainHits, Transitions),
                PooledHitRate10 = Ratio(PooledHits, Transitions),
                DomainListCategories10 = Ratio(DomainCategories, Transitions),
                DiverseHitRate10 = Ratio(DiverseHits, Transitions),
                DiverseListCategories10 = Ratio(DiverseCategories, Transitions),
            };
        }
    }
}
