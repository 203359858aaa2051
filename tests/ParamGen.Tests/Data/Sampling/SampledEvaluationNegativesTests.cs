using ParamGen.Data;

namespace ParamGen.Tests.Data.Sampling;

public class SampledEvaluationNegativesTests
{
    private static readonly InteractionDataset Data = TestDatasets.Generated(users: 300, items: 400, minLength: 5, maxLength: 150, seed: 21);

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void EachUserGetsDistinctItemsOutsideTheWholeHistory(double alpha)
    {
        var negatives = SampledEvaluationNegatives.Create(Data, new SampledEvaluationOptions { PopularityAlpha = alpha });
        Assert.Equal(100, negatives.Count);
        Assert.Equal(Data.NumUsers * 100, negatives.AsSpan().Length);
        for (int u = 1; u <= Data.NumUsers; u++)
        {
            var row = negatives.For(u).ToArray();
            var history = Data.GetSequence(u).ToArray();
            Assert.Equal(100, row.Distinct().Count());
            Assert.All(row, item => Assert.InRange(item, 1, Data.NumItems));
            Assert.Empty(row.Intersect(history));
            Assert.Equal(row, negatives.AsSpan().Slice((u - 1) * 100, 100).ToArray());
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.75)]
    public void NegativesAreReproducibleAndIndependentOfThreadsAndUserOrder(double alpha)
    {
        var options = new SampledEvaluationOptions { Seed = 5, PopularityAlpha = alpha };
        var oneThread = SampledEvaluationNegatives.Create(Data, options with { MaxDegreeOfParallelism = 1 });
        var twoThreads = SampledEvaluationNegatives.Create(Data, options with { MaxDegreeOfParallelism = 2 });
        var allCores = SampledEvaluationNegatives.Create(Data, options);
        Assert.Equal(oneThread.AsSpan().ToArray(), twoThreads.AsSpan().ToArray());
        Assert.Equal(oneThread.AsSpan().ToArray(), allCores.AsSpan().ToArray());

        // Each user drawn on its own, last user first, gives the same row.
        var row = new int[100];
        for (int u = Data.NumUsers; u >= 1; u--)
        {
            oneThread.Resample(u, row);
            Assert.Equal(oneThread.For(u).ToArray(), row);
        }

        var otherSeed = SampledEvaluationNegatives.Create(Data, options with { Seed = 6 });
        Assert.NotEqual(oneThread.AsSpan().ToArray(), otherSeed.AsSpan().ToArray());
    }

    [Fact]
    public void AUserWithExactlyCountItemsLeftGetsAllOfThem()
    {
        // 300 items; "dense" saw 295, so with Count 5 the draws must return the other 5 (most of them found
        // by the exact path once 64 proposals in a row fall in the history).
        var b = new InteractionDatasetBuilder("dense");
        for (int k = 1; k <= 300; k++)
        {
            b.Add($"filler{k}", $"i{k}");
            if (k <= 295)
            {
                b.Add("dense", $"i{k}");
            }
        }

        var ds = b.Build();
        foreach (double alpha in new[] { 0.0, 1.0 })
        {
            var negatives = SampledEvaluationNegatives.Create(ds, new SampledEvaluationOptions { Count = 5, PopularityAlpha = alpha });
            Assert.Equal(["i296", "i297", "i298", "i299", "i300"], negatives.For(ds.Users.GetId("dense")).ToArray().Select(ds.Items.GetToken).Order());
        }
    }

    [Fact]
    public void TooFewItemsLeftOrBadOptionsThrowBeforeDrawing()
    {
        var ds = TestDatasets.FromSequences(("alice", "a b c"), ("bob", "d e f g h"));
        var tooMany = Assert.Throws<ArgumentException>(() => SampledEvaluationNegatives.Create(ds, new SampledEvaluationOptions { Count = 4 }));
        Assert.Contains("user 'bob' (id 2) of dataset 'hand-made' interacted with 5 of the 8 items and has only 3 items left", tooMany.Message);
        Assert.Contains("fewer than the 4 negatives", tooMany.Message);

        var ok = SampledEvaluationNegatives.Create(ds, new SampledEvaluationOptions { Count = 3 });
        Assert.Equal(["a", "b", "c"], ok.For(2).ToArray().Select(ds.Items.GetToken).Order());
        Assert.Contains("user id 3", Assert.Throws<ArgumentOutOfRangeException>(() => ok.For(3).ToArray()).Message);
        Assert.Contains("Count = 0", Assert.Throws<ArgumentOutOfRangeException>(() => SampledEvaluationNegatives.Create(ds, new SampledEvaluationOptions { Count = 0 })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SampledEvaluationNegatives.Create(ds, new SampledEvaluationOptions { PopularityAlpha = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampledEvaluationNegatives.Create(ds, new SampledEvaluationOptions { MaxDegreeOfParallelism = 0 }));
    }
}
