using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Evaluation;

namespace ParamGen.Tests.Evaluation;

public class EvaluatorTests
{
    /// <summary>
    /// Five items; the scores after reading item i are row i (column 0 = the padding id, which must never count).
    /// Test examples: u1 [1 2 | 3] reads row 2, u2 [4 | 5] reads row 4, u3 [1 3 1 | 2] reads row 1.
    /// Unmasked ranks: u1 2 (items 1, 2 above); u2 2 above (1, 4) and 2 level (2, 3); u3 1 (item 1 above).
    /// </summary>
    private static readonly float[,] Scores =
    {
        { 0, 0, 0, 0, 0, 0 },
        { 0, 7, 6, 2, 0, 0 },
        { 100, 5, 4, 3, 2, 1 },
        { 0, 0, 0, 0, 0, 0 },
        { 0, 9, 1, 1, 8, 1 },
        { 0, 0, 0, 0, 0, 0 },
    };

    private static readonly int[][] Sequences = [[1, 2, 3], [4, 5], [1, 3, 1, 2]];

    private static (SequentialRecommender Model, InteractionDataset Data) Tiny(string[]? domains = null, ItemFeatures? features = null) =>
        (new SequentialRecommender(TableBackbone.FromScores(Scores)), EvaluationData.Build(5, Sequences, domains, features));

    private static EvaluationResult Run(SequentialRecommender model, InteractionDataset data, EvaluationOptions options) =>
        Evaluator.Evaluate(model, data, EvaluationData.LastItems(data), options);

    [Fact]
    public void Full_ranking_gives_the_hand_computed_metrics_and_ignores_the_padding_score()
    {
        var (model, data) = Tiny();
        var r = Run(model, data, new EvaluationOptions { Ks = [1, 3, 5] });

        // Pessimistic ranks 2, 4, 1.
        Assert.Equal(0.0, r["HR@1"]);
        Assert.Equal(2.0 / 3, r["HR@3"], 12);
        Assert.Equal(1.0, r["HR@5"], 12);
        Assert.Equal(r["HR@3"], r["Recall@3"]);
        Assert.Equal((0.5 + (1 / Math.Log2(3))) / 3, r["NDCG@3"], 12);
        Assert.Equal(((1.0 / 3) + 0.5) / 3, r["MRR@3"], 12);
        Assert.Equal(((1.0 / 3) + 0.2 + 0.5) / 3, r["MRR@5"], 12);
        Assert.Equal(3, r.Examples);
        Assert.Equal(EvaluationProtocol.Full, r.Protocol);
        Assert.False(r.MaskHistory);
        Assert.Empty(r.PerDomain);
    }

    [Fact]
    public void Masking_removes_history_items_but_never_the_target()
    {
        var (model, data) = Tiny();
        var r = Run(model, data, new EvaluationOptions { Ks = [1, 5], MaskHistory = true });

        // u1: items 1, 2 masked -> rank 0; u2: item 4 masked -> 1 above, 2 level -> rank 3;
        // u3: history {1, 3} masked -> rank 0 (item 1 appears twice before the target 2).
        Assert.True(r.MaskHistory);
        Assert.Equal(2.0 / 3, r["HR@1"], 12);
        Assert.Equal(2.0 / 3, r["NDCG@1"], 12);
        Assert.Equal((2 + (1 / Math.Log2(5))) / 3, r["NDCG@5"], 12);

        // A target already in the input stays rankable: u1 [3 1 | 3] reads row 1, where 3 scores 2 (below 1 and 2).
        var repeat = EvaluationData.Build(5, [[3, 1, 3]]);
        var masked = Run(model, repeat, new EvaluationOptions { Ks = [1, 2], MaskHistory = true });
        Assert.Equal(1.0, masked["MRR@2"] * 2, 12); // only item 2 above: rank 1
    }

    [Fact]
    public void Expected_tie_breaking_averages_over_the_tied_ranks()
    {
        var (model, data) = Tiny();
        var r = Run(model, data, new EvaluationOptions { Ks = [3], Ties = TieBreaking.Expected });

        // u2 is at rank 2, 3 or 4 with probability 1/3 each.
        Assert.Equal((1 + (1.0 / 3) + 1) / 3, r["HR@3"], 12);
        Assert.Equal(TieBreaking.Expected, r.Ties);
    }

    [Fact]
    public void A_constant_model_ranks_last_when_pessimistic_and_like_chance_when_expected()
    {
        var scores = new float[6, 6];
        var model = new SequentialRecommender(TableBackbone.FromScores(scores));
        var data = EvaluationData.Build(5, Sequences);
        Assert.Equal(0.0, Run(model, data, new EvaluationOptions { Ks = [2] })["HR@2"]);
        Assert.Equal(0.4, Run(model, data, new EvaluationOptions { Ks = [2], Ties = TieBreaking.Expected })["HR@2"], 12);
    }

    [Fact]
    public void A_nan_target_score_ranks_last()
    {
        var scores = (float[,])Scores.Clone();
        scores[2, 3] = float.NaN; // u1's target
        var model = new SequentialRecommender(TableBackbone.FromScores(scores));
        var r = Run(model, EvaluationData.Build(5, Sequences), new EvaluationOptions { Ks = [4] });

        // u1 falls from rank 2 to rank 4 (behind the 4 other items); u2 is at 4 and u3 at 1 as before.
        Assert.Equal(1.0 / 3, r["HR@4"], 12);
    }

    [Fact]
    public void Coverage_and_diversity_come_from_the_top_k_lists()
    {
        // Items 1, 2 in category a; 3, 4 in b; 5 has none.
        var features = ItemFeatures.FromSingleCategory(new Vocabulary("cat", ["a", "b"]), [0, 1, 1, 2, 2, 0]);
        var (model, data) = Tiny(features: features);

        // Lists: u1 [1 2 3], u2 [1 4 2] (2, 3, 5 tie: lower id first), u3 [1 2 3].
        var r = Run(model, data, new EvaluationOptions { Ks = [1, 3] });
        Assert.Equal(0.2, r["Coverage@1"], 12);
        Assert.Equal(0.8, r["Coverage@3"], 12);
        Assert.Equal(0.0, r["Diversity@1"]);
        Assert.Equal(2.0 / 3, r["Diversity@3"], 12);

        // Masked lists: u1 [3 4 5], u2 [1 2 3], u3 [2 4 5].
        var masked = Run(model, data, new EvaluationOptions { Ks = [1, 3], MaskHistory = true });
        Assert.Equal(0.6, masked["Coverage@1"], 12);
        Assert.Equal(1.0, masked["Coverage@3"], 12);
        Assert.Equal(((2.0 / 3) + (2.0 / 3) + 1.0) / 3, masked["Diversity@3"], 12);

        // Off on request, and never without categories.
        Assert.False(Run(model, data, new EvaluationOptions { ListMetrics = false }).Overall.ContainsKey("Coverage@10"));
        var (plain, plainData) = Tiny();
        var noCategories = Run(plain, plainData, new EvaluationOptions { Ks = [3] });
        Assert.True(noCategories.Overall.ContainsKey("Coverage@3"));
        Assert.False(noCategories.Overall.ContainsKey("Diversity@3"));
    }

    [Fact]
    public void Metrics_are_reported_per_domain_of_the_target_interaction()
    {
        var (model, data) = Tiny(domains: ["a", "b", "a"]);
        var r = Run(model, data, new EvaluationOptions { Ks = [3] });

        Assert.Equal(["a", "b"], r.PerDomain.Keys.Order());
        Assert.Equal(1.0, r.PerDomain["a"]["HR@3"], 12);                       // ranks 2 and 1
        Assert.Equal(((1.0 / 3) + 0.5) / 2, r.PerDomain["a"]["MRR@3"], 12);
        Assert.Equal(0.0, r.PerDomain["b"]["HR@3"]);                           // rank 4
        Assert.Equal(0.6, r.PerDomain["a"]["Coverage@3"], 12);                 // [1 2 3] twice
        Assert.Equal(2.0 / 3, r["HR@3"], 12);
    }

    [Fact]
    public void Sampled_protocol_ranks_the_target_against_the_users_fixed_negatives()
    {
        var (model, data) = Tiny();
        var options = new EvaluationOptions { Protocol = EvaluationProtocol.Sampled, SampledNegatives = 2, Ks = [1, 2, 3], Seed = 9 };
        var r = Run(model, data, options);

        var negatives = SampledEvaluationNegatives.Create(data, new SampledEvaluationOptions { Count = 2, Seed = 9 });
        int[] lastItem = [2, 4, 1], target = [3, 5, 2];
        double mrr = 0;
        for (int u = 1; u <= 3; u++)
        {
            float t = Scores[lastItem[u - 1], target[u - 1]];
            int rank = 0;
            foreach (int negative in negatives.For(u))
            {
                Assert.DoesNotContain(negative, data.GetSequence(u).ToArray());
                rank += Scores[lastItem[u - 1], negative] >= t ? 1 : 0;
            }

            mrr += 1.0 / (rank + 1);
        }

        Assert.Equal(mrr / 3, r["MRR@3"], 12);
        Assert.Equal(EvaluationProtocol.Sampled, r.Protocol);
        Assert.False(r.Overall.ContainsKey("Coverage@3"));

        // Negatives drawn once and passed in give the same result; negatives of another dataset are refused.
        Assert.Equal(r.Overall, Run(model, data, options with { Negatives = negatives, Seed = 1 }).Overall);
        var other = SampledEvaluationNegatives.Create(EvaluationData.Build(5, [[1, 2]]), new SampledEvaluationOptions { Count = 2 });
        var error = Assert.Throws<ArgumentException>(() => Run(model, data, options with { Negatives = other }));
        Assert.Contains("1 users", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_batch_encodes_once_and_the_model_returns_to_training_mode()
    {
        var backbone = TableBackbone.FromScores(Scores);
        var model = new CountingRecommender(backbone);
        var data = EvaluationData.Build(5, Sequences);
        backbone.Train();
        var seen = new List<int>();
        Evaluator.Evaluate(model, data, EvaluationData.LastItems(data), new EvaluationOptions { BatchSize = 2 }, new SyncProgress(seen));

        Assert.Equal(2, model.EncodeLastCalls);
        Assert.Equal(2, backbone.EncodeCalls);
        Assert.False(backbone.TrainingAtEncode);
        Assert.True(backbone.Training);
        Assert.Equal([2, 3], seen);

        backbone.Eval();
        Evaluator.Evaluate(model, data, EvaluationData.LastItems(data));
        Assert.False(backbone.Training);
    }

    [Fact]
    public void Cancellation_stops_before_scoring()
    {
        var (model, data) = Tiny();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => Evaluator.Evaluate(model, data, EvaluationData.LastItems(data), cancellationToken: cts.Token));
    }

    [Fact]
    public void Bad_input_is_refused_with_a_message_naming_it()
    {
        var (model, data) = Tiny();
        var examples = EvaluationData.LastItems(data);

        var wrongCatalogue = EvaluationData.Build(4, [[1, 2]]);
        Assert.Contains("scores 5 items", Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(model, wrongCatalogue, EvaluationData.LastItems(wrongCatalogue))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluator.Evaluate(model, data, examples, new EvaluationOptions { MaxLength = 51 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluator.Evaluate(model, data, examples, new EvaluationOptions { Ks = [] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluator.Evaluate(model, data, examples, new EvaluationOptions { Ks = [0] }));
        Assert.Contains("no examples", Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(model, data, [])).Message, StringComparison.Ordinal);
        Assert.Contains("End 9", Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(model, data, [new SequenceExample(1, 9)])).Message, StringComparison.Ordinal);

        var broken = new WrongShapeRecommender(TableBackbone.FromScores(Scores));
        var shape = Assert.Throws<InvalidOperationException>(() => Evaluator.Evaluate(broken, data, examples));
        Assert.Contains("EncodeLast returned [3, 50, 6]", shape.Message, StringComparison.Ordinal);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(List<int> seen) : IProgress<int>
    {
        public void Report(int value) => seen.Add(value);
    }

    /// <summary>A recommender whose EncodeLast forgets to take the last position.</summary>
    private sealed class WrongShapeRecommender(ISequentialBackbone backbone) : ISequentialRecommender
    {
        public ISequentialBackbone Backbone { get; } = backbone;

        public ParamGen.Tensors.Nn.Module Module => Backbone.Module;

        public ParamGen.Tensors.Tensor Encode(SequenceBatch batch) => Backbone.Encode(batch);

        public ParamGen.Tensors.Tensor EncodeLast(SequenceBatch batch) => Backbone.Encode(batch);
    }
}
