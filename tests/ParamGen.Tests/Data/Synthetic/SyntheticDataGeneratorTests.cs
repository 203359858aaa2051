using ParamGen.Data;

namespace ParamGen.Tests.Data.Synthetic;

public class SyntheticDataGeneratorTests
{
    [Fact]
    public void SameSeedGivesTheSameDatasetAndGroundTruth()
    {
        var a = SyntheticDataGenerator.Generate(SyntheticTestData.Small(seed: 11));
        var b = SyntheticDataGenerator.Generate(SyntheticTestData.Small(seed: 11));

        Assert.Equal(a.Dataset.ItemColumn.ToArray(), b.Dataset.ItemColumn.ToArray());
        Assert.Equal(a.Dataset.UserOffsets.ToArray(), b.Dataset.UserOffsets.ToArray());
        Assert.Equal(a.Dataset.TimestampColumn.ToArray(), b.Dataset.TimestampColumn.ToArray());
        Assert.Equal(a.Dataset.DomainColumn.ToArray(), b.Dataset.DomainColumn.ToArray());
        Assert.Equal(a.ItemCluster, b.ItemCluster);
        Assert.Equal(a.ItemSubCluster, b.ItemSubCluster);
        Assert.Equal(a.ItemCategory, b.ItemCategory);
        Assert.Equal(a.Statistics.Domains, b.Statistics.Domains);
    }

    [Fact]
    public void DifferentSeedsGiveDifferentData()
    {
        var a = SyntheticDataGenerator.Generate(SyntheticTestData.Small(seed: 1));
        var b = SyntheticDataGenerator.Generate(SyntheticTestData.Small(seed: 2));

        Assert.NotEqual(a.ItemCluster, b.ItemCluster);
        int n = Math.Min(a.Dataset.NumInteractions, b.Dataset.NumInteractions);
        var ia = a.Dataset.ItemColumn[..n].ToArray();
        var ib = b.Dataset.ItemColumn[..n].ToArray();
        Assert.True(ia.Zip(ib).Count(p => p.First != p.Second) > n / 2, "two seeds should disagree on most interactions");
    }

    [Fact]
    public void AUsersSequenceDoesNotDependOnHowManyUsersThereAre()
    {
        var few = SyntheticDataGenerator.Generate(SyntheticTestData.Small() with { Users = 40 });
        var many = SyntheticDataGenerator.Generate(SyntheticTestData.Small() with { Users = 90 });
        for (int u = 1; u <= 40; u++)
        {
            Assert.Equal(few.Dataset.GetSequence(u).ToArray(), many.Dataset.GetSequence(u).ToArray());
            Assert.Equal(few.Dataset.GetTimestamps(u).ToArray(), many.Dataset.GetTimestamps(u).ToArray());
        }
    }

    [Fact]
    public void RatingsAreOneToFiveAndLeaveTheSequencesUnchanged()
    {
        var plain = SyntheticDataGenerator.Generate(SyntheticTestData.Small() with { Users = 100 });
        var rated = SyntheticDataGenerator.Generate(SyntheticTestData.Small() with { Users = 100, IncludeRatings = true });

        Assert.False(plain.Dataset.HasRatings);
        Assert.True(rated.Dataset.HasRatings);
        Assert.Equal(plain.Dataset.ItemColumn.ToArray(), rated.Dataset.ItemColumn.ToArray());
        var ratings = rated.Dataset.RatingColumn.ToArray();
        Assert.All(ratings, r => Assert.True(r is >= 1 and <= 5 && r == MathF.Round(r), $"rating {r}"));
        Assert.True(ratings.Distinct().Count() >= 4, "ratings should use most of the 1..5 scale");
    }

    [Fact]
    public void IdsAreValidTimestampsStrictlyIncreaseAndEachUserHasOneDomain()
    {
        var s = SyntheticTestData.Dataset;
        var data = s.Dataset;
        var options = s.Options;
        Assert.Equal(options.Users, data.NumUsers);
        Assert.Equal(options.Items, data.NumItems);
        Assert.Equal(["a", "b", "c"], data.DomainNames);
        Assert.Equal(0, s.ItemCluster[0]);
        Assert.Equal(0, s.ItemCategory[0]);
        for (int i = 1; i <= data.NumItems; i++)
        {
            Assert.InRange(s.ItemCluster[i], 1, options.Clusters);
            Assert.InRange(s.ItemSubCluster[i], 1, options.SubClusters);
            Assert.InRange(s.ItemCategory[i], 1, options.Categories);
            Assert.Equal(s.ItemCategory[i], data.ItemFeatures!.PrimaryCategory(i));
            Assert.Equal("i" + i, data.Items.GetToken(i));
            Assert.InRange(s.SemanticId(i), 1, s.NumSemanticIds);
        }

        for (int u = 1; u <= data.NumUsers; u++)
        {
            var items = data.GetSequence(u);
            var times = data.GetTimestamps(u);
            var domains = data.GetDomains(u);
            Assert.InRange(items.Length, options.MinLength, options.MaxLength);
            for (int t = 0; t < items.Length; t++)
            {
                Assert.InRange(items[t], 1, data.NumItems);
                Assert.Equal(domains[0], domains[t]);
                Assert.True(t == 0 || times[t] > times[t - 1], $"user {u}: timestamps not strictly increasing at {t}");
                Assert.True(t == 0 || items[t] != items[t - 1], $"user {u}: an item repeats back to back at {t}");
            }

            Assert.InRange(s.PreferredSubCluster(u), 1, options.SubClusters);
        }
    }

    [Fact]
    public void RealisedWithinClusterShareIsTheRequestedOnePerDomain()
    {
        var s = SyntheticTestData.Dataset;
        var (within, subWithin, transitions) = CountTransitions(s);
        for (int d = 0; d < 3; d++)
        {
            double share = (double)within[d] / transitions[d];
            Assert.True(transitions[d] > 1500, $"domain {d}: only {transitions[d]} transitions");
            Assert.InRange(share, s.Options.Domains[d].WithinClusterShare - 0.03, s.Options.Domains[d].WithinClusterShare + 0.03);
            Assert.InRange((double)subWithin[d] / within[d], s.Options.SubClusterShare - 0.04, s.Options.SubClusterShare + 0.04);
            Assert.Equal(Math.Round(share, 4), s.Statistics.Domains[d].WithinClusterShare);
        }
    }

    [Fact]
    public void RealisedMeanLengthIsTheRequestedOnePerDomain()
    {
        var s = SyntheticTestData.Dataset;
        for (int d = 0; d < 3; d++)
        {
            var lengths = Enumerable.Range(1, s.Dataset.NumUsers).Where(u => s.Dataset.UserDomain(u) == d).Select(s.Dataset.SequenceLength).ToArray();
            Assert.InRange(lengths.Average(), s.Options.Domains[d].MeanLength - 1, s.Options.Domains[d].MeanLength + 1);
        }
    }

    [Fact]
    public void DomainsDifferInPopularitySkewAndInWhereUsersGoWhenTheyLeaveACluster()
    {
        var s = SyntheticTestData.Dataset;
        var data = s.Dataset;
        var gini = new double[3];
        var toSuccessor = new long[3, 3];
        var cross = new long[3];
        for (int d = 0; d < 3; d++)
        {
            var counts = new double[data.NumItems];
            for (int u = 1; u <= data.NumUsers; u++)
            {
                if (data.UserDomain(u) != d)
                {
                    continue;
                }

                var seq = data.GetSequence(u);
                for (int t = 0; t < seq.Length; t++)
                {
                    counts[seq[t] - 1]++;
                    int from = t > 0 ? s.ItemCluster[seq[t - 1]] : 0, to = s.ItemCluster[seq[t]];
                    if (t > 0 && from != to)
                    {
                        cross[d]++;
                        for (int e = 0; e < 3; e++)
                        {
                            toSuccessor[d, e] += s.SuccessorCluster(e, from) == to ? 1 : 0;
                        }
                    }
                }
            }

            gini[d] = Gini(counts);
        }

        // Zipf exponents 1.2 > 0.6 > 0.1.
        Assert.True(gini[0] > gini[1] + 0.1 && gini[1] > gini[2] + 0.1, $"Gini by domain: {string.Join(", ", gini)}");
        for (int d = 0; d < 3; d++)
        {
            // Planted: SuccessorShare 0.6 + 0.4 / 11 uniform -> 0.64 to the own successor; another domain's
            // successor coincides with it rarely.
            Assert.InRange((double)toSuccessor[d, d] / cross[d], 0.58, 0.70);
            for (int e = 0; e < 3; e++)
            {
                if (e != d)
                {
                    Assert.True((double)toSuccessor[d, e] / cross[d] < 0.35, $"domain {d} follows domain {e}'s successors");
                }
            }
        }

        Assert.Contains(Enumerable.Range(1, s.NumClusters), c => s.SuccessorCluster(0, c) != s.SuccessorCluster(1, c));
    }

    [Fact]
    public void CategoriesFollowClustersButAreCoarserThanThem()
    {
        var s = SyntheticTestData.Dataset;
        var primaryOf = new Dictionary<int, int>();
        for (int c = 1; c <= s.NumClusters; c++)
        {
            var members = Enumerable.Range(1, s.Options.Items).Where(i => s.ItemCluster[i] == c).ToArray();
            var byCategory = members.GroupBy(i => s.ItemCategory[i]).Select(g => g.Count()).OrderDescending().ToArray();
            double top = (double)byCategory[0] / members.Length;
            double topTwo = (double)(byCategory[0] + (byCategory.Length > 1 ? byCategory[1] : 0)) / members.Length;
            Assert.InRange(top, 0.7, 0.8);
            Assert.True(topTwo >= 0.9, $"cluster {c}: its two main categories hold only {topTwo:P0}");
            primaryOf[c] = s.ClusterPrimaryCategory[c];
            Assert.Equal(members.GroupBy(i => s.ItemCategory[i]).MaxBy(g => g.Count())!.Key, primaryOf[c]);
        }

        // 12 clusters over 6 categories: every category is the primary one of exactly two clusters.
        Assert.All(primaryOf.Values.GroupBy(k => k), g => Assert.Equal(2, g.Count()));
        Assert.Equal(s.Options.Categories, primaryOf.Values.Distinct().Count());
    }

    [Fact]
    public void TheMostPredictableListStaysInTheLastCategoryAndADiverseListLosesAccuracy()
    {
        var s = SyntheticTestData.Dataset;
        var data = s.Dataset;
        var probs = new double[data.NumItems + 1];
        long transitions = 0, sameCategory = 0, accurateHits = 0, diverseHits = 0, accurateCategories = 0, diverseCategories = 0;
        var categoryCounts = new long[s.NumCategories + 1];
        for (int u = 1; u <= data.NumUsers; u++)
        {
            int d = data.UserDomain(u);
            var seq = data.GetSequence(u);
            for (int t = 1; t < seq.Length; t++)
            {
                int last = seq[t - 1], next = seq[t];
                transitions++;
                categoryCounts[s.ItemCategory[next]]++;
                sameCategory += s.ItemCategory[last] == s.ItemCategory[next] ? 1 : 0;
                s.NextItemProbabilities(d, last, probs);
                var ranked = Enumerable.Range(1, data.NumItems).OrderByDescending(i => probs[i]).ThenBy(i => i).ToArray();
                var accurate = ranked.Take(10).ToArray();
                var firstOfEachCategory = ranked.GroupBy(i => s.ItemCategory[i]).Select(g => g.First()).Take(10);
                var diverse = firstOfEachCategory.Concat(ranked).Distinct().Take(10).ToArray();
                accurateHits += accurate.Contains(next) ? 1 : 0;
                diverseHits += diverse.Contains(next) ? 1 : 0;
                accurateCategories += accurate.Select(i => s.ItemCategory[i]).Distinct().Count();
                diverseCategories += diverse.Select(i => s.ItemCategory[i]).Distinct().Count();
            }
        }

        double chance = categoryCounts.Sum(c => Math.Pow((double)c / transitions, 2));
        double same = (double)sameCategory / transitions;
        Assert.True(same > 1.8 * chance && same > 0.3, $"same-category share {same:F3} vs chance {chance:F3}");

        // The accurate list covers fewer categories and hits more often than a list that first takes the best
        // item of each category and then fills up by probability.
        Assert.True((double)accurateCategories / transitions < 4, $"accurate list: {(double)accurateCategories / transitions:F2} categories");
        Assert.Equal(s.NumCategories, (double)diverseCategories / transitions);
        double accurateHr = (double)accurateHits / transitions, diverseHr = (double)diverseHits / transitions;
        Assert.True(accurateHr > diverseHr + 0.03, $"HR@10 accurate {accurateHr:F3} vs category-covering {diverseHr:F3}");
    }

    [Fact]
    public void TheSamplerDrawsFromThePublishedLaw()
    {
        // Cross-entropy of the data under the user's law equals the law's own entropy when (and only when) the
        // sequences were drawn from it; the domain-level law (tier unknown) and the pooled view fit worse.
        var s = SyntheticTestData.Dataset;
        var data = s.Dataset;
        var probs = new double[data.NumItems + 1];
        var domainProbs = new double[data.NumItems + 1];
        double logLikelihood = 0, negEntropy = 0, domainLogLikelihood = 0;
        long n = 0;
        for (int u = 1; u <= data.NumUsers; u++)
        {
            int d = data.UserDomain(u);
            var seq = data.GetSequence(u);
            for (int t = 1; t < seq.Length; t++)
            {
                s.NextItemProbabilitiesForUser(u, seq[t - 1], probs);
                s.NextItemProbabilities(d, seq[t - 1], domainProbs);
                Assert.Equal(1.0, probs.Sum(), 9);
                Assert.Equal(1.0, domainProbs.Sum(), 9);
                Assert.Equal(0.0, probs[seq[t - 1]]);
                logLikelihood += Math.Log(probs[seq[t]]);
                domainLogLikelihood += Math.Log(domainProbs[seq[t]]);
                negEntropy += probs.Where(p => p > 0).Sum(p => p * Math.Log(p));
                n++;
            }
        }

        Assert.InRange((logLikelihood - negEntropy) / n, -0.03, 0.03);
        Assert.True(logLikelihood / n > (domainLogLikelihood / n) + 0.05, "knowing the user's tier should help");
    }

    [Fact]
    public void StatisticsShowEveryPlantedGap()
    {
        foreach (var d in SyntheticTestData.Dataset.Statistics.Domains)
        {
            Assert.True(d.UserHitRate10 > d.DomainHitRate10, $"{d.Name}: personalisation gap");
            Assert.True(d.DomainHitRate10 > d.PooledHitRate10, $"{d.Name}: domain gap");
            Assert.True(d.DomainHitRate10 > d.DiverseHitRate10 + 0.03, $"{d.Name}: diversity costs accuracy");
            Assert.True(d.DiverseListCategories10 > d.DomainListCategories10 + 2, $"{d.Name}: diverse list covers more categories");
            Assert.True(d.SameCategoryShare > d.SameCategoryShareByChance, $"{d.Name}: same-category share");
        }
    }

    [Fact]
    public void DefaultsMakeAFewThousandUsersInThreeDomains()
    {
        var options = new SyntheticOptions();
        options.Validate();
        Assert.Equal(3000, options.Users);
        Assert.Equal(600, options.Items);
        Assert.Equal(3, options.Domains.Count);
        Assert.Equal(15, options.Domains.Average(d => d.MeanLength), 6);
    }

    public static TheoryData<SyntheticOptions, string> BadOptions() => new()
    {
        { new SyntheticOptions { Users = 0 }, "Users" },
        { new SyntheticOptions { Name = "../escape" }, "Name" },
        { new SyntheticOptions { Clusters = 1 }, "Clusters" },
        { new SyntheticOptions { Items = 100, Clusters = 20, SubClusters = 3 }, "Items" },
        { new SyntheticOptions { Categories = 1 }, "Categories" },
        { new SyntheticOptions { SubClusterShare = 1.5 }, "SubClusterShare" },
        { new SyntheticOptions { PrimaryCategoryShare = 0.9, SecondaryCategoryShare = 0.2 }, "SecondaryCategoryShare" },
        { new SyntheticOptions { SuccessorShare = double.NaN }, "SuccessorShare" },
        { new SyntheticOptions { MinLength = 1 }, "MinLength" },
        { new SyntheticOptions { MinLength = 10, MaxLength = 9 }, "MaxLength" },
        { new SyntheticOptions { MeanGapSeconds = -1 }, "MeanGapSeconds" },
        { new SyntheticOptions { Domains = [] }, "Domains" },
        { new SyntheticOptions { Domains = [new("x"), new("x")] }, "appears twice" },
        { new SyntheticOptions { Domains = [new("has space")] }, "whitespace" },
        { new SyntheticOptions { Domains = [new("x") { WithinClusterShare = -0.1 }] }, "WithinClusterShare" },
        { new SyntheticOptions { Domains = [new("x") { MeanLength = 80 }] }, "MeanLength" },
        { new SyntheticOptions { Domains = [new("x") { UserShare = 0 }] }, "UserShare" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void InvalidOptionsThrowNamingTheOption(SyntheticOptions options, string named)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => SyntheticDataGenerator.Generate(options));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GroundTruthQueriesRejectOutOfRangeIds()
    {
        var s = SyntheticTestData.Dataset;
        var probs = new double[s.Dataset.NumItems + 1];
        Assert.Throws<ArgumentOutOfRangeException>(() => s.NextItemProbabilities(3, 1, probs));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.NextItemProbabilities(0, 0, probs));
        Assert.Throws<ArgumentException>(() => s.NextItemProbabilities(0, 1, new double[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.PreferredSubCluster(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.SuccessorCluster(0, s.NumClusters + 1));
    }

    private static (long[] Within, long[] SubWithin, long[] Transitions) CountTransitions(SyntheticDataset s)
    {
        var within = new long[3];
        var subWithin = new long[3];
        var transitions = new long[3];
        for (int u = 1; u <= s.Dataset.NumUsers; u++)
        {
            int d = s.Dataset.UserDomain(u);
            var seq = s.Dataset.GetSequence(u);
            for (int t = 1; t < seq.Length; t++)
            {
                transitions[d]++;
                if (s.ItemCluster[seq[t]] == s.ItemCluster[seq[t - 1]])
                {
                    within[d]++;
                    subWithin[d] += s.ItemSubCluster[seq[t]] == s.ItemSubCluster[seq[t - 1]] ? 1 : 0;
                }
            }
        }

        return (within, subWithin, transitions);
    }

    private static double Gini(double[] counts)
    {
        var sorted = counts.Order().ToArray();
        double weighted = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            weighted += ((2.0 * (i + 1)) - sorted.Length - 1) * sorted[i];
        }

        return weighted / (sorted.Length * sorted.Sum());
    }
}
