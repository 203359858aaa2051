using ParamGen.Data;

namespace ParamGen.Tests.Data.Batching;

public class SequenceBatcherTests
{
    private static readonly InteractionDataset Data = TestDatasets.Generated(users: 300, items: 50, minLength: 3, maxLength: 12, seed: 1);

    private static SequenceExample[] LastOfEachUser(InteractionDataset ds) =>
        Enumerable.Range(1, ds.NumUsers).Select(u => new SequenceExample(u, ds.SequenceLength(u))).ToArray();

    private static SequenceExample[][] Epoch(SequenceBatcher batcher, int epoch) =>
        batcher.Epoch(epoch).Select(b => b.Examples.ToArray()).ToArray();

    [Fact]
    public void WithoutShuffleBatchesFollowTheGivenOrder()
    {
        var examples = LastOfEachUser(Data);
        var batcher = new SequenceBatcher(Data, examples, new SequenceBatchOptions { BatchSize = 64 });
        Assert.Equal(examples, Epoch(batcher, 0).SelectMany(b => b));
        Assert.Equal(examples, Epoch(batcher, 3).SelectMany(b => b));
    }

    [Fact]
    public void ShuffleIsDeterministicPerSeedAndEpochAndDiffersAcrossEpochsAndSeeds()
    {
        var examples = LastOfEachUser(Data);
        var options = new SequenceBatchOptions { BatchSize = 64, Shuffle = true, Seed = 123 };
        var a = new SequenceBatcher(Data, examples, options);
        var b = new SequenceBatcher(Data, examples, options);
        var other = new SequenceBatcher(Data, examples, options with { Seed = 124 });

        var a0 = Epoch(a, 0).SelectMany(x => x).ToArray();
        var a1 = Epoch(a, 1).SelectMany(x => x).ToArray();
        Assert.Equal(a0, Epoch(b, 0).SelectMany(x => x));
        Assert.Equal(a1, Epoch(b, 1).SelectMany(x => x));
        Assert.NotEqual(a0, a1);
        Assert.NotEqual(a0, examples);
        Assert.NotEqual(a0, Epoch(other, 0).SelectMany(x => x));

        // Epoch 1 alone equals epoch 1 after epoch 0: no state carries over between epochs.
        Assert.Equal(a1, Epoch(new SequenceBatcher(Data, examples, options), 1).SelectMany(x => x));

        // Enumerating the batcher itself follows SetEpoch, like DistributedSampler.set_epoch.
        Assert.Equal(a0, a.SelectMany(x => x.Examples.ToArray()));
        Assert.Equal(a0, a.SelectMany(x => x.Examples.ToArray()));
        a.SetEpoch(1);
        Assert.Equal(1, a.CurrentEpoch);
        Assert.Equal(a1, a.SelectMany(x => x.Examples.ToArray()));

        var order = new int[examples.Length];
        a.GetOrder(1, order);
        Assert.Equal(a1, order.Select(i => examples[i]));
    }

    [Fact]
    public void WithoutASeedTheDefaultGeneratorProvidesOne()
    {
        var batcher = new SequenceBatcher(Data, LastOfEachUser(Data), new SequenceBatchOptions { Shuffle = true });
        var again = new SequenceBatcher(Data, LastOfEachUser(Data), new SequenceBatchOptions { Shuffle = true, Seed = batcher.Seed });
        Assert.Equal(Epoch(batcher, 2).SelectMany(x => x), Epoch(again, 2).SelectMany(x => x));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryExampleAppearsExactlyOncePerEpoch(bool shuffle)
    {
        var examples = Enumerable.Range(1, Data.NumUsers)
            .SelectMany(u => Enumerable.Range(2, Data.SequenceLength(u) - 1).Select(end => new SequenceExample(u, end)))
            .ToArray();
        var batcher = new SequenceBatcher(Data, examples, new SequenceBatchOptions { BatchSize = 100, Shuffle = shuffle, Seed = 5 });
        Assert.Equal((examples.Length + 99) / 100, batcher.BatchCount);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var batches = Epoch(batcher, epoch);
            Assert.Equal(batcher.BatchCount, batches.Length);
            Assert.All(batches[..^1], b => Assert.Equal(100, b.Length));
            Assert.Equal(examples.Length - (100 * (batches.Length - 1)), batches[^1].Length);
            Assert.Equal(examples.OrderBy(e => e.User).ThenBy(e => e.End), batches.SelectMany(b => b).OrderBy(e => e.User).ThenBy(e => e.End));
        }
    }

    [Fact]
    public void DropLastSkipsOnlyTheShortLastBatch()
    {
        var examples = LastOfEachUser(Data)[..250];
        var keep = new SequenceBatcher(Data, examples, new SequenceBatchOptions { BatchSize = 64 });
        var drop = new SequenceBatcher(Data, examples, new SequenceBatchOptions { BatchSize = 64, DropLast = true, Shuffle = true, Seed = 1 });
        Assert.Equal(4, keep.BatchCount);
        Assert.Equal(3, drop.BatchCount);
        var batches = Epoch(drop, 0);
        Assert.Equal(3, batches.Length);
        Assert.All(batches, b => Assert.Equal(64, b.Length));
        Assert.Equal(192, batches.SelectMany(b => b).Distinct().Count());

        var exact = new SequenceBatcher(Data, examples[..128], new SequenceBatchOptions { BatchSize = 64, DropLast = true });
        Assert.Equal(2, exact.BatchCount);
        var tooFew = new SequenceBatcher(Data, examples[..10], new SequenceBatchOptions { BatchSize = 64, DropLast = true });
        Assert.Equal(0, tooFew.BatchCount);
        Assert.Empty(tooFew);
    }

    [Fact]
    public void BadExamplesAndOptionsAreRejectedNamingTheExample()
    {
        int u = 7, n = Data.SequenceLength(u);
        string token = Data.Users.GetToken(u);
        var empty = Assert.Throws<ArgumentException>(() => new SequenceBatcher(Data, [new(1, 2), new(u, 1)]));
        Assert.Contains($"example 1 (user '{token}', End 1) has an empty input", empty.Message);
        var past = Assert.Throws<ArgumentException>(() => new SequenceBatcher(Data, [new(u, n + 1)]));
        Assert.Contains($"runs past the user's {n} interactions", past.Message);
        Assert.Contains("user id 0", Assert.Throws<ArgumentException>(() => new SequenceBatcher(Data, [new(0, 2)])).Message);
        Assert.Contains($"user id {Data.NumUsers + 1}", Assert.Throws<ArgumentException>(() => new SequenceBatcher(Data, [new(Data.NumUsers + 1, 2)])).Message);
        Assert.Contains("no examples", Assert.Throws<ArgumentException>(() => new SequenceBatcher(Data, [])).Message);
        Assert.Contains("BatchSize = 0", Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceBatcher(Data, [new(1, 2)], new SequenceBatchOptions { BatchSize = 0 })).Message);
        Assert.Contains("MaxLength = -1", Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceBatcher(Data, [new(1, 2)], new SequenceBatchOptions { MaxLength = -1 })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceBatcher(Data, [new(1, 2)]).SetEpoch(-1));
    }

    [Fact]
    public void ABatchAllocatesOnlyItsTensorsAndPerRowArrays()
    {
        var ds = TestDatasets.Generated(users: 2000, items: 500, minLength: 20, maxLength: 80, seed: 2);
        const int B = 256, L = 50;
        var batcher = new SequenceBatcher(ds, LastOfEachUser(ds), new SequenceBatchOptions { BatchSize = B, MaxLength = L, Shuffle = true, Seed = 1 });
        for (int warm = 0; warm < 2; warm++)
        {
            foreach (var unused in batcher.Epoch(warm))
            {
                // Warm-up: the first epoch allocates the batcher's permutation array once, and later ones let the
                // runtime finish tiering up the code (its own one-off allocations are not the batcher's).
            }
        }

        // What a batch of b rows hands out: ItemIds and Targets (b·L floats each), LastTargets and the domain
        // tensor (b floats each), Lengths, UserIds, DomainIds (b ints each), Examples (b × 8 bytes).
        static long ArrayBytes(long elements, int size) => (24 + (elements * size) + 7) / 8 * 8;
        static long Payload(int b) => (2 * ArrayBytes((long)b * L, 4)) + (5 * ArrayBytes(b, 4)) + ArrayBytes(b, 8);

        // Constant per batch, whatever B, L or N: 4 Tensor objects with their shape arrays, the batch object
        // (768 bytes measured on .NET 10, x64).
        const long PerBatchObjects = 1024;
        var overheads = new List<long>();
        long total = 0, payloadTotal = 0;
        long start = GC.GetAllocatedBytesForCurrentThread();
        using (var e = batcher.Epoch(2).GetEnumerator())
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            while (e.MoveNext())
            {
                long after = GC.GetAllocatedBytesForCurrentThread();
                long payload = Payload(e.Current.Size);
                overheads.Add(after - before - payload);
                payloadTotal += payload;
                before = GC.GetAllocatedBytesForCurrentThread();
            }
        }

        total = GC.GetAllocatedBytesForCurrentThread() - start;
        // Every batch but at most one (a one-off allocation by the runtime on a busy machine) stays within the bound.
        overheads.Sort();
        Assert.All(overheads, o => Assert.True(o >= 0, $"a batch allocated less than it hands out ({o})"));
        Assert.InRange(overheads[^2], 0, PerBatchObjects);

        // The whole epoch: the batches plus a small constant (iterator, generator, one runtime hiccup), not the
        // N-element permutation (about 8 KB here).
        Assert.InRange(total - payloadTotal, 0, (batcher.BatchCount * PerBatchObjects) + 4096);
    }
}
