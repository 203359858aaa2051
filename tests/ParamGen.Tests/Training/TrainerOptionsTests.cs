using System.Text.Json;
using ParamGen.Evaluation;
using ParamGen.Training;

namespace ParamGen.Tests.Training;

public class TrainerOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedRecipe()
    {
        var o = new TrainerOptions();
        o.Validate();
        Assert.Equal((100, 256, 1e-3, 0.0, OptimizerKind.Adam, TrainingLoss.CrossEntropy), (o.Epochs, o.BatchSize, o.LearningRate, o.WeightDecay, o.Optimizer, o.Loss));
        Assert.Equal(("NDCG@10", 10, 1, true, true), (o.EarlyStoppingMetric, o.Patience, o.EvaluationInterval, o.KeepBest, o.EvaluateTest));
        Assert.Null(o.GradientClipNorm);
        Assert.Null(o.MaxLength);
        Assert.Null(o.CheckpointDirectory);
        Assert.Equal(0, o.NegativesPerPosition);
        Assert.Equal(1, (o with { Loss = TrainingLoss.SampledBce }).NegativesPerPosition);
        Assert.Equal(100, (o with { Loss = TrainingLoss.SampledSoftmax }).NegativesPerPosition);
    }

    public static TheoryData<string, Func<TrainerOptions, TrainerOptions>> BadOptions => new()
    {
        { "Epochs", o => o with { Epochs = 0 } },
        { "BatchSize", o => o with { BatchSize = -1 } },
        { "LearningRate", o => o with { LearningRate = double.NaN } },
        { "WeightDecay", o => o with { WeightDecay = -0.1 } },
        { "GradientClipNorm", o => o with { GradientClipNorm = 0 } },
        { "MaxLength", o => o with { MaxLength = 0 } },
        { "NegativeSamples", o => o with { NegativeSamples = 0 } },
        { "Patience", o => o with { Patience = 0 } },
        { "EvaluationInterval", o => o with { EvaluationInterval = -1 } },
        { "EarlyStoppingMetric", o => o with { EarlyStoppingMetric = "AUC@10" } },
        { "EarlyStoppingMetric", o => o with { EarlyStoppingMetric = "NDCG@x" } },
        { "EarlyStoppingMetric", o => o with { EarlyStoppingMetric = "NDCG@50" } },
        { "CheckpointDirectory", o => o with { CheckpointDirectory = string.Empty } },
        { "Ks", o => o with { Evaluation = new EvaluationOptions { Ks = [] } } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_RejectsEachBadValue_NamingIt(string property, Func<TrainerOptions, TrainerOptions> change)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => change(new TrainerOptions()).Validate());
        Assert.Equal(property, e.ParamName);
        Assert.ThrowsAny<ArgumentException>(() => new Trainer(TrainingTestData.Model(TrainingTestData.Planted(users: 20)), change(new TrainerOptions())));
    }

    [Fact]
    public void Options_RoundTripThroughTheCheckpointJson()
    {
        var o = new TrainerOptions
        {
            Epochs = 7, Loss = TrainingLoss.SampledSoftmax, NegativeSamples = 20, GradientClipNorm = 5, Seed = ulong.MaxValue,
            Optimizer = OptimizerKind.AdamW, CheckpointDirectory = "runs/x", Patience = null,
            Evaluation = new EvaluationOptions { Ks = [10, 50], MaskHistory = true, Protocol = EvaluationProtocol.Sampled },
        };
        string json = JsonSerializer.Serialize(o, TrainingJson.Options);
        Assert.Contains("\"loss\":\"SampledSoftmax\"", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize<TrainerOptions>(json, TrainingJson.Options)!;
        Assert.Equal([10, 50], back.Evaluation.Ks);
        Assert.Equal(o with { Evaluation = back.Evaluation }, back);
        Assert.Equal(o.Evaluation with { Ks = back.Evaluation.Ks }, back.Evaluation);
    }
}
