using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors.Random;
using ParamGen.Training;

namespace ParamGen.Tests.Training;

/// <summary><see cref="TrainerOptions.GroupByLength"/>: batches of similar lengths, windows cut to the longest history.</summary>
public class GroupByLengthTrainingTests
{
    private static readonly TrainerOptions Fast = new() { Epochs = 1, BatchSize = 32, LearningRate = 5e-3, Patience = null, EvaluationInterval = 0, EvaluateTest = false, Seed = 1, GroupByLength = true };

    private static SasRec Sas(DatasetSplit split) =>
        new(split.Dataset.NumItems, new SasRecOptions { HiddenSize = 16, Blocks = 1, Heads = 1, MaxLength = 12, Dropout = 0.1f }, new Generator(2));

    [Theory]
    [InlineData(TrainingPositions.All)]
    [InlineData(TrainingPositions.Last)]
    public void SasRec_LearnsThePlantedPattern_WithGroupedBatches(TrainingPositions positions)
    {
        var split = TrainingTestData.Planted();
        var model = new SequentialRecommender(Sas(split));
        var result = new Trainer(model, Fast with { Epochs = positions == TrainingPositions.All ? 15 : 5, Positions = positions, EvaluationInterval = 5, EvaluateTest = true }).Fit(split);
        double ndcg = result.Test!["NDCG@10"], popularity = TrainingTestData.PopularityNdcg(split, split.Test);
        Assert.True(ndcg > 0.6 && ndcg > popularity + 0.4, $"{positions}: test NDCG@10 {ndcg:F3}, popularity {popularity:F3}");
        Assert.True(result.Epochs[^1].Loss < result.Epochs[0].Loss, "the loss did not fall");
    }

    [Fact]
    public void ABackboneThatRunsThroughThePadding_IsRefused_BeforeAnythingChanges()
    {
        var split = TrainingTestData.Planted(users: 40);
        var model = new SequentialRecommender(new Gru4Rec(split.Dataset.NumItems, new Gru4RecOptions { EmbeddingSize = 8, HiddenSize = 8, MaxLength = 12 }, new Generator(1)));
        var before = TrainingTestData.Weights(model);
        var error = Assert.Throws<ArgumentException>(() => new Trainer(model, Fast).Fit(split));
        Assert.Contains("GroupByLength", error.Message, StringComparison.Ordinal);
        Assert.Contains("Gru4Rec", error.Message, StringComparison.Ordinal);
        TrainingTestData.AssertSameWeights(before, TrainingTestData.Weights(model));
    }

    [Fact]
    public void SameSeed_SameModel_AndResumeRefusesAnotherGroupingSetting()
    {
        var split = TrainingTestData.Planted(users: 60);
        Dictionary<string, float[]> Train()
        {
            var model = new SequentialRecommender(Sas(split));
            new Trainer(model, Fast with { Epochs = 2 }, generator: new Generator(3)).Fit(split);
            return TrainingTestData.Weights(model);
        }

        TrainingTestData.AssertSameWeights(Train(), Train());

        using var directory = new TempDirectory();
        new Trainer(new SequentialRecommender(Sas(split)), Fast with { CheckpointDirectory = directory.Path }).Fit(split);
        var error = Assert.Throws<ArgumentException>(() => new Trainer(new SequentialRecommender(Sas(split)), Fast with { Epochs = 2, GroupByLength = false }).Resume(split, directory.Path));
        Assert.Contains("TrainerOptions.GroupByLength was True in the saved run but is False now", error.Message, StringComparison.Ordinal);
    }
}
