using ParamGen.Data;

namespace ParamGen.Tests.Data.Batching;

public class SequenceBatchTests
{
    // Items get ids in order of first sight: a=1 b=2 c=3 d=4 e=5 f=6 g=7.
    private static readonly InteractionDataset HandMade = TestDatasets.FromSequences(
        ("u1", "a b c d e"),
        ("u2", "f g"),
        ("u3", "a c e g b d f"));

    [Fact]
    public void RowsAreLeftPaddedKeepTheMostRecentItemsAndTargetsAreShiftedByOne()
    {
        var examples = new SequenceExample[] { new(1, 5), new(2, 2), new(3, 7), new(1, 3) };
        var batcher = new SequenceBatcher(HandMade, examples, new SequenceBatchOptions { BatchSize = 4, MaxLength = 4 });
        var batch = Assert.Single(batcher);

        Assert.Equal([4, 4], batch.ItemIds.Shape.ToArray());
        Assert.Equal(
            [
                1, 2, 3, 4,   // u1 End 5: input a b c d, target e
                0, 0, 0, 6,   // u2 End 2: input f, target g
                5, 7, 2, 4,   // u3 End 7: input a c e g b d truncated to the last 4 (e g b d), target f
                0, 0, 1, 2,   // u1 End 3: input a b, target c
            ],
            batch.ItemIds.ToArray());
        Assert.Equal(
            [
                2, 3, 4, 5,
                0, 0, 0, 7,
                7, 2, 4, 6,
                0, 0, 2, 3,
            ],
            batch.Targets.ToArray());
        Assert.Equal([5f, 7f, 6f, 3f], batch.LastTargets.ToArray());
        Assert.Equal([4, 1, 4, 2], batch.Lengths.ToArray());
        Assert.Equal([1, 2, 3, 1], batch.UserIds.ToArray());
        Assert.Equal([0, 0, 0, 0], batch.DomainIds.ToArray());
        Assert.Equal(examples, batch.Examples.ToArray());
        Assert.Equal(4, batch.Size);
        Assert.Equal(4, batch.MaxLength);
    }

    [Fact]
    public void DomainIdsAreTheDomainOfTheTargetInteraction()
    {
        var b = new InteractionDatasetBuilder("domains", hasDomains: true);
        b.Add("u", "x", domain: "books");
        b.Add("u", "y", domain: "toys");
        b.Add("u", "z", domain: "books");
        var ds = b.Build();

        var batch = Assert.Single(new SequenceBatcher(ds, [new(1, 2), new(1, 3)], new SequenceBatchOptions { MaxLength = 3 }));

        Assert.Equal([1, 0], batch.DomainIds.ToArray());
        Assert.Equal([1f, 0f], batch.DomainIdTensor.ToArray());
        Assert.Equal([2], batch.DomainIdTensor.Shape.ToArray());
    }

    [Fact]
    public void EveryRowMatchesANaiveLayoutAndItsLastTargetIsTheLastTargetColumn()
    {
        var ds = TestDatasets.Generated(users: 60, items: 40, minLength: 2, maxLength: 30, seed: 3, domains: true);
        var examples = new List<SequenceExample>();
        for (int u = 1; u <= ds.NumUsers; u++)
        {
            for (int end = 2; end <= ds.SequenceLength(u); end++)
            {
                examples.Add(new(u, end));
            }
        }

        const int L = 8;
        int rows = 0;
        foreach (var batch in new SequenceBatcher(ds, examples, new SequenceBatchOptions { BatchSize = 50, MaxLength = L, Shuffle = true, Seed = 9 }))
        {
            var ids = batch.ItemIds.ToArray();
            var targets = batch.Targets.ToArray();
            for (int r = 0; r < batch.Size; r++, rows++)
            {
                var (user, end) = batch.Examples[r];
                var seq = ds.GetSequence(user).ToArray();
                var expectedIds = new float[L];
                var expectedTargets = new float[L];
                for (int t = 0; t < L; t++)
                {
                    int j = end - 1 - L + t; // sequence index of column t
                    expectedIds[t] = j >= 0 ? seq[j] : 0;
                    expectedTargets[t] = j >= 0 ? seq[j + 1] : 0;
                }

                Assert.Equal(expectedIds, ids.AsSpan(r * L, L).ToArray());
                Assert.Equal(expectedTargets, targets.AsSpan(r * L, L).ToArray());
                Assert.Equal(seq[end - 1], batch.LastTargets[r]);
                Assert.Equal(targets[(r * L) + L - 1], batch.LastTargets[r]);
                Assert.Equal(Math.Min(end - 1, L), batch.Lengths[r]);
                Assert.Equal(user, batch.UserIds[r]);
                Assert.Equal(ds.GetDomains(user)[end - 1], batch.DomainIds[r]);
            }
        }

        Assert.Equal(examples.Count, rows);
    }

    [Fact]
    public void FromHistoriesUsesTheWholeHistoryAsInputWithUnknownNextItem()
    {
        var batch = SequenceBatch.FromHistories([[1, 2, 3], [4]], maxLength: 2, domainIds: [0, 1]);

        Assert.Equal([2f, 3f, 0f, 4f], batch.ItemIds.ToArray());
        Assert.Equal([3f, 0f, 0f, 0f], batch.Targets.ToArray());
        Assert.Equal([0f, 0f], batch.LastTargets.ToArray());
        Assert.Equal([2, 1], batch.Lengths.ToArray());
        Assert.Equal([0, 0], batch.UserIds.ToArray());
        Assert.Equal([0, 1], batch.DomainIds.ToArray());
        Assert.Equal([new SequenceExample(0, 4), new SequenceExample(0, 2)], batch.Examples.ToArray());

        var one = SequenceBatch.FromHistory([7, 8], maxLength: 3);
        Assert.Equal([0f, 7f, 8f], one.ItemIds.ToArray());
    }

    [Fact]
    public void FromHistoriesRejectsEmptyHistoriesAndBadIdsNamingTheRow()
    {
        Assert.Contains("history 1 is empty", Assert.Throws<ArgumentException>(() => SequenceBatch.FromHistories([[1], []])).Message);
        Assert.Contains("item id 0 at position 1", Assert.Throws<ArgumentException>(() => SequenceBatch.FromHistories([[3, 0]])).Message);
        Assert.Contains("item id 9 at position 0", Assert.Throws<ArgumentException>(() => SequenceBatch.FromHistories([[9]], numItems: 8)).Message);
        Assert.Contains("no histories", Assert.Throws<ArgumentException>(() => SequenceBatch.FromHistories([])).Message);
        Assert.Contains("1 domain ids for 2 histories", Assert.Throws<ArgumentException>(() => SequenceBatch.FromHistories([[1], [2]], domainIds: [0])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceBatch.FromHistories([[1]], maxLength: 0));
    }
}
