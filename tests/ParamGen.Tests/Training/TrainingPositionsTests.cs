using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Generators;
using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tests.Generators;
using ParamGen.Training;

namespace ParamGen.Tests.Training;

/// <summary><see cref="TrainerOptions.Positions"/>: the loss at every position or, over every prefix, at the last one.</summary>
public class TrainingPositionsTests
{
    private static readonly TrainerOptions Fast = new() { Epochs = 1, BatchSize = 64, LearningRate = 5e-3, Patience = null, EvaluationInterval = 0, EvaluateTest = false, Seed = 1 };

    [Fact]
    public void Last_TrainsEveryPrefixOnce_AndItsLossIsTheCrossEntropyAtTheLastPositions()
    {
        var split = TrainingTestData.Planted(users: 40);
        var prefixes = split.Train.SelectMany(e => Enumerable.Range(2, e.End - 1).Select(end => e with { End = end })).ToList();
        Assert.Equal(split.Train.Sum(e => e.End - 1), prefixes.Count);

        // One step over all prefixes: the epoch's loss is the loss before the step, which we compute here ourselves.
        var model = TrainingTestData.Model(split, dropout: 0f);
        var batch = new SequenceBatcher(split.Dataset, prefixes, new SequenceBatchOptions { BatchSize = prefixes.Count, MaxLength = model.Backbone.MaxLength }).First();
        int l = batch.MaxLength;
        var last = model.Encode(batch).Select(1, l - 1);                               // [N, d]
        double expected = SequenceLosses.CrossEntropy(last, model.Backbone.ItemEmbeddings, batch.LastTargets).Item();

        var result = new Trainer(model, Fast with { BatchSize = prefixes.Count, Positions = TrainingPositions.Last }).Fit(split);
        Assert.Equal(1, result.Epochs[0].Steps);
        Assert.Equal(expected, result.Epochs[0].Loss, 5);

        // With batches of 64 the epoch takes ceil(prefixes / 64) steps, against ceil(sequences / 64) at every position.
        var batched = new Trainer(TrainingTestData.Model(split), Fast with { Positions = TrainingPositions.Last }).Fit(split);
        Assert.Equal((prefixes.Count + 63) / 64, batched.Epochs[0].Steps);
        var all = new Trainer(TrainingTestData.Model(split), Fast).Fit(split);
        Assert.Equal((split.Train.Count + 63) / 64, all.Epochs[0].Steps);
    }

    [Fact]
    public void Last_OnSasRec_TakesTheLossOnTheLastStatesOfEveryPrefix()
    {
        // SASRec's EncodeLast (the trainer's path at the last position) runs the last block for one query only; its
        // loss must be the loss of the full forward's last states.
        var split = TrainingTestData.Planted(users: 30);
        var prefixes = split.Train.SelectMany(e => Enumerable.Range(2, e.End - 1).Select(end => e with { End = end })).ToList();
        var sasrec = new SasRec(split.Dataset.NumItems, new SasRecOptions { HiddenSize = 16, Blocks = 2, Heads = 2, MaxLength = 8, Dropout = 0f }, new Generator(2));
        var model = new SequentialRecommender(sasrec);
        var batch = new SequenceBatcher(split.Dataset, prefixes, new SequenceBatchOptions { BatchSize = prefixes.Count, MaxLength = 8 }).First();
        double expected = SequenceLosses.CrossEntropy(model.Encode(batch).Select(1, 7), sasrec.ItemEmbeddings, batch.LastTargets).Item();

        var result = new Trainer(model, Fast with { BatchSize = prefixes.Count, Positions = TrainingPositions.Last }).Fit(split);
        Assert.Equal(expected, result.Epochs[0].Loss, 4);
    }

    [Theory]
    [InlineData(TrainingLoss.CrossEntropy)]
    [InlineData(TrainingLoss.SampledBce)]
    [InlineData(TrainingLoss.SampledSoftmax)]
    public void Last_LearnsThePlantedPattern_FarAbovePopularity(TrainingLoss loss)
    {
        var split = TrainingTestData.Planted();
        var model = TrainingTestData.Model(split, dropout: 0.1f);
        var options = Fast with { Epochs = 6, Loss = loss, NegativeSamples = loss == TrainingLoss.SampledSoftmax ? 10 : null, Positions = TrainingPositions.Last, EvaluationInterval = 3, EvaluateTest = true };
        var result = new Trainer(model, options).Fit(split);
        double ndcg = result.Test!["NDCG@10"], popularity = TrainingTestData.PopularityNdcg(split, split.Test);
        Assert.True(ndcg > 0.7 && ndcg > popularity + 0.4, $"{loss}: test NDCG@10 {ndcg:F3}, popularity {popularity:F3}");
        Assert.True(result.Epochs[^1].Loss < result.Epochs[0].Loss, "the loss did not fall");
    }

    [Fact]
    public void AHistoryConditionedGenerator_IsRefusedAtEveryPosition_BeforeAnythingChanges()
    {
        var split = HamurTestKit.PlantedDomains(users: 60, items: 12, seed: 8);
        var backbone = new SasRec(split.Dataset.NumItems, new SasRecOptions { HiddenSize = 8, Blocks = 1, Heads = 1, MaxLength = 6 }, new Generator(3));
        var model = new GeneratedRecommender(backbone, new HamurGenerator(backbone, HamurTestKit.TinyHamur(history: HamurHistory.Mean), split.Dataset.NumDomains, new Generator(4)));
        Assert.True(model.Generator.ConditionsOnHistory);
        var before = TrainingTestData.Weights(model);

        var error = Assert.Throws<ArgumentException>(() => new Trainer(model, Fast).Fit(split));
        Assert.Contains("HamurGenerator conditions on the whole history", error.Message, StringComparison.Ordinal);
        Assert.Contains("TrainingPositions.Last", error.Message, StringComparison.Ordinal);
        TrainingTestData.AssertSameWeights(before, TrainingTestData.Weights(model));

        var result = new Trainer(model, Fast with { Positions = TrainingPositions.Last }).Fit(split);
        Assert.True(double.IsFinite(result.Epochs[0].Loss));
        Assert.False(new HamurGenerator(new SasRec(12, new SasRecOptions { HiddenSize = 8, Blocks = 1, Heads = 1, MaxLength = 6 }), HamurTestKit.TinyHamur(history: HamurHistory.None), 2).ConditionsOnHistory);
    }

    [Fact]
    public void Resume_RefusesAnotherPositionsSetting()
    {
        var split = TrainingTestData.Planted(users: 40);
        using var directory = new TempDirectory();
        new Trainer(TrainingTestData.Model(split), Fast with { Positions = TrainingPositions.Last, CheckpointDirectory = directory.Path }).Fit(split);
        var error = Assert.Throws<ArgumentException>(() => new Trainer(TrainingTestData.Model(split), Fast with { Epochs = 2 }).Resume(split, directory.Path));
        Assert.Contains("TrainerOptions.Positions was Last in the saved run but is All now", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownPositionsValue_IsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => (Fast with { Positions = (TrainingPositions)7 }).Validate());
        Assert.Contains("Positions", error.Message, StringComparison.Ordinal);
    }
}
