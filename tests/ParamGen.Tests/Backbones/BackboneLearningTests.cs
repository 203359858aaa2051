using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.Backbones;

/// <summary>Each backbone learns the synthetic generator's planted sequential structure (clusters and their successors).</summary>
public class BackboneLearningTests
{
    private static readonly Lazy<(InteractionDataset Data, DatasetSplit Split)> Synthetic = new(() =>
    {
        var data = SyntheticDataGenerator.Generate(new SyntheticOptions
        {
            Users = 800, Items = 120, Clusters = 8, SubClusters = 2, MinLength = 6, MaxLength = 20, Seed = 11,
            Domains = [new("d0") { WithinClusterShare = 0.8, ZipfExponent = 0.6, MeanLength = 12 }],
        }).Dataset;
        return (data, new LeaveOneOutSplit().Split(data));
    });

    [Fact]
    public void SasRec_LearnsThePlantedPattern_FarAbovePopularity()
    {
        var (data, split) = Synthetic.Value;
        var model = new SasRec(data.NumItems, new SasRecOptions { HiddenSize = 32, Blocks = 1, Heads = 2, MaxLength = 20, Dropout = 0.1f }, new Generator(1));
        double before = BackboneTestKit.Ndcg10(model, data, split.Test);
        BackboneTestKit.Train(model, data, split.Train, epochs: 8, batchSize: 64, lr: 3e-3, seed: 1);
        double after = BackboneTestKit.Ndcg10(model, data, split.Test);
        double popularity = BackboneTestKit.PopularityNdcg10(data, split.Train, split.Test);
        Assert.True(after > 2 * popularity && after > 3 * before, $"SASRec NDCG@10 {after:F4} (untrained {before:F4}, popularity {popularity:F4})");
    }

    [Fact]
    public void Gru4Rec_LearnsThePlantedPattern_FarAbovePopularity()
    {
        var (data, split) = Synthetic.Value;
        var model = new Gru4Rec(data.NumItems, new Gru4RecOptions { EmbeddingSize = 32, HiddenSize = 48, MaxLength = 20, Dropout = 0.1f }, new Generator(1));
        double before = BackboneTestKit.Ndcg10(model, data, split.Test);
        BackboneTestKit.Train(model, data, split.Train, epochs: 8, batchSize: 64, lr: 3e-3, seed: 1);
        double after = BackboneTestKit.Ndcg10(model, data, split.Test);
        double popularity = BackboneTestKit.PopularityNdcg10(data, split.Train, split.Test);
        Assert.True(after > 2 * popularity && after > 3 * before, $"GRU4Rec NDCG@10 {after:F4} (untrained {before:F4}, popularity {popularity:F4})");
    }
}
