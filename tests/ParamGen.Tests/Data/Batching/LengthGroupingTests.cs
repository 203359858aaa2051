using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.Data.Batching;

/// <summary><see cref="SequenceBatchOptions.GroupByLength"/> and <see cref="SequenceBatchOptions.TrimToLongest"/>.</summary>
public class LengthGroupingTests
{
    // Lengths 3..40: inputs from 2 items to the whole window (40, or 16 where a test says so).
    private static readonly InteractionDataset Data = TestDatasets.Generated(users: 500, items: 60, minLength: 3, maxLength: 40, seed: 4);

    private static SequenceExample[] LastOfEachUser() =>
        Enumerable.Range(1, Data.NumUsers).Select(u => new SequenceExample(u, Data.SequenceLength(u))).ToArray();

    private static int Input(SequenceExample e, int window = 16) => Math.Min(e.InputLength, window);

    [Fact]
    public void GroupedBatches_VisitEveryExampleOnce_SortedWithinEachPool_WindowsCutToTheLongest()
    {
        var examples = LastOfEachUser();
        var options = new SequenceBatchOptions { BatchSize = 32, MaxLength = 40, Shuffle = true, Seed = 9, GroupByLength = true, LengthGroupPool = 4, TrimToLongest = true };
        var batches = new SequenceBatcher(Data, examples, options).Epoch(0).ToList();

        Assert.Equal(examples.OrderBy(e => e.User), batches.SelectMany(b => b.Examples.ToArray()).OrderBy(e => e.User));
        foreach (var batch in batches)
        {
            var lengths = batch.Examples.ToArray().Select(e => Input(e, 40)).ToArray();
            Assert.Equal(lengths.Max(), batch.MaxLength);                                  // the window is the longest input
            Assert.Equal(lengths.OrderByDescending(l => l), lengths);                       // a batch is one sorted run
            for (int r = 0; r < batch.Size; r++)
            {
                // Right-aligned: the most recent item sits in the last column, as in the full window.
                var e = batch.Examples[r];
                Assert.Equal(Data.GetSequence(e.User)[e.End - 2], (int)batch.ItemIds[r, batch.MaxLength - 1]);
            }
        }

        // Far less padding than the fixed window.
        double real = examples.Sum(e => Input(e, 40)), fixedCells = examples.Length * 40.0, grouped = batches.Sum(b => (double)b.Size * b.MaxLength);
        Assert.True(grouped < 0.75 * fixedCells && grouped >= real, $"grouped {grouped}, fixed {fixedCells}, real {real}");
    }

    [Fact]
    public void GroupedOrder_IsDeterministicPerSeedAndEpoch_AndTheBatchesAreShuffled()
    {
        var examples = LastOfEachUser();
        var options = new SequenceBatchOptions { BatchSize = 32, MaxLength = 16, Shuffle = true, Seed = 9, GroupByLength = true, LengthGroupPool = 4 };
        int[] Order(SequenceBatchOptions o, int epoch)
        {
            var order = new int[examples.Length];
            new SequenceBatcher(Data, examples, o).GetOrder(epoch, order);
            return order;
        }

        Assert.Equal(Order(options, 1), Order(options, 1));
        Assert.NotEqual(Order(options, 1), Order(options, 2));
        Assert.NotEqual(Order(options, 1), Order(options with { Seed = 10 }, 1));

        // Without shuffling batch b follows batch b - 1 within a pool (lengths fall), while with it some batch starts
        // longer than its predecessor ended within the first pool's span, which only a shuffle of batches gives.
        var batches = new SequenceBatcher(Data, examples, options).Epoch(0).Select(b => b.Examples.ToArray().Select(e => Input(e)).ToArray()).ToList();
        Assert.Contains(Enumerable.Range(1, 3), b => batches[b][0] > batches[b - 1][^1]);
        var plain = new SequenceBatcher(Data, examples, options with { Shuffle = false }).Epoch(0).Select(b => b.Examples.ToArray().Select(e => Input(e)).ToArray()).ToList();
        Assert.All(Enumerable.Range(1, 3), b => Assert.True(plain[b][0] <= plain[b - 1][^1]));
    }

    [Fact]
    public void SasRec_GivesTheSameStatesFromATrimmedWindow()
    {
        var examples = LastOfEachUser().Take(64).ToArray();
        var sasrec = new SasRec(Data.NumItems, new SasRecOptions { HiddenSize = 16, Blocks = 2, Heads = 2, MaxLength = 16 }, new Generator(5));
        sasrec.Eval();
        Assert.True(sasrec.IgnoresLeftPadding);
        Assert.False(((ISequentialBackbone)new Gru4Rec(Data.NumItems, new Gru4RecOptions { EmbeddingSize = 8, HiddenSize = 8, MaxLength = 16 })).IgnoresLeftPadding);
        var full = new SequenceBatcher(Data, examples, new SequenceBatchOptions { BatchSize = 64, MaxLength = 16 }).First();
        var shortest = examples.Where(e => Input(e) < 8).ToArray();
        var trimmed = new SequenceBatcher(Data, shortest, new SequenceBatchOptions { BatchSize = 64, MaxLength = 16, TrimToLongest = true }).First();
        Assert.True(trimmed.MaxLength < 8);
        var a = sasrec.Encode(full);        // [64, 16, d]
        var b = sasrec.Encode(trimmed);     // [n, l, d]
        var lastB = sasrec.EncodeLast(trimmed);
        int l = trimmed.MaxLength;
        for (int r = 0; r < shortest.Length; r++)
        {
            int row = Array.IndexOf(examples, shortest[r]);
            for (int t = 0; t < Input(shortest[r]); t++)
            {
                for (int c = 0; c < 16; c++)
                {
                    Assert.Equal(a[row, 15 - t, c], b[r, l - 1 - t, c], 4);
                }
            }

            for (int c = 0; c < 16; c++)
            {
                Assert.Equal(a[row, 15, c], lastB[r, c], 4);
            }
        }
    }

    [Fact]
    public void ABadPoolSizeIsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceBatchOptions { LengthGroupPool = 0 }.Validate());
        Assert.Contains("LengthGroupPool", error.Message, StringComparison.Ordinal);
    }
}
