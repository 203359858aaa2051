using ParamGen.Data;
using ParamGen.Evaluation;

namespace ParamGen.Tests.Evaluation;

public class MetricTests
{
    [Theory]
    [InlineData(0, 1.0, 1.0, 1.0)]
    [InlineData(1, 1.0, 0.63092975357145742, 0.5)]
    [InlineData(3, 1.0, 0.43067655807339306, 0.25)]
    [InlineData(4, 0.0, 0.0, 0.0)]
    [InlineData(1000, 0.0, 0.0, 0.0)]
    public void Gains_at_cutoff_4_follow_the_formulas(int rank, double hr, double ndcg, double mrr)
    {
        Assert.Equal(hr, new HitRate(4).Gain(rank));
        Assert.Equal(hr, new Recall(4).Gain(rank));
        Assert.Equal(ndcg, new Ndcg(4).Gain(rank), 14);
        Assert.Equal(mrr, new Mrr(4).Gain(rank), 15);
    }

    [Fact]
    public void Pessimistic_ties_put_the_target_behind_every_tied_item()
    {
        // 1 item above, 2 level with the target: rank 3.
        Assert.Equal(0.0, new HitRate(3).Value(1, 2, TieBreaking.Pessimistic));
        Assert.Equal(1.0, new HitRate(4).Value(1, 2, TieBreaking.Pessimistic));
        Assert.Equal(1 / Math.Log2(5), new Ndcg(4).Value(1, 2, TieBreaking.Pessimistic), 15);
    }

    [Fact]
    public void Expected_ties_average_the_metric_over_the_tied_ranks()
    {
        // Ranks 1, 2, 3 with probability 1/3 each.
        Assert.Equal(1.0 / 3, new HitRate(2).Value(1, 2, TieBreaking.Expected), 15);
        Assert.Equal((1 / Math.Log2(3)) / 3, new Ndcg(2).Value(1, 2, TieBreaking.Expected), 15);
        Assert.Equal((0.5 + (1.0 / 3) + 0.25) / 3, new Mrr(10).Value(1, 2, TieBreaking.Expected), 15);

        // A constant model over 1,000 items: HR@10 is 10 / 1000, as a random ranking's.
        Assert.Equal(0.01, new HitRate(10).Value(0, 999, TieBreaking.Expected), 15);
        Assert.Equal(0.0, new HitRate(10).Value(0, 999, TieBreaking.Pessimistic));

        // Without ties both rules agree.
        Assert.Equal(new Ndcg(5).Gain(2), new Ndcg(5).Value(2, 0, TieBreaking.Expected));
    }

    [Fact]
    public void Standard_metrics_are_grouped_by_kind_with_sorted_distinct_cutoffs()
    {
        var keys = RankingMetric.Standard([10, 5, 10]).Select(m => m.Key);
        Assert.Equal(["HR@5", "HR@10", "NDCG@5", "NDCG@10", "MRR@5", "MRR@10", "Recall@5", "Recall@10"], keys);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ndcg(0));
    }

    [Fact]
    public void Coverage_counts_items_listed_within_the_first_k_positions()
    {
        var coverage = new CatalogueCoverage(10);
        coverage.Add([1, 2, 3]);
        coverage.Add([1, 4, 5]);
        Assert.Equal(0.1, coverage.Value(1), 15);
        Assert.Equal(0.3, coverage.Value(2), 15);
        Assert.Equal(0.5, coverage.Value(3), 15);
        Assert.Equal(0.5, coverage.Value(20), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => coverage.Add([11]));
    }

    [Fact]
    public void Diversity_is_the_mean_jaccard_distance_over_pairs()
    {
        // Items 1: {a}, 2: {a, b}, 3: {c}, 4: none, 5: none.
        var categories = new Vocabulary("cat", ["a", "b", "c"]);
        var features = new ItemFeatures(categories, [0, 0, 1, 3, 4, 4, 4], [1, 1, 2, 3]);
        var diversity = new IntraListDiversity(features);
        Assert.Equal(0.5, diversity.Distance(1, 2), 15);   // |{a}| / |{a, b}|
        Assert.Equal(1.0, diversity.Distance(2, 3), 15);
        Assert.Equal(1.0, diversity.Distance(3, 4), 15);
        Assert.Equal(0.0, diversity.Distance(4, 5), 15);
        Assert.Equal(0.0, diversity.Distance(2, 2), 15);

        // [1, 2, 3]: (0.5 + 1 + 1) / 3; the first item alone has no pair.
        Assert.Equal(2.5 / 3, diversity.Value([1, 2, 3], 3), 15);
        Assert.Equal(0.5, diversity.Value([1, 2, 3], 2), 15);
        Assert.Equal(0.0, diversity.Value([1, 2, 3], 1), 15);
        Assert.Equal(2.5 / 3, diversity.Value([1, 2, 3], 10), 15);
    }

    [Fact]
    public void Diversity_with_one_category_per_item_is_the_share_of_pairs_that_differ()
    {
        var features = ItemFeatures.FromSingleCategory(new Vocabulary("cat", ["a", "b"]), [0, 1, 1, 2, 0]);
        var diversity = new IntraListDiversity(features);
        Assert.Equal(2.0 / 3, diversity.Value([1, 2, 3], 3), 15);
        Assert.Equal(1.0, diversity.Distance(3, 4));
        Assert.Equal(0.0, diversity.Distance(0, 4));
    }
}
