using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Evaluation;
using ParamGen.Tensors;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.Evaluation;

/// <summary>Tests that change the process-wide Engine.NumThreads run alone, never beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EvaluationThreadsCollection
{
    public const string Name = "Evaluation.EngineNumThreads";
}

/// <summary>
/// The evaluator against a brute-force reference on random data. States and embeddings hold small integers, so
/// every score is an exact integer whatever the summation order, and ties are frequent.
/// </summary>
[Collection(EvaluationThreadsCollection.Name)]
public class EvaluatorReferenceTests
{
    private const int Items = 300, Dim = 8, Users = 150;
    private static readonly int[] Ks = [1, 5, 10, 20];

    [Theory]
    [InlineData(false, TieBreaking.Pessimistic)]
    [InlineData(true, TieBreaking.Pessimistic)]
    [InlineData(true, TieBreaking.Expected)]
    public void Full_ranking_matches_a_brute_force_sort(bool mask, TieBreaking ties)
    {
        var (model, data, states, embeddings) = RandomCase(11);
        var examples = EvaluationData.LastItems(data);
        var result = Evaluator.Evaluate(model, data, examples, new EvaluationOptions { Ks = Ks, MaskHistory = mask, Ties = ties, BatchSize = 64 });

        var sums = new Dictionary<string, double>();
        var covered = Ks.ToDictionary(k => k, _ => new HashSet<int>());
        foreach (var example in examples)
        {
            var input = example.Input(data).ToArray();
            int target = example.Target(data), last = input[^1];
            var candidates = Enumerable.Range(1, Items).Where(i => !mask || i == target || !input.Contains(i)).ToArray();
            long Score(int item) => Enumerable.Range(0, Dim).Sum(k => (long)states[last, k] * embeddings[item, k]);
            long t = Score(target);
            int higher = candidates.Count(i => Score(i) > t), level = candidates.Count(i => i != target && Score(i) == t);
            var ranks = ties == TieBreaking.Pessimistic ? [higher + level] : Enumerable.Range(higher, level + 1).ToArray();
            foreach (int k in Ks)
            {
                Add(sums, $"HR@{k}", ranks.Average(r => r < k ? 1.0 : 0.0));
                Add(sums, $"NDCG@{k}", ranks.Average(r => r < k ? 1 / Math.Log2(r + 2) : 0.0));
                Add(sums, $"MRR@{k}", ranks.Average(r => r < k ? 1.0 / (r + 1) : 0.0));
                covered[k].UnionWith(candidates.OrderByDescending(Score).ThenBy(i => i).Take(k));
            }
        }

        foreach (var (key, sum) in sums)
        {
            Assert.Equal(sum / examples.Length, result[key], 12);
        }

        foreach (int k in Ks)
        {
            Assert.Equal(result[$"HR@{k}"], result[$"Recall@{k}"]);
            Assert.Equal((double)covered[k].Count / Items, result[$"Coverage@{k}"], 12);
        }

        Assert.True(sums["HR@20"] > 0, "the case is vacuous: no target reached the top 20");
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count_or_batch_size()
    {
        var (model, data, _, _) = RandomCase(12);
        var examples = EvaluationData.LastItems(data);
        int saved = Engine.NumThreads;
        try
        {
            Engine.NumThreads = 1;
            var one = Evaluator.Evaluate(model, data, examples, new EvaluationOptions { MaskHistory = true, BatchSize = 150 });
            Engine.NumThreads = 2;
            var two = Evaluator.Evaluate(model, data, examples, new EvaluationOptions { MaskHistory = true, BatchSize = 150 });
            var small = Evaluator.Evaluate(model, data, examples, new EvaluationOptions { MaskHistory = true, BatchSize = 7 });
            Assert.Equal(one.Overall, two.Overall);
            Assert.Equal(one.Overall, small.Overall);
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }

    /// <summary>150 users with 2..30 items over 300; window 10, so masking must reach past the window.</summary>
    private static (SequentialRecommender Model, InteractionDataset Data, int[,] States, int[,] Embeddings) RandomCase(ulong seed)
    {
        var g = new Generator(seed);
        var sequences = new int[Users][];
        for (int u = 0; u < Users; u++)
        {
            sequences[u] = [.. Enumerable.Range(0, 2 + g.NextInt(29)).Select(_ => 1 + g.NextInt(Items))];
        }

        var states = new int[Items + 1, Dim];
        var embeddings = new int[Items + 1, Dim];
        var s = new float[(Items + 1) * Dim];
        var e = new float[(Items + 1) * Dim];
        for (int i = 0; i <= Items; i++)
        {
            for (int k = 0; k < Dim; k++)
            {
                states[i, k] = g.NextInt(5) - 2;
                embeddings[i, k] = g.NextInt(5) - 2;
                s[(i * Dim) + k] = states[i, k];
                e[(i * Dim) + k] = embeddings[i, k];
            }
        }

        var backbone = new TableBackbone(new Tensor(s, Items + 1, Dim), new Tensor(e, Items + 1, Dim), maxLength: 10);
        return (new SequentialRecommender(backbone), EvaluationData.Build(Items, sequences), states, embeddings);
    }

    private static void Add(Dictionary<string, double> sums, string key, double value) =>
        sums[key] = sums.GetValueOrDefault(key) + value;
}
