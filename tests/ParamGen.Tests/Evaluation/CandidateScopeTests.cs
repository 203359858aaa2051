using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Evaluation;

namespace ParamGen.Tests.Evaluation;

public class CandidateScopeTests
{
    /// <summary>
    /// Six items; the scores after reading item i are row i (column 0 = padding). Users: u1 in domain a [1 2 | 3]
    /// reads row 2; u2 in domain b [4 | 5] reads row 4; u3 in domain b [6 1 | 4] reads row 1. Domain a's items are
    /// {1, 2, 3}; domain b's are {4, 5, 6} and item 1, which u3 met in b (an item belongs to every domain it was
    /// interacted with in).
    /// Items strictly above the target, whole catalogue: u1 4 (1, 2, 4, 5), u2 2 (1, 3), u3 3 (2, 3, 6).
    /// Within the user's domain: u1 2 (1, 2), u2 1 (1), u3 1 (6).
    /// </summary>
    private static readonly float[,] Scores =
    {
        { 0, 0, 0, 0, 0, 0, 0 },
        { 0, 0, 9, 8, 5, 1, 6 },
        { 0, 5, 4, 3, 9, 8, 1 },
        { 0, 0, 0, 0, 0, 0, 0 },
        { 0, 7, 0, 6, 2, 3, 1 },
        { 0, 0, 0, 0, 0, 0, 0 },
        { 0, 0, 0, 0, 0, 0, 0 },
    };

    private static readonly int[][] Sequences = [[1, 2, 3], [4, 5], [6, 1, 4]];

    private static readonly string[] Domains = ["a", "b", "b"];

    private static (SequentialRecommender Model, InteractionDataset Data) Tiny(string[]? domains) =>
        (new SequentialRecommender(TableBackbone.FromScores(Scores)), EvaluationData.Build(6, Sequences, domains));

    private static EvaluationResult Run(SequentialRecommender model, InteractionDataset data, EvaluationOptions options) =>
        Evaluator.Evaluate(model, data, EvaluationData.LastItems(data), options);

    [Fact]
    public void All_items_is_the_default_and_ranks_across_domains()
    {
        var (model, data) = Tiny(Domains);
        var r = Run(model, data, new EvaluationOptions { Ks = [3] });

        Assert.Equal(CandidateScope.AllItems, r.CandidateScope);
        Assert.Equal(1.0 / 3, r["HR@3"], 12);                 // only u2 (2 above) is in the top 3
        Assert.Equal(0.5 / 3, r["NDCG@3"], 12);
    }

    [Fact]
    public void User_domain_ranks_only_the_items_of_the_target_interactions_domain()
    {
        var (model, data) = Tiny(Domains);
        var r = Run(model, data, new EvaluationOptions { Ks = [1, 2, 3], CandidateScope = CandidateScope.UserDomain });

        // 2, 1 and 1 items above the target.
        Assert.Equal(CandidateScope.UserDomain, r.CandidateScope);
        Assert.Equal(0.0, r["HR@1"]);
        Assert.Equal(2.0 / 3, r["HR@2"], 12);
        Assert.Equal(1.0, r["HR@3"], 12);
        Assert.Equal((0.5 + (2 / Math.Log2(3))) / 3, r["NDCG@3"], 12);
        Assert.Equal(((1.0 / 3) + 0.5 + 0.5) / 3, r["MRR@3"], 12);
        Assert.Equal(0.0, r.PerDomain["a"]["HR@2"]);
        Assert.Equal(1.0, r.PerDomain["b"]["HR@2"], 12);
    }

    [Fact]
    public void User_domain_lists_hold_only_domain_items_and_coverage_per_domain_counts_that_domains_items()
    {
        var (model, data) = Tiny(Domains);
        var r = Run(model, data, new EvaluationOptions { Ks = [1, 3], CandidateScope = CandidateScope.UserDomain });

        // Lists: u1 [1 2 3] (a), u2 [1 5 4] (b), u3 [6 4 5] (b). Out of the whole catalogue, u1 would have listed 4 and 5.
        Assert.Equal(2.0 / 6, r["Coverage@1"], 12);                     // {1, 6} of 6 items
        Assert.Equal(1.0, r["Coverage@3"], 12);
        Assert.Equal(1.0 / 3, r.PerDomain["a"]["Coverage@1"], 12);      // {1} of a's 3 items
        Assert.Equal(2.0 / 4, r.PerDomain["b"]["Coverage@1"], 12);      // {1, 6} of b's 4 items
        Assert.Equal(1.0, r.PerDomain["b"]["Coverage@3"], 12);

        var all = Run(model, data, new EvaluationOptions { Ks = [1], CandidateScope = CandidateScope.AllItems });
        Assert.Equal(1.0 / 6, all.PerDomain["a"]["Coverage@1"], 12);    // u1's top item is 4, from domain b
    }

    [Fact]
    public void User_domain_composes_with_history_masking()
    {
        var (model, data) = Tiny(Domains);
        var r = Run(model, data, new EvaluationOptions { Ks = [1], CandidateScope = CandidateScope.UserDomain, MaskHistory = true });

        // u1: 1 and 2 masked, 3 alone in a -> rank 1; u2: 4 masked, 1 still above; u3: 6 and 1 masked -> rank 1.
        Assert.Equal(2.0 / 3, r["HR@1"], 12);
        Assert.True(r.MaskHistory);
    }

    [Fact]
    public void A_single_domain_dataset_ranks_every_item_under_either_scope()
    {
        var (model, data) = Tiny(null);
        var all = Run(model, data, new EvaluationOptions { Ks = [3] });
        var scoped = Run(model, data, new EvaluationOptions { Ks = [3], CandidateScope = CandidateScope.UserDomain });

        Assert.Equal(all.Overall, scoped.Overall);
        Assert.Equal(CandidateScope.UserDomain, scoped.CandidateScope);
    }

    [Fact]
    public void Sampled_protocol_drops_the_negatives_outside_the_target_domain()
    {
        var (model, data) = Tiny(Domains);
        var options = new EvaluationOptions { Protocol = EvaluationProtocol.Sampled, SampledNegatives = 3, Ks = [1, 3], Seed = 4 };
        var all = Run(model, data, options);
        var scoped = Run(model, data, options with { CandidateScope = CandidateScope.UserDomain });

        var negatives = SampledEvaluationNegatives.Create(data, new SampledEvaluationOptions { Count = 3, Seed = 4 });
        int[] lastItem = [2, 4, 1], target = [3, 5, 4];
        var inDomain = new[] { new[] { 1, 2, 3 }, [1, 4, 5, 6], [1, 4, 5, 6] };
        double mrrAll = 0, mrrScoped = 0;
        for (int u = 1; u <= 3; u++)
        {
            float t = Scores[lastItem[u - 1], target[u - 1]];
            int above = 0, aboveInDomain = 0;
            foreach (int negative in negatives.For(u))
            {
                bool higher = Scores[lastItem[u - 1], negative] > t;
                above += higher ? 1 : 0;
                aboveInDomain += higher && inDomain[u - 1].Contains(negative) ? 1 : 0;
            }

            mrrAll += 1.0 / (above + 1);
            mrrScoped += 1.0 / (aboveInDomain + 1);
        }

        // u1's negatives are 4, 5, 6 (all it has not met), none of them in a: its target is first in scope, third overall.
        Assert.Equal(mrrAll / 3, all["MRR@3"], 12);
        Assert.Equal(mrrScoped / 3, scoped["MRR@3"], 12);
        Assert.Equal(1.0, scoped.PerDomain["a"]["HR@1"], 12);
        Assert.Equal(0.0, all.PerDomain["a"]["HR@1"]);
        Assert.Equal(CandidateScope.UserDomain, scoped.CandidateScope);
        Assert.False(scoped.Overall.ContainsKey("Coverage@1"));
    }

    [Fact]
    public void An_undefined_scope_is_refused()
    {
        var (model, data) = Tiny(Domains);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Run(model, data, new EvaluationOptions { CandidateScope = (CandidateScope)7 }));
        Assert.Contains("CandidateScope", error.Message, StringComparison.Ordinal);
    }
}
