using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Evaluation;
using ParamGen.Tensors;

namespace ParamGen.Tests.Evaluation;

public class RecommenderTests
{
    /// <summary>Scores after reading item i (row i; column 0 = padding, scored highest to prove it is never listed).</summary>
    private static readonly float[,] Scores =
    {
        { 0, 0, 0, 0, 0, 0 },
        { 50, 7, 6, 2, 0, 0 },
        { 100, 5, 4, 3, 2, 1 },
        { 0, 0, 0, 0, 0, 0 },
        { 0, 9, 1, 1, 8, 1 },
        { 0, 0, 0, 0, 0, 0 },
    };

    private static SequentialRecommender Model() => new(TableBackbone.FromScores(Scores));

    [Fact]
    public void Recommend_lists_the_best_unseen_items_and_never_the_padding_id()
    {
        var top = Recommender.Recommend(Model(), [1, 3, 2], k: 10);
        Assert.Equal([new Recommendation(4, 2f), new Recommendation(5, 1f)], top);

        var withSeen = Recommender.Recommend(Model(), [1, 3, 2], k: 3, excludeSeen: false);
        Assert.Equal([1, 2, 3], withSeen.Select(r => r.Item));
        Assert.Equal([5f, 4f, 3f], withSeen.Select(r => r.Score));
    }

    [Fact]
    public void A_new_users_history_needs_no_dataset_and_ties_keep_the_lower_id()
    {
        // After item 4: 1 (9), then 2, 3 tied at 1 (4 and 5 are seen).
        var top = Recommender.Recommend(Model(), [5, 4], k: 2);
        Assert.Equal([1, 2], top.Select(r => r.Item));
    }

    [Fact]
    public void Tokens_go_through_the_dataset_vocabulary()
    {
        var data = EvaluationData.Build(5, [[1, 2, 3]]);
        var top = Recommender.Recommend(Model(), data.Items, ["i5", "i4"], k: 2);
        Assert.Equal(["i1", "i2"], top.Select(r => r.Token));
        Assert.Equal([1, 2], top.Select(r => r.Item));

        var error = Assert.Throws<ArgumentException>(() => Recommender.Recommend(Model(), data.Items, ["i5", "nope"]));
        Assert.Contains("history item 1 'nope'", error.Message, StringComparison.Ordinal);
        var small = EvaluationData.Build(3, [[1, 2]]);
        Assert.Throws<ArgumentException>(() => Recommender.Recommend(Model(), small.Items, ["i1"]));
    }

    [Fact]
    public void The_domain_reaches_the_backbone()
    {
        var domainStates = new Tensor([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100], 2, 6); // domain 1 lifts item 5
        var table = TableBackbone.FromScores(Scores);
        var model = new SequentialRecommender(new TableBackbone(StatesOf(Scores), Tensor.Eye(6), domainStates: domainStates));
        Assert.Equal(1, Recommender.Recommend(model, [4], k: 1)[0].Item);
        Assert.Equal(5, Recommender.Recommend(model, [4], k: 1, domain: 1)[0].Item);
        Assert.Equal(table.NumItems, model.Backbone.NumItems);
    }

    [Fact]
    public void Many_histories_give_the_same_lists_as_one_at_a_time_and_the_mode_is_restored()
    {
        var model = Model();
        model.Module.Train();
        int[][] histories = [[1], [2, 2], [4, 1, 5], [3]];
        var many = Recommender.RecommendMany(model, histories, k: 3);
        for (int i = 0; i < histories.Length; i++)
        {
            Assert.Equal(Recommender.Recommend(model, histories[i], k: 3), many[i]);
        }

        Assert.True(model.Module.Training);
        Assert.Equal([1, 2, 4, 5], Recommender.Recommend(model, [3], k: 99).Select(r => r.Item).Order()); // k above the catalogue: every unseen item
    }

    [Fact]
    public void Bad_histories_and_k_are_refused()
    {
        var model = Model();
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => Recommender.Recommend(model, [])).Message, StringComparison.Ordinal);
        Assert.Contains("item id 6", Assert.Throws<ArgumentException>(() => Recommender.Recommend(model, [1, 6])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Recommender.Recommend(model, [0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Recommender.Recommend(model, [1], k: 0));
        Assert.Throws<ArgumentException>(() => Recommender.RecommendMany(model, [[1], [2]], domains: [0]));
    }

    private static Tensor StatesOf(float[,] scores)
    {
        var flat = new float[scores.Length];
        Buffer.BlockCopy(scores, 0, flat, 0, flat.Length * sizeof(float));
        return new Tensor(flat, scores.GetLength(0), scores.GetLength(1));
    }
}
