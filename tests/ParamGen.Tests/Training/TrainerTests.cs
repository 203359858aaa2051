using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Evaluation;
using ParamGen.Tensors.Random;
using ParamGen.Training;

namespace ParamGen.Tests.Training;

public class TrainerTests
{
    private static readonly TrainerOptions Fast = new() { Epochs = 2, BatchSize = 32, LearningRate = 1e-2, EvaluationInterval = 0, EvaluateTest = false };

    private static Trainer NewTrainer(SequentialRecommender model, TrainerOptions options, Generator generator, ValidationScorer? scorer = null) =>
        new(model, options, generator: generator) { Scorer = scorer ?? TrainingTestData.Rank };

    /// <summary>Builds a model and a trainer that share one generator (initialisation and dropout), as a user would.</summary>
    private static (SequentialRecommender Model, Trainer Trainer) Setup(DatasetSplit split, TrainerOptions options, ulong seed = 1, float dropout = 0.2f, ValidationScorer? scorer = null)
    {
        var g = new Generator(seed);
        var model = TrainingTestData.Model(split, dropout: dropout, generator: g);
        return (model, NewTrainer(model, options, g, scorer));
    }

    [Theory]
    [InlineData(TrainingLoss.CrossEntropy)]
    [InlineData(TrainingLoss.SampledBce)]
    [InlineData(TrainingLoss.SampledSoftmax)]
    public void EachLoss_LearnsThePlantedPattern_FarAbovePopularity(TrainingLoss loss)
    {
        var split = TrainingTestData.Planted();
        var options = Fast with { Epochs = 12, Loss = loss, NegativeSamples = loss == TrainingLoss.SampledSoftmax ? 10 : null, EvaluationInterval = 4, EvaluateTest = true };
        var (model, trainer) = Setup(split, options, dropout: 0.1f);
        var before = TrainingTestData.Rank(model, split.Dataset, split.Test, new EvaluationOptions())["NDCG@10"];
        var result = trainer.Fit(split);

        // The pattern's next item is right 90% of the time; popularity (near uniform here) cannot know it.
        double ndcg = result.Test!["NDCG@10"], popularity = TrainingTestData.PopularityNdcg(split, split.Test);
        Assert.True(ndcg > 0.7 && ndcg > popularity + 0.4, $"{loss}: test NDCG@10 {ndcg:F3} (before training {before:F3}, popularity {popularity:F3})");
        Assert.True(result.Epochs[^1].Loss < result.Epochs[0].Loss, $"{loss}: loss did not fall");
        Assert.Equal([4, 8, 12], result.Epochs.Where(e => e.Score is not null).Select(e => e.Epoch));
    }

    [Fact]
    public void SameSeed_GivesBitwiseIdenticalParameters_AnotherSeedDoesNot()
    {
        var split = TrainingTestData.Planted(users: 120);
        Dictionary<string, float[]> Train(ulong seed)
        {
            var (model, trainer) = Setup(split, Fast with { Seed = seed, Loss = TrainingLoss.SampledBce });
            trainer.Fit(split);
            return TrainingTestData.Weights(model);
        }

        var a = Train(3);
        TrainingTestData.AssertSameWeights(a, Train(3));
        Assert.False(TrainingTestData.SameWeights(a, Train(4)));
    }

    [Fact]
    public void PooledSteps_GiveTheSameModelAsUnpooled()
    {
        var split = TrainingTestData.Planted(users: 120);
        Dictionary<string, float[]> Train(bool pooled, TrainingLoss loss)
        {
            var (model, trainer) = Setup(split, Fast with { PoolStepTensors = pooled, Loss = loss, GradientClipNorm = 1.0 });
            trainer.Fit(split);
            return TrainingTestData.Weights(model);
        }

        foreach (var loss in Enum.GetValues<TrainingLoss>())
        {
            TrainingTestData.AssertSameWeights(Train(false, loss), Train(true, loss));
        }
    }

    [Fact]
    public void KeepBest_RestoresTheBestEpochsWeights()
    {
        var split = TrainingTestData.Planted(users: 120);
        var (reference, refTrainer) = Setup(split, Fast);
        refTrainer.Fit(split);

        var calls = new List<int>();
        var (model, trainer) = Setup(split, Fast with { Epochs = 4, EvaluationInterval = 1 }, scorer: TrainingTestData.Scripted([0.1, 0.5, 0.2, 0.3], calls));
        var result = trainer.Fit(split);

        Assert.Equal((2, 0.5, true, false), (result.BestEpoch, result.BestScore, result.RestoredBest, result.StoppedEarly));
        Assert.Equal(4, calls.Count);
        Assert.All(calls, n => Assert.Equal(split.Valid.Count, n));
        TrainingTestData.AssertSameWeights(TrainingTestData.Weights(reference), TrainingTestData.Weights(model));
    }

    [Fact]
    public void EarlyStopping_EndsTheRunAfterPatienceValidationsWithoutImprovement()
    {
        var split = TrainingTestData.Planted(users: 60);
        var (_, trainer) = Setup(split, Fast with { Epochs = 10, EvaluationInterval = 1, Patience = 2 }, scorer: TrainingTestData.Scripted([0.3, 0.4, 0.4, 0.35, 0.9]));
        var result = trainer.Fit(split);
        Assert.Equal(4, result.Epochs.Count);
        Assert.True(result.StoppedEarly);
        Assert.Equal((2, 0.4), (result.BestEpoch, result.BestScore));
        Assert.Equal([0.3, 0.4, 0.4, 0.35], result.Epochs.Select(e => e.Score!.Value));
    }

    [Fact]
    public void WithoutValidation_ThereIsNoBestEpoch_AndTheLastWeightsStay()
    {
        var split = TrainingTestData.Planted(users: 60);
        var (model, trainer) = Setup(split, Fast, scorer: TrainingTestData.Scripted([1.0]));
        var result = trainer.Fit(split);
        Assert.Null(result.BestEpoch);
        Assert.False(result.RestoredBest);
        Assert.All(result.Epochs, e => Assert.Null(e.Validation));
        Assert.Equal(2 * ((split.Train.Count + 31) / 32), result.Steps);
        Assert.False(model.Module.Training);
    }

    [Fact]
    public void FrozenParameters_StayBitIdentical_OthersLearn()
    {
        var split = TrainingTestData.Planted(users: 60);
        var (model, trainer) = Setup(split, Fast);
        var backbone = (TinyBackbone)model.Backbone;
        backbone.Items.Weight.RequiresGrad = false;
        var before = TrainingTestData.Weights(model);
        trainer.Fit(split);
        var after = TrainingTestData.Weights(model);
        Assert.Equal(before["item_emb.weight"], after["item_emb.weight"]);
        Assert.NotEqual(before["proj.weight"], after["proj.weight"]);
    }

    [Fact]
    public void AdapterTuning_TrainsOnlyTheAdapter_PooledOrNot()
    {
        var split = TrainingTestData.Planted(users: 60);
        (Dictionary<string, float[]> Before, Dictionary<string, float[]> After) Train(bool pooled)
        {
            var (model, trainer) = Setup(split, Fast with { PoolStepTensors = pooled });
            model.Backbone.Slots.Attach("user_state", new BottleneckAdapter(16, 4, generator: new Generator(2)));
            model.Module.FreezeAllBut(Freezing.AdaptersGroup);
            var before = TrainingTestData.Weights(model);
            trainer.Fit(split);
            return (before, TrainingTestData.Weights(model));
        }

        var (before, pooledAfter) = Train(true);
        TrainingTestData.AssertSameWeights(Train(false).After, pooledAfter);
        Assert.Equal(before["item_emb.weight"], pooledAfter["item_emb.weight"]);
        Assert.Equal(before["proj.weight"], pooledAfter["proj.weight"]);
        Assert.NotEqual(before["adapters.user_state.down"], pooledAfter["adapters.user_state.down"]);
    }

    [Fact]
    public void Progress_ReportsEveryStepAndEveryEpoch()
    {
        var split = TrainingTestData.Planted(users: 60);
        var (_, trainer) = Setup(split, Fast with { EvaluationInterval = 2, EvaluateTest = true }, scorer: TrainingTestData.Scripted([0.5]));
        var reports = new List<TrainingProgress>();
        var result = trainer.Fit(split, new SynchronousProgress(reports.Add));
        int steps = (split.Train.Count + 31) / 32;
        Assert.Equal(2 * steps, reports.Count(r => r.Phase == TrainingPhase.Step));
        Assert.Equal([1, 2], reports.Where(r => r.Phase == TrainingPhase.EpochCompleted).Select(r => r.Record!.Epoch));
        Assert.Single(reports, r => r.Phase == TrainingPhase.Validating);
        Assert.Equal(TrainingPhase.Testing, reports[^1].Phase);
        var lastStep = reports.Last(r => r.Phase == TrainingPhase.Step);
        Assert.Equal((2, steps, steps, 2L * steps), (lastStep.Epoch, lastStep.Step, lastStep.StepsPerEpoch, lastStep.GlobalStep));
        Assert.Equal(result.Epochs[1].Loss, lastStep.Loss, 12);
    }

    [Fact]
    public void Cancellation_StopsBetweenSteps()
    {
        var split = TrainingTestData.Planted(users: 60);
        var (model, trainer) = Setup(split, Fast);
        var before = TrainingTestData.Weights(model);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(split, cancellationToken: cts.Token));
        TrainingTestData.AssertSameWeights(before, TrainingTestData.Weights(model));

        using var later = new CancellationTokenSource();
        int seen = 0;
        var progress = new SynchronousProgress(r =>
        {
            if (r.Phase == TrainingPhase.Step && ++seen == 3)
            {
                later.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(split, progress, later.Token));
        Assert.Equal(3, seen);
    }

    [Fact]
    public void BadInput_IsRejectedBeforeTraining_WithAClearMessage()
    {
        var split = TrainingTestData.Planted(users: 60);
        var other = TrainingTestData.Planted(users: 60, items: 25);
        var (model, trainer) = Setup(split, Fast with { EvaluationInterval = 1 });
        var before = TrainingTestData.Weights(model);

        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(other));
        Assert.Contains("has 25 items but the backbone TinyBackbone was built for 30", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => NewTrainer(model, Fast with { MaxLength = 9 }, new Generator(1)).Fit(split));
        Assert.Contains("MaxLength 9 exceeds the backbone's MaxLength 8", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => trainer.Fit(split with { Valid = [] }));
        Assert.Contains("no validation examples", e.Message, StringComparison.Ordinal);

        foreach (var p in model.Module.Parameters())
        {
            p.RequiresGrad = false;
        }

        Assert.Throws<InvalidOperationException>(() => trainer.Fit(split));
        TrainingTestData.AssertSameWeights(before, TrainingTestData.Weights(model));
    }

    [Fact]
    public void AdamW_WeightDecay_AndHugeClipNorm_BehaveAsDocumented()
    {
        var split = TrainingTestData.Planted(users: 60);
        Dictionary<string, float[]> Train(TrainerOptions o)
        {
            var (model, trainer) = Setup(split, o);
            trainer.Fit(split);
            return TrainingTestData.Weights(model);
        }

        var plain = Train(Fast);
        TrainingTestData.AssertSameWeights(plain, Train(Fast with { GradientClipNorm = 1e30 }));
        Assert.False(TrainingTestData.SameWeights(plain, Train(Fast with { Optimizer = OptimizerKind.AdamW, WeightDecay = 0.5 })));
        TrainingTestData.AssertSameWeights(plain, Train(Fast with { Optimizer = OptimizerKind.AdamW, WeightDecay = 0 }));
    }

    /// <summary>Calls the handler on the reporting thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> handler) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => handler(value);
    }
}
