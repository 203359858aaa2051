using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Evaluation;
using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Training;

namespace ParamGen.Tests.Training;

/// <summary>Data, models and scorers for the training tests (independent of the library's Evaluator).</summary>
internal static class TrainingTestData
{
    /// <summary>
    /// A planted next-item pattern: each user starts at a random item and moves to item (i mod n) + 1 with
    /// probability <paramref name="follow"/>, else to a random item. Lengths 6..10, split leave-one-out.
    /// </summary>
    public static DatasetSplit Planted(int users = 240, int items = 30, double follow = 0.9, ulong seed = 5)
    {
        var g = new Generator(seed);
        var b = new InteractionDatasetBuilder("planted");
        for (int k = 1; k <= items; k++)
        {
            b.ItemId($"i{k}");
        }

        for (int u = 1; u <= users; u++)
        {
            int length = 6 + g.NextInt(5);
            int item = 1 + g.NextInt(items);
            for (int t = 0; t < length; t++)
            {
                b.Add($"u{u}", $"i{item}");
                item = g.NextDouble() < follow ? (item % items) + 1 : 1 + g.NextInt(items);
            }
        }

        return new LeaveOneOutSplit().Split(b.Build());
    }

    public static SequentialRecommender Model(DatasetSplit split, ulong seed = 1, float dropout = 0.2f, int dim = 16, Generator? generator = null) =>
        new(new TinyBackbone(split.Dataset.NumItems, new TinyOptions(dim, dropout), generator ?? new Generator(seed)));

    /// <summary>Full-ranking HR@10 / NDCG@10 (strictly higher scores count; padding excluded), computed here, not by Evaluator.</summary>
    public static EvaluationResult Rank(ISequentialRecommender model, InteractionDataset dataset, IReadOnlyList<SequenceExample> examples, EvaluationOptions options, CancellationToken token = default)
    {
        int l = options.MaxLength ?? model.Backbone.MaxLength;
        double hr = 0, ndcg = 0;
        foreach (var batch in new SequenceBatcher(dataset, examples, new SequenceBatchOptions { BatchSize = 128, MaxLength = l }))
        {
            var states = model.Encode(batch).Select(1, l - 1);      // [B, d]
            var scores = model.Backbone.Score(states);               // [B, C]
            int c = scores.Shape[1];
            var s = scores.AsReadOnlySpan();
            for (int r = 0; r < batch.Size; r++)
            {
                int target = (int)batch.LastTargets[r];
                float ts = s[(r * c) + target];
                int rank = 0;
                for (int i = 1; i < c; i++)
                {
                    rank += s[(r * c) + i] > ts ? 1 : 0;
                }

                if (rank < 10)
                {
                    hr++;
                    ndcg += 1 / Math.Log2(rank + 2);
                }
            }
        }

        return Result(new Dictionary<string, double> { ["HR@10"] = hr / examples.Count, ["NDCG@10"] = ndcg / examples.Count }, examples.Count);
    }

    /// <summary>NDCG@10 of ranking every item by its number of interactions in the dataset (ties: strictly more count).</summary>
    public static double PopularityNdcg(DatasetSplit split, IReadOnlyList<SequenceExample> examples)
    {
        var counts = new int[split.Dataset.NumItems + 1];
        foreach (int item in split.Dataset.ItemColumn)
        {
            counts[item]++;
        }

        double ndcg = 0;
        foreach (var example in examples)
        {
            int target = example.Target(split.Dataset);
            int rank = counts.Skip(1).Count(c => c > counts[target]);
            ndcg += rank < 10 ? 1 / Math.Log2(rank + 2) : 0;
        }

        return ndcg / examples.Count;
    }

    /// <summary>A scorer that returns the given NDCG@10 values in turn (then repeats the last), counting its calls.</summary>
    public static ValidationScorer Scripted(double[] scores, List<int>? calls = null)
    {
        int next = 0;
        return (_, _, examples, _, _) =>
        {
            calls?.Add(examples.Count);
            double v = scores[Math.Min(next++, scores.Length - 1)];
            return Result(new Dictionary<string, double> { ["NDCG@10"] = v, ["HR@10"] = v }, examples.Count);
        };
    }

    public static EvaluationResult Result(IReadOnlyDictionary<string, double> overall, int examples) => new()
    {
        Overall = overall,
        PerDomain = new Dictionary<string, IReadOnlyDictionary<string, double>>(),
        Protocol = EvaluationProtocol.Full,
        MaskHistory = false,
        Examples = examples,
        Seconds = 0,
    };

    /// <summary>Every parameter's values, by key.</summary>
    public static Dictionary<string, float[]> Weights(ISequentialRecommender model) =>
        model.Module.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());

    public static void AssertSameWeights(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, values) in expected)
        {
            Assert.True(values.AsSpan().SequenceEqual(actual[key]), $"'{key}' differs.");
        }
    }

    public static bool SameWeights(Dictionary<string, float[]> a, Dictionary<string, float[]> b) =>
        a.All(kv => kv.Value.AsSpan().SequenceEqual(b[kv.Key]));
}
