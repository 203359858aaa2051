using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Generators;
using ParamGen.Tensors.Random;
using ParamGen.Tests.Training;
using ParamGen.Training;

namespace ParamGen.Tests.Generators;

/// <summary>HAMUR learns planted per-domain successor rules, end to end and on a frozen backbone.</summary>
public class HamurLearningTests
{
    private static readonly Lazy<DatasetSplit> Planted = new(() => HamurTestKit.PlantedDomains());

    [Fact]
    public void EndToEndTheLossFallsAndNdcgBeatsPopularityClearly()
    {
        var split = Planted.Value;
        var backbone = new SasRec(split.Dataset.NumItems, new SasRecOptions { HiddenSize = 16, Blocks = 1, Heads = 1, MaxLength = 10, Dropout = 0.1f }, new Generator(1));
        var options = new HamurOptions { Bottleneck = 8, CoreRank = 8, HiddenSizes = [16], DomainEmbeddingSize = 8 };
        var model = new GeneratedRecommender(backbone, new HamurGenerator(backbone, options, split.Dataset.NumDomains, new Generator(2)));
        var result = Train(model, split, epochs: 12);

        double popularity = TrainingTestData.PopularityNdcg(split, split.Test);
        double ndcg = result.Test!["NDCG@10"];
        Assert.True(result.Epochs[^1].Loss < 0.6 * result.Epochs[0].Loss, $"loss {Losses(result)}");
        Assert.True(ndcg > 3 * popularity, $"HAMUR NDCG@10 {ndcg:F3}, popularity {popularity:F3}");
        Assert.Equal(3, result.Test.PerDomain.Count);
    }

    [Fact]
    public void WithTheBackboneFrozenTheGeneratorAloneStillLearns()
    {
        // A frozen random backbone: every gain comes from the hypernetwork and the adapter factors. Its item embeddings keep
        // their initial scale, so they are drawn at unit scale (PyTorch's initialisation): RecBole's N(0, 0.02) would keep
        // every logit near 0 and the loss near log(items) whatever the states.
        var split = Planted.Value;
        var backbone = new SasRec(split.Dataset.NumItems, new SasRecOptions
        {
            HiddenSize = 32, Blocks = 1, Heads = 1, MaxLength = 10, Dropout = 0.1f, Initialization = BackboneInitialization.PyTorch,
        }, new Generator(1));
        var options = new HamurOptions { Bottleneck = 16, CoreRank = 16, HiddenSizes = [16], DomainEmbeddingSize = 8, Slots = ["block0", "user_state"] };
        var model = new GeneratedRecommender(backbone, new HamurGenerator(backbone, options, split.Dataset.NumDomains, new Generator(2)));
        Assert.True(model.FreezeBackbone() > 0);
        var before = TrainingTestData.Weights(model);
        var result = Train(model, split, epochs: 15);

        var after = TrainingTestData.Weights(model);
        foreach (var key in before.Keys.Where(k => k.StartsWith("backbone.", StringComparison.Ordinal) && !k.StartsWith("backbone.adapters.", StringComparison.Ordinal) && !k.Contains("running", StringComparison.Ordinal)))
        {
            Assert.True(before[key].AsSpan().SequenceEqual(after[key]), $"frozen '{key}' changed");
        }

        double popularity = TrainingTestData.PopularityNdcg(split, split.Test);
        double ndcg = result.Test!["NDCG@10"];
        Assert.True(result.Epochs[^1].Loss < 0.5 * result.Epochs[0].Loss, $"loss {Losses(result)}");
        Assert.True(ndcg > 2.5 * popularity, $"HAMUR on a frozen backbone: NDCG@10 {ndcg:F3}, popularity {popularity:F3}");
    }

    private static TrainingResult Train(GeneratedRecommender model, DatasetSplit split, int epochs) =>
        new Trainer(model, new TrainerOptions { Epochs = epochs, BatchSize = 32, LearningRate = 5e-3, Patience = null, Seed = 1 }, generator: ((SasRec)model.Backbone).Generator).Fit(split);

    private static string Losses(TrainingResult result) => string.Join(" ", result.Epochs.Select(e => e.Loss.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));
}
