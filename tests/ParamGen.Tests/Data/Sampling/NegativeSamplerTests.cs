using ParamGen.Data;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.Data.Sampling;

public class NegativeSamplerTests
{
    private static readonly InteractionDataset Data = TestDatasets.Generated(users: 200, items: 120, minLength: 5, maxLength: 110, seed: 11);

    public static TheoryData<string> Samplers => ["uniform", "popularity-0", "popularity-0.5", "popularity-1"];

    private static INegativeSampler Create(string name, InteractionDataset ds) => name switch
    {
        "uniform" => new UniformNegativeSampler(ds),
        _ => new PopularityNegativeSampler(ds, double.Parse(name["popularity-".Length..], System.Globalization.CultureInfo.InvariantCulture)),
    };

    /// <summary>Pearson's chi-square of observed counts against expected probabilities.</summary>
    private static double ChiSquare(int[] observed, double[] expected, int draws)
    {
        double chi = 0;
        for (int i = 0; i < observed.Length; i++)
        {
            if (expected[i] > 0)
            {
                double e = expected[i] * draws;
                chi += (observed[i] - e) * (observed[i] - e) / e;
            }
            else
            {
                Assert.Equal(0, observed[i]);
            }
        }

        return chi;
    }

    [Theory]
    [MemberData(nameof(Samplers))]
    public void SamplersNeverReturnAnItemTheUserInteractedWith(string name)
    {
        var sampler = Create(name, Data);
        var g = new Generator(1);
        var draws = new int[400];
        long total = 0;
        for (int u = 1; u <= Data.NumUsers; u++)
        {
            var history = new HashSet<int>(Data.GetSequence(u).ToArray());
            sampler.Sample(u, draws.Length, draws, g);
            foreach (int item in draws)
            {
                Assert.InRange(item, 1, Data.NumItems);
                Assert.DoesNotContain(item, history);
            }

            total += draws.Length;
        }

        Assert.Equal(80_000, total);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void PopularityFrequenciesFollowCountToTheAlphaOverTheUsersComplement(double alpha)
    {
        // Item k (k = 1 .. 20) has k interactions from filler users; the probe user saw items 3 and 20.
        var b = new InteractionDatasetBuilder("popularity");
        for (int k = 1; k <= 20; k++)
        {
            b.ItemId($"i{k}");
        }

        for (int k = 1; k <= 20; k++)
        {
            for (int c = 0; c < k; c++)
            {
                b.Add($"filler{c}", $"i{k}");
            }
        }

        b.Add("probe", "i3");
        b.Add("probe", "i20");
        var ds = b.Build();
        int probe = ds.Users.GetId("probe");
        var sampler = new PopularityNegativeSampler(ds, alpha);

        var expected = new double[21];
        double total = 0;
        for (int k = 1; k <= 20; k++)
        {
            int count = k + (k == 3 || k == 20 ? 1 : 0);
            expected[k] = k == 3 || k == 20 ? 0 : Math.Pow(count, alpha);
            total += expected[k];
        }

        for (int k = 1; k <= 20; k++)
        {
            expected[k] /= total;
            Assert.Equal(expected[k], sampler.Probability(probe, ds.Items.GetId($"i{k}")), 12);
        }

        const int N = 200_000;
        var draws = new int[N];
        sampler.Sample(probe, N, draws, new Generator(7));
        var observed = new int[21];
        foreach (int item in draws)
        {
            observed[int.Parse(ds.Items.GetToken(item).AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)]++;
        }

        // 18 free items, 17 degrees of freedom: P(chi-square > 40.8) = 0.001.
        Assert.InRange(ChiSquare(observed, expected, N), 0, 40.8);
    }

    [Fact]
    public void UsersWhoSawAlmostEverythingGetExactDrawsFromTheFewItemsLeft()
    {
        // 60 items; "most" saw 55 of them (all but 5 unpopular ones), "all-but-one" saw 59.
        var b = new InteractionDatasetBuilder("dense");
        for (int k = 1; k <= 60; k++)
        {
            for (int c = 0; c < (k <= 55 ? 50 : 1); c++)
            {
                b.Add($"filler{c}", $"i{k}");
            }

            if (k <= 55)
            {
                b.Add("most", $"i{k}");
            }

            if (k != 42)
            {
                b.Add("all-but-one", $"i{k}");
            }
        }

        var ds = b.Build();
        int most = ds.Users.GetId("most"), allButOne = ds.Users.GetId("all-but-one");
        var g = new Generator(3);
        var draws = new int[20_000];
        foreach (var sampler in new INegativeSampler[] { new UniformNegativeSampler(ds), new PopularityNegativeSampler(ds, 1.0) })
        {
            sampler.Sample(allButOne, 100, draws, g);
            Assert.All(draws[..100], item => Assert.Equal("i42", ds.Items.GetToken(item)));

            // Under popularity, the 5 items left carry about 0.2% of the mass: most draws need the exact path.
            sampler.Sample(most, draws.Length, draws, g);
            var observed = new int[5];
            foreach (int item in draws)
            {
                int k = int.Parse(ds.Items.GetToken(item).AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(k, 56, 60);
                observed[k - 56]++;
            }

            // The 5 items have equal counts (2 each), so both samplers are uniform over them; 4 d.o.f., P(> 18.5) = 0.001.
            Assert.InRange(ChiSquare(observed, [0.2, 0.2, 0.2, 0.2, 0.2], draws.Length), 0, 18.5);
        }
    }

    [Fact]
    public void AUserWithNoNegativeLeftThrowsNamingTheUserBeforeWriting()
    {
        var b = new InteractionDatasetBuilder("tiny");
        b.Add("greedy", "x");
        b.Add("greedy", "y");
        b.Add("other", "x");
        b.ItemId("ghost"); // in the catalogue but never interacted with: weight 0 when alpha > 0
        var ds = b.Build();
        int greedy = ds.Users.GetId("greedy");

        var draws = new int[] { -1, -1 };
        var popularity = Assert.Throws<InvalidOperationException>(() => new PopularityNegativeSampler(ds, 1.0).Sample(greedy, 2, draws, new Generator(1)));
        Assert.Contains("user 'greedy'", popularity.Message);
        Assert.Contains("no negative item exists", popularity.Message);
        Assert.Equal([-1, -1], draws);

        // Alpha 0 is uniform over the catalogue, so the ghost item is the one negative; so it is for uniform.
        new PopularityNegativeSampler(ds, 0.0).Sample(greedy, 2, draws, new Generator(1));
        Assert.Equal(["ghost", "ghost"], draws.Select(ds.Items.GetToken));
        new UniformNegativeSampler(ds).Sample(greedy, 2, draws, new Generator(1));
        Assert.Equal(["ghost", "ghost"], draws.Select(ds.Items.GetToken));

        var full = TestDatasets.FromSequences(("all", "p q r"), ("some", "p"));
        var uniform = Assert.Throws<InvalidOperationException>(() => new UniformNegativeSampler(full).Sample(1, 1, new int[1], new Generator(1)));
        Assert.Contains("user 'all' (id 1) of dataset 'hand-made' interacted with 3 of the 3 items", uniform.Message);
    }

    [Theory]
    [MemberData(nameof(Samplers))]
    public void UnknownUsersAndBadCountsThrowClearly(string name)
    {
        var sampler = Create(name, Data);
        var g = new Generator(1);
        var buffer = new int[4];
        Assert.Contains($"user id 0 is not a user of dataset 'generated' (ids 1 .. {Data.NumUsers})", Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(0, 1, buffer, g)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(Data.NumUsers + 1, 1, buffer, g));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(1, -1, buffer, g));
        Assert.Contains("holds 4 items but 5 negatives", Assert.Throws<ArgumentException>(() => sampler.Sample(1, 5, buffer, g)).Message);
    }

    [Fact]
    public void BadAlphaIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PopularityNegativeSampler(Data, -0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PopularityNegativeSampler(Data, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PopularityNegativeSampler(Data, double.PositiveInfinity));
    }

    [Fact]
    public void SamplingIsDeterministicForAGeneratorSeed()
    {
        var sampler = new PopularityNegativeSampler(Data, 0.75);
        var a = new int[50];
        var b = new int[50];
        sampler.Sample(5, 50, a, new Generator(99));
        sampler.Sample(5, 50, b, new Generator(99));
        Assert.Equal(a, b);
    }

    [Fact]
    public void BatchNegativesFillEveryTargetPositionAndOnlyThose()
    {
        var examples = Enumerable.Range(1, Data.NumUsers).Select(u => new SequenceExample(u, Math.Min(Data.SequenceLength(u), 12)));
        var batcher = new SequenceBatcher(Data, examples, new SequenceBatchOptions { BatchSize = 64, MaxLength = 16 });
        var sampler = new UniformNegativeSampler(Data);
        var g = new Generator(4);
        foreach (var batch in batcher)
        {
            var negatives = sampler.SampleForTargets(batch, g);
            Assert.Equal(batch.Targets.Shape.ToArray(), negatives.Shape.ToArray());
            var targets = batch.Targets.ToArray();
            var values = negatives.ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                int user = batch.UserIds[i / 16];
                Assert.Equal(targets[i] == 0, values[i] == 0);
                Assert.True(values[i] == 0 || !Data.GetSequence(user).Contains((int)values[i]));
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.SampleForTargets(SequenceBatch.FromHistory([1, 2]), g));
    }
}
