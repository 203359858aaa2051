using ParamGen.Adapters;
using ParamGen.Data;
using ParamGen.Evaluation;
using ParamGen.Generators;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Random;
using ParamGen.Tests.Training;
using ParamGen.Training;

namespace ParamGen.Tests.GeneratorFramework;

public sealed class GeneratedRecommenderTests
{
    private static (GeneratedRecommender Model, ToyGenerator Generator) Toy(int items = 30, int groups = 2, ulong seed = 3)
    {
        var rng = new Generator(seed);
        var backbone = new TinyBackbone(items, new TinyOptions(Dropout: 0f), rng);
        var generator = new ToyGenerator(backbone, new ToyGeneratorOptions(), groups, rng);
        return (new GeneratedRecommender(backbone, generator), generator);
    }

    private static SequenceBatch Batch(int[] domains, params int[][] histories) =>
        SequenceBatch.FromHistories(histories, maxLength: 8, domainIds: domains);

    [Fact]
    public void Encode_IsTheBackboneEncodingWithTheGeneratorsWeights()
    {
        var (model, generator) = Toy();
        var batch = Batch([0, 1], [1, 2, 3], [4, 5]);
        var context = new GeneratorContext(batch, model.Backbone, 2);
        var expected = model.Backbone.Encode(batch, generator.Layout.Bind(generator.Generate(context), null, context.Samples)).ToArray();
        Assert.Equal(expected, model.Encode(batch).ToArray());
        Assert.NotEqual(expected, model.Backbone.Encode(batch, generator.Layout.Bind(Tensor.Zeros(2, generator.Layout.Size))).ToArray());
    }

    [Fact]
    public void TheGeneratorLearnsThroughTheGeneratedWeights_AndTheStateKeysNameBothParts()
    {
        var (model, generator) = Toy();
        var batch = Batch([0, 1], [1, 2, 3], [4, 5]);
        model.Encode(batch).Square().Sum().Backward();
        var keys = model.Module.NamedParameters().Select(p => p.Name).ToList();
        Assert.Contains("generator.map.weight", keys);
        Assert.Contains("backbone.item_emb.weight", keys);
        var map = model.Module.NamedParameters().Single(p => p.Name == "generator.map.weight").Parameter;
        Assert.True(map.Grad is { } g && g.ToArray().Any(v => v != 0f), "no gradient reached the generator");
        Assert.Same(generator, model.Generator);
    }

    [Fact]
    public void AnUnknownDomainIsRefused_NamingTheRowAndTheDomains()
    {
        var (model, generator) = Toy(groups: 2);
        var e = Assert.Throws<ArgumentException>(() => model.Encode(Batch([0, 2], [1, 2], [3])));
        Assert.Contains("row 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("domain id 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 domain(s)", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, generator.Calls);
    }

    [Fact]
    public void ALayoutThatDoesNotMatchTheBackboneIsRefused()
    {
        var rng = new Generator(1);
        var backbone = new TinyBackbone(30, new TinyOptions(), rng);
        var generator = new ToyGenerator(backbone, new ToyGeneratorOptions(Bottleneck: 4), 1, rng);
        backbone.Slots.Attach("user_state", new BottleneckAdapter(backbone.HiddenSize, 8, AdapterWeightSource.Generated));
        var e = Assert.Throws<ArgumentException>(() => new GeneratedRecommender(backbone, generator));
        Assert.Contains("does not match", e.Message, StringComparison.Ordinal);
        Assert.Contains("user_state.down", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CachedServing_EqualsUncached_AndSkipsGenerationForSeenSamples()
    {
        var (model, generator) = Toy();
        model.Module.Eval();
        var batch = Batch([0, 1, 1], [1, 2, 3], [4, 5], [6]);
        float[] uncached;
        using (Grad.NoGrad())
        {
            uncached = model.EncodeLast(batch).ToArray();
            model.EnableCache();
            Assert.Equal(uncached, model.EncodeLast(batch).ToArray());
            Assert.Equal((3, 2), (model.CachedRows, generator.Calls));   // 1 uncached + 1 filling the cache, then:
            Assert.Equal(uncached, model.EncodeLast(batch).ToArray());
            Assert.Equal(uncached.AsSpan(0, 16).ToArray(), model.EncodeLast(Batch([0], [1, 2, 3])).ToArray());
            Assert.Equal(2, generator.Calls);                             // both served from the cache

            model.EncodeLast(Batch([1], [1, 2, 3]));                      // same history, other domain: new row
            Assert.Equal((4, 3), (model.CachedRows, generator.Calls));
            model.ClearCache();
            Assert.Equal(0, model.CachedRows);
        }

        model.Module.Train();
        model.EncodeLast(batch);
        Assert.Equal(0, model.CachedRows); // training neither reads nor fills the cache
    }

    [Fact]
    public void FreezeBackbone_LeavesOnlyTheGeneratorAndTheAdaptersTrainable()
    {
        var (model, _) = Toy();
        int frozen = model.FreezeBackbone();
        var trainable = model.Module.TrainableParameters().Select(p => p.Name).ToList();
        Assert.True(frozen > 0);
        Assert.All(trainable, name => Assert.True(name.StartsWith("generator.", StringComparison.Ordinal) || name.StartsWith("backbone.adapters.", StringComparison.Ordinal), name));
        Assert.Contains("generator.map.weight", trainable);
        Assert.Equal(frozen, model.FreezeBackbone(frozen: false));
        Assert.Contains("backbone.item_emb.weight", model.Module.TrainableParameters().Select(p => p.Name));
    }

    [Fact]
    public void ACheckpointOfAGeneratedModel_RebuildsBothParts_WithIdenticalScores()
    {
        TinyBackbone.Register();
        ToyGenerator.Register();
        var split = TrainingTestData.Planted(users: 120);
        using var dir = new TempDirectory();
        var rng = new Generator(4);
        var backbone = new TinyBackbone(split.Dataset.NumItems, new TinyOptions(), rng);
        var model = new GeneratedRecommender(backbone, new ToyGenerator(backbone, new ToyGeneratorOptions(), 1, rng));
        new Trainer(model, new TrainerOptions { Epochs = 2, BatchSize = 32, Seed = 4, CheckpointDirectory = dir.Path }).Fit(split);

        var loaded = TrainingCheckpoint.Load(dir.Path);
        var rebuilt = Assert.IsType<GeneratedRecommender>(loaded.Recommender);
        Assert.Equal(ToyGenerator.Kind, GeneratorRegistry.Describe(rebuilt.Generator)!.Kind);
        Assert.Equal(new ToyGeneratorOptions(), ((ToyGenerator)rebuilt.Generator).Options);
        Assert.Equal(TrainingTestData.Rank(model, split.Dataset, split.Test, new()).Overall, TrainingTestData.Rank(rebuilt, split.Dataset, split.Test, new()).Overall);
    }
}
