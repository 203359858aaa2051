using System.Text.Json.Nodes;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Evaluation;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Serialization;
using ParamGen.Training;

namespace ParamGen.Tests.Training;

public class TrainingCheckpointTests
{
    private static readonly TrainerOptions Fast = new() { Epochs = 2, BatchSize = 32, LearningRate = 1e-2, EvaluationInterval = 1, EvaluateTest = false };

    public TrainingCheckpointTests() => TinyBackbone.Register();

    private static (SequentialRecommender Model, Trainer Trainer) Setup(DatasetSplit split, TrainerOptions options, ValidationScorer? scorer = null)
    {
        var g = new Generator(1);
        var model = TrainingTestData.Model(split, generator: g);
        return (model, new Trainer(model, options, generator: g) { Scorer = scorer ?? TrainingTestData.Rank });
    }

    [Fact]
    public void Resume_EndsWithTheSameModelAndHistoryAsAnUninterruptedRun()
    {
        var split = TrainingTestData.Planted(users: 120);
        using var dir = new TempDirectory();
        double[] scores = [0.2, 0.6, 0.3, 0.5, 0.4];
        var options = Fast with { Epochs = 5, Loss = TrainingLoss.SampledBce, NegativeSamples = 2 };

        var (straight, straightTrainer) = Setup(split, options, TrainingTestData.Scripted(scores));
        var expected = straightTrainer.Fit(split);

        // Run 3 epochs into a folder; a fresh model (other initial weights) resumes it to 5.
        var (first, firstTrainer) = Setup(split, options with { Epochs = 3, CheckpointDirectory = dir.Path }, TrainingTestData.Scripted(scores));
        firstTrainer.Fit(split);
        var g = new Generator(77);
        var resumed = TrainingTestData.Model(split, generator: g);
        string next = Path.Combine(dir.Path, "continued");
        var trainer = new Trainer(resumed, options with { CheckpointDirectory = next }, generator: g) { Scorer = TrainingTestData.Scripted(scores[3..]) };
        var result = trainer.Resume(split, dir.Path);

        TrainingTestData.AssertSameWeights(TrainingTestData.Weights(straight), TrainingTestData.Weights(resumed));
        Assert.Equal(expected.Epochs.Select(e => (e.Epoch, e.Loss, e.Score)), result.Epochs.Select(e => (e.Epoch, e.Loss, e.Score)));
        Assert.Equal((expected.BestEpoch, expected.BestScore, expected.Steps), (result.BestEpoch, result.BestScore, result.Steps));
        Assert.Equal(2, result.BestEpoch);
        Assert.True(result.RestoredBest);

        // The new folder carries the best weights on (no epoch after the resumption improved on epoch 2).
        var best = TrainingCheckpoint.Load(next);
        Assert.Equal((2, 5), (best.Epoch, TrainingCheckpoint.Load(next, preferBest: false).Epoch));
        TrainingTestData.AssertSameWeights(TrainingTestData.Weights(straight), TrainingTestData.Weights(best.Recommender));
    }

    [Fact]
    public void Resume_WithDifferentOptionsOrData_IsRefused_NamingTheDifference()
    {
        var split = TrainingTestData.Planted(users: 60);
        using var dir = new TempDirectory();
        var (_, trainer) = Setup(split, Fast with { CheckpointDirectory = dir.Path });
        trainer.Fit(split);

        var (model, other) = Setup(split, Fast with { Epochs = 4, BatchSize = 16 });
        var before = TrainingTestData.Weights(model);
        var e = Assert.Throws<ArgumentException>(() => other.Resume(split, dir.Path));
        Assert.Contains("TrainerOptions.BatchSize was 32 in the saved run but is 16 now", e.Message, StringComparison.Ordinal);
        var (_, onOtherData) = Setup(split, Fast with { Epochs = 4 });
        var smaller = TrainingTestData.Planted(users: 50);
        e = Assert.Throws<ArgumentException>(() => onOtherData.Resume(smaller, dir.Path));
        Assert.Contains("the dataset was", e.Message, StringComparison.Ordinal);
        TrainingTestData.AssertSameWeights(before, TrainingTestData.Weights(model));
        Assert.Throws<FileNotFoundException>(() => other.Resume(split, Path.Combine(dir.Path, "missing")));
    }

    [Fact]
    public void Checkpoint_ReloadsToIdenticalScores_WithItsVocabularyAndRecord()
    {
        var split = TrainingTestData.Planted(users: 120);
        using var dir = new TempDirectory();
        var (model, trainer) = Setup(split, Fast with { Epochs = 3, CheckpointDirectory = dir.Path }, TrainingTestData.Scripted([0.1, 0.3, 0.2]));
        var result = trainer.Fit(split);
        Assert.Equal(2, result.BestEpoch);

        var loaded = TrainingCheckpoint.Load(dir.Path);
        Assert.EndsWith(TrainingCheckpoint.BestFileName, loaded.Path, StringComparison.Ordinal);
        Assert.Equal((TinyBackbone.Kind, 30, 2, 2, 0.3), (loaded.Backbone.Kind, loaded.Backbone.NumItems, loaded.Epoch, loaded.BestEpoch, loaded.BestScore));
        Assert.Equal(new TinyOptions(), ((TinyBackbone)loaded.Recommender.Backbone).Options);
        Assert.Equal(split.Dataset.Items.Tokens, loaded.Items!.Tokens);
        Assert.Equal(Fast with { Epochs = 3, CheckpointDirectory = dir.Path, Evaluation = loaded.Options.Evaluation }, loaded.Options);
        Assert.False(loaded.Recommender.Module.Training);

        // The trained model holds the best weights (restored), so both give the same scores, bit for bit.
        var expected = Scores(model, split);
        Assert.Equal(expected, Scores(loaded.Recommender, split));
        Assert.Equal(TrainingTestData.Rank(model, split.Dataset, split.Test, new()).Overall, TrainingTestData.Rank(loaded.Recommender, split.Dataset, split.Test, new()).Overall);

        // The last checkpoint holds epoch 3's weights and the whole history.
        var last = TrainingCheckpoint.Load(dir.Path, preferBest: false);
        Assert.Equal((3, 3), (last.Epoch, last.History.Count));
        Assert.NotEqual(expected, Scores(last.Recommender, split));
    }

    [Fact]
    public void CheckpointFolder_HoldsWeightsForPyTorch_AndAReadableRecord()
    {
        var split = TrainingTestData.Planted(users: 60);
        using var dir = new TempDirectory();
        var (model, trainer) = Setup(split, Fast with { CheckpointDirectory = dir.Path });
        trainer.Fit(split);

        foreach (var file in new[] { "last.safetensors", "last.json", "best.safetensors", "best.json", "items.json" })
        {
            Assert.True(File.Exists(Path.Combine(dir.Path, file)), file);
        }

        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
        var tensors = SafeTensors.Load(Path.Combine(dir.Path, "last.safetensors")).ToDictionary();
        Assert.Contains("item_emb.weight", tensors.Keys);
        Assert.Contains(tensors.Keys, k => k.StartsWith("optimizer.state.", StringComparison.Ordinal));
        var sidecar = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "last.json")))!;
        var record = sidecar["options"]!;
        Assert.Equal(1, record["format_version"]!.GetValue<int>());
        Assert.Equal(TinyBackbone.Kind, record["backbone"]!["kind"]!.GetValue<string>());
        Assert.Equal(16, record["backbone"]!["options"]!["dim"]!.GetValue<int>());
        Assert.Equal(32, record["trainer"]!["batch_size"]!.GetValue<int>());
        Assert.Equal(2, record["epochs_done"]!.GetValue<int>());
        Assert.Equal(2, record["history"]!.AsArray().Count);
        Assert.Equal(2, sidecar["epoch"]!.GetValue<int>());
        Assert.NotNull(sidecar["generator"]);
        Assert.NotNull(sidecar["optimizer"]);
    }

    [Fact]
    public void Load_ExplainsWhatIsMissing()
    {
        using var dir = new TempDirectory();
        Assert.Throws<DirectoryNotFoundException>(() => TrainingCheckpoint.Load(Path.Combine(dir.Path, "nope")));
        Assert.Throws<FileNotFoundException>(() => TrainingCheckpoint.Load(dir.Path));
        string items = Path.Combine(dir.Path, "bad-items.json");
        File.WriteAllText(items, "{\"format\": \"paramgen.items\", \"tokens\": [\"a\", 3]}");
        Assert.Contains("bad-items.json: not a ParamGen item vocabulary", Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.ReadItems(items)).Message, StringComparison.Ordinal);

        // A run whose model is not a plain registered backbone saves checkpoints for resumption but cannot be rebuilt by kind.
        var split = TrainingTestData.Planted(users: 60);
        var g = new Generator(1);
        var composite = new Wrapped(TrainingTestData.Model(split, generator: g).Backbone);
        new Trainer(composite, Fast with { Epochs = 1, EvaluationInterval = 0, CheckpointDirectory = dir.Path }, generator: g).Fit(split);
        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(dir.Path));
        Assert.Contains("Wrapped (TinyBackbone)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_RefusesConflicts_AndListsKindsForUnknownOnes()
    {
        Assert.Contains(TinyBackbone.Kind, BackboneRegistry.Kinds);
        Assert.Throws<ArgumentException>(() => BackboneRegistry.Register<TinyBackbone, TinyOptions>("other_tiny", b => b.Options, (n, o, g) => new TinyBackbone(n, o, g)));
        Assert.Throws<ArgumentException>(() => BackboneRegistry.Register<TinyBackbone, TinyOptions>("Bad-Kind", b => b.Options, (n, o, g) => new TinyBackbone(n, o, g)));
        var e = Assert.Throws<KeyNotFoundException>(() => BackboneRegistry.Create(new BackboneDescription("nope", 3, [])));
        Assert.Contains(TinyBackbone.Kind, e.Message, StringComparison.Ordinal);

        var built = BackboneRegistry.Create(new BackboneDescription(TinyBackbone.Kind, 7, new JsonObject { ["dim"] = 4, ["dropout"] = 0, ["max_length"] = 5 }));
        Assert.Equal((7, 4, 5), (built.NumItems, built.HiddenSize, built.MaxLength));
        Assert.Equal(new BackboneDescription(TinyBackbone.Kind, 7, []).Kind, BackboneRegistry.Describe(built)!.Kind);
        Assert.Equal(4, BackboneRegistry.Describe(built)!.Options["dim"]!.GetValue<int>());
    }

    private static float[] Scores(ISequentialRecommender model, DatasetSplit split)
    {
        var batch = new SequenceBatcher(split.Dataset, split.Test, new SequenceBatchOptions { BatchSize = 64, MaxLength = 8 }).First();
        model.Module.Eval();
        using var _ = Grad.NoGrad();
        return model.Backbone.Score(model.Encode(batch)).ToArray();
    }

    /// <summary>A recommender that is not a plain SequentialRecommender (as a backbone with a generator would be).</summary>
    private sealed class Wrapped(ISequentialBackbone backbone) : ISequentialRecommender
    {
        public ISequentialBackbone Backbone { get; } = backbone;

        public Module Module => Backbone.Module;

        public Tensor Encode(SequenceBatch batch) => Backbone.Encode(batch);
    }
}
