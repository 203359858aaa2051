using System.Text.Json.Nodes;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Generators;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Random;
using ParamGen.Tests.Backbones;
using ParamGen.Tests.Training;
using ParamGen.Training;

namespace ParamGen.Tests.Generators;

/// <summary>Serving: the cache, unknown domains, and checkpoints that rebuild the same model.</summary>
public class HamurServingTests
{
    private static readonly int[][] Histories = [[3, 7, 5, 2], [3, 7, 5, 2], [3, 7, 5, 2], [9], [11, 4], [6, 6, 1, 8, 12]];
    private static readonly int[] Domains = [0, 0, 1, 1, 0, 1];

    [Fact]
    public void ByDefaultTheCoreDependsOnTheDomainAlone_SoNoPositionSeesItsOwnTargets()
    {
        // Under cross-entropy at every position one core serves all positions of a sequence; a core computed from the
        // history would carry the later items (the earlier positions' targets) into every position.
        var backbone = HamurTestKit.TinySasRec();
        var generator = new HamurGenerator(backbone, HamurTestKit.TinyHamur(history: HamurHistory.None), 2, new Generator(3));
        Assert.Equal(HamurHistory.None, new HamurOptions().History);
        var a = SequenceBatch.FromHistories([[3, 7, 5, 2], [9]], 5, [0, 1], HamurTestKit.Items);
        var b = SequenceBatch.FromHistories([[8, 1], [4, 4, 6, 12, 10]], 5, [0, 1], HamurTestKit.Items);
        generator.Module.Eval();
        var ca = new GeneratorContext(a, backbone, 2);
        var cb = new GeneratorContext(b, backbone, 2);
        Assert.Equal(generator.Generate(ca).ToArray(), generator.Generate(cb).ToArray());
        Assert.Equal(("0", "1"), (generator.CacheKey(ca, 0), generator.CacheKey(ca, 1)));
        var other = SequenceBatch.FromHistories([[3, 7, 5, 2]], 5, [1], HamurTestKit.Items);
        Assert.NotEqual(generator.Generate(ca).ToArray().AsSpan(0, generator.Layout.Size).ToArray(), generator.Generate(new GeneratorContext(other, backbone, 2)).ToArray());
    }

    [Fact]
    public void WithoutTheHiddenBatchNormTrainingAndEvaluationGenerateTheSameCores()
    {
        // Domain-only input: with the batch norm, the training-mode core of a domain follows the batch's domain mix and
        // differs from the evaluation core (running statistics); without it the three agree.
        var mixes = new[] { new[] { 0, 1, 0, 1, 0, 1 }, new[] { 0, 0, 0, 0, 0, 1 } };
        float[][] Cores(HamurHiddenNorm norm, bool training, int[] domains)
        {
            var backbone = HamurTestKit.TinySasRec();
            var generator = new HamurGenerator(backbone, HamurTestKit.TinyHamur(history: HamurHistory.None) with { HiddenNorm = norm }, 2, new Generator(3));
            generator.Module.Train(training);
            var generated = generator.Generate(new GeneratorContext(HamurTestKit.Batch(4, domains), backbone, 2)).ToArray();
            int p = generator.Layout.Size, last = domains.Length - 1;
            return [generated.AsSpan(0, p).ToArray(), generated.AsSpan(last * p, p).ToArray()]; // domain 0, domain 1
        }

        foreach (var mix in mixes)
        {
            var evaluation = Cores(HamurHiddenNorm.None, false, mix);
            var training = Cores(HamurHiddenNorm.None, true, mix);
            Assert.Equal(evaluation[0], training[0]);
            Assert.Equal(evaluation[1], training[1]);
        }

        Assert.NotEqual(Cores(HamurHiddenNorm.Batch, true, mixes[0])[1], Cores(HamurHiddenNorm.Batch, true, mixes[1])[1]);
        Assert.NotEqual(Cores(HamurHiddenNorm.Batch, false, mixes[0])[1], Cores(HamurHiddenNorm.Batch, true, mixes[0])[1]);

        var plain = new HamurGenerator(HamurTestKit.TinySasRec(), HamurTestKit.TinyHamur(history: HamurHistory.None) with { HiddenNorm = HamurHiddenNorm.None }, 2, new Generator(3));
        Assert.DoesNotContain(plain.Module.StateDict(), e => e.Key.Contains("hidden_norms", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(HamurHiddenNorm.Auto, HamurHistory.None, false)]
    [InlineData(HamurHiddenNorm.Auto, HamurHistory.Mean, true)]
    [InlineData(HamurHiddenNorm.Batch, HamurHistory.None, true)]
    [InlineData(HamurHiddenNorm.None, HamurHistory.Mean, false)]
    public void TheDefaultKeepsTheHiddenBatchNormWithTheHistoryAndDropsItForTheDomainAlone(HamurHiddenNorm norm, HamurHistory history, bool batchNorm)
    {
        Assert.Equal(HamurHiddenNorm.Auto, new HamurOptions().HiddenNorm);
        var options = HamurTestKit.TinyHamur(history: history) with { HiddenNorm = norm };
        Assert.Equal(batchNorm ? HamurHiddenNorm.Batch : HamurHiddenNorm.None, options.ResolveHiddenNorm());
        var generator = new HamurGenerator(HamurTestKit.TinySasRec(), options, 2, new Generator(3));
        Assert.Equal(batchNorm, generator.Module.StateDict().Any(e => e.Key.StartsWith("hidden_norms.", StringComparison.Ordinal)));
    }

    [Fact]
    public void StoredOptionsWithoutHiddenNormAreReadAsTheBatchNormTheyWereTrainedWith()
    {
        // Checkpoints made before the choice existed store no hidden_norm; batch norm was then the only hypernetwork.
        var stored = (JsonObject)GeneratorRegistry.Describe(new HamurGenerator(HamurTestKit.TinySasRec(), HamurTestKit.TinyHamur(history: HamurHistory.None), 2, new Generator(3)))!.Options.DeepClone();
        Assert.Equal("Auto", stored["hidden_norm"]!.GetValue<string>());
        var rebuilt = (HamurGenerator)GeneratorRegistry.Create(new GeneratorDescription("hamur", 2, stored), HamurTestKit.TinySasRec());
        Assert.Equal(HamurHiddenNorm.Auto, rebuilt.Options.HiddenNorm);
        Assert.DoesNotContain(rebuilt.Module.StateDict(), e => e.Key.StartsWith("hidden_norms.", StringComparison.Ordinal));

        stored.Remove("hidden_norm");
        var old = (HamurGenerator)GeneratorRegistry.Create(new GeneratorDescription("hamur", 2, stored), HamurTestKit.TinySasRec());
        Assert.Equal(HamurHiddenNorm.Batch, old.Options.HiddenNorm);
        Assert.Contains(old.Module.StateDict(), e => e.Key.StartsWith("hidden_norms.", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(HamurTestKit.Kinds), MemberType = typeof(HamurTestKit))]
    public void CachedServingEqualsUncachedAndASecondCallIsServedFromTheCache(string kind)
    {
        var model = HamurTestKit.Tiny(kind);
        model.Module.Eval();
        var batch = SequenceBatch.FromHistories(Histories, 5, Domains, HamurTestKit.Items);
        var reordered = SequenceBatch.FromHistories([.. Histories.Reverse()], 5, [.. Domains.Reverse()], HamurTestKit.Items);
        using var noGrad = Grad.NoGrad();
        var uncached = model.EncodeLast(batch).ToArray();
        var uncachedReordered = model.EncodeLast(reordered).ToArray();

        model.EnableCache();
        Assert.Equal(uncached, model.EncodeLast(batch).ToArray());
        int rows = model.CachedRows;
        Assert.Equal(kind == "hamur" ? 5 : 2, rows);                 // HAMUR: domain + items (rows 0 and 1 share a key); per-domain: the domain
        Assert.Equal(uncached, model.EncodeLast(batch).ToArray());
        Assert.Equal(uncachedReordered, model.EncodeLast(reordered).ToArray());
        Assert.Equal(rows, model.CachedRows);

        // The generator's weights change, but the cached rows still serve: generation did not run again.
        foreach (var p in model.Generator.Module.Parameters())
        {
            HamurTestKit.Perturb(p.Span, 0.5f);
        }

        Assert.Equal(uncached, model.EncodeLast(batch).ToArray());
        Assert.Equal(rows, model.CachedRows);
        model.ClearCache();
        Assert.NotEqual(uncached, model.EncodeLast(batch).ToArray());
    }

    [Theory]
    [InlineData("sasrec", "hamur")]
    [InlineData("sasrec", "domain_adapter")]
    [InlineData("gru4rec", "hamur")]
    [InlineData("gru4rec", "domain_adapter")]
    public void EncodeLastEqualsTheLastPositionOfEncode(string backboneKind, string kind)
    {
        // SASRec passes the last block's slot a single position (L' = 1), GRU4Rec a [B, H] state of another width than d.
        ISequentialBackbone backbone = backboneKind == "sasrec"
            ? HamurTestKit.TinySasRec()
            : new Gru4Rec(HamurTestKit.Items, new Gru4RecOptions { EmbeddingSize = 8, HiddenSize = 10, MaxLength = 5, Dropout = 0f }, new Generator(1));
        var model = HamurTestKit.Create(kind, backbone, 2, 7);
        var batch = HamurTestKit.MixedBatch();
        using (Grad.NoGrad())
        {
            model.Module.Train();
            _ = model.Encode(batch);                                   // move the running statistics off their start
            model.Module.Eval();
            var all = model.Encode(batch);                             // [B, L, d]
            var last = model.EncodeLast(batch);                        // [B, d]
            BackboneTestKit.AssertClose(all.Select(1, 4).ToArray(), last.ToArray(), 1e-5f, $"{backboneKind} + {kind}");
        }
    }

    [Theory]
    [MemberData(nameof(HamurTestKit.Kinds), MemberType = typeof(HamurTestKit))]
    public void AnUnknownDomainIsAClearErrorBeforeAnyStateChanges(string kind)
    {
        var model = HamurTestKit.Tiny(kind);
        var bad = HamurTestKit.Batch(3, [0, 1, 2, 0]);
        var state = TrainingTestData.Weights(model);
        foreach (bool training in new[] { true, false })
        {
            model.Module.Train(training);
            var e = Assert.Throws<ArgumentException>(() => model.Encode(bad));
            Assert.Contains("row 2", e.Message, StringComparison.Ordinal);
            Assert.Contains("domain id 2", e.Message, StringComparison.Ordinal);
            Assert.Contains("2 domain(s)", e.Message, StringComparison.Ordinal);
        }

        model.EnableCache();
        using (Grad.NoGrad())
        {
            Assert.Throws<ArgumentException>(() => model.EncodeLast(bad));
        }

        Assert.Equal(0, model.CachedRows);
        TrainingTestData.AssertSameWeights(state, TrainingTestData.Weights(model));

        // A context that claims more domains than the generator knows is refused by the generator itself.
        var context = new GeneratorContext(bad, model.Backbone, 3);
        var direct = Assert.Throws<ArgumentException>(() => model.Generator.Generate(context));
        Assert.Contains("knows 2 domain(s)", direct.Message, StringComparison.Ordinal);
        TrainingTestData.AssertSameWeights(state, TrainingTestData.Weights(model));
    }

    [Theory]
    [InlineData("hamur")]
    [InlineData("hamur_shared")]
    [InlineData("domain_adapter")]
    public void ACheckpointRebuildsTheSameModelThroughTheRegistry(string kind)
    {
        var split = HamurTestKit.PlantedDomains(users: 60, items: 12, seed: 8);
        var backbone = new SasRec(split.Dataset.NumItems, new SasRecOptions { HiddenSize = 8, Blocks = 2, Heads = 2, MaxLength = 6, Dropout = 0.1f }, new Generator(3));
        var model = HamurTestKit.Create(kind, backbone, split.Dataset.NumDomains, 4);
        using var directory = new TempDirectory();
        // The tiny HAMUR kinds read the history (mean item embedding), so they train at the last position of every prefix.
        var positions = model.Generator.ConditionsOnHistory ? TrainingPositions.Last : TrainingPositions.All;
        new Trainer(model, new TrainerOptions { Epochs = 2, BatchSize = 16, CheckpointDirectory = directory.Path, EvaluateTest = false, Patience = null, Positions = positions }, generator: backbone.Generator).Fit(split);

        var loaded = TrainingCheckpoint.Load(directory.Path);
        var rebuilt = Assert.IsType<GeneratedRecommender>(loaded.Recommender);
        Assert.Equal(model.Generator.GetType(), rebuilt.Generator.GetType());
        Assert.Equal(model.Generator.Layout.ToString(), rebuilt.Generator.Layout.ToString());
        TrainingTestData.AssertSameWeights(TrainingTestData.Weights(model), TrainingTestData.Weights(rebuilt));

        model.Module.Eval();
        var batch = new SequenceBatcher(split.Dataset, split.Test, new SequenceBatchOptions { BatchSize = 64, MaxLength = 6 }).Epoch(0).First();
        using var noGrad = Grad.NoGrad();
        Assert.Equal(model.Backbone.Score(model.EncodeLast(batch)).ToArray(), rebuilt.Backbone.Score(rebuilt.EncodeLast(batch)).ToArray());
    }

    [Fact]
    public void AWarmStartCopiesTheSavedBackboneButNeverItsAdapters()
    {
        // A backbone trained alone, then HAMUR over a backbone of other initial weights filled from it.
        var split = HamurTestKit.PlantedDomains(users: 60, items: 12, seed: 8);
        var options = new SasRecOptions { HiddenSize = 8, Blocks = 2, Heads = 2, MaxLength = 6, Dropout = 0.1f };
        var trained = new SequentialRecommender(new SasRec(split.Dataset.NumItems, options, new Generator(3)));
        using var alone = new TempDirectory();
        var fit = new TrainerOptions { Epochs = 1, BatchSize = 16, CheckpointDirectory = alone.Path, EvaluateTest = false, Patience = null };
        new Trainer(trained, fit, generator: new Generator(3)).Fit(split);

        var model = HamurTestKit.Create("hamur", new SasRec(split.Dataset.NumItems, options, new Generator(9)), split.Dataset.NumDomains, 4);
        var before = Backbone(model.Backbone);
        Assert.Equal(before.Count(kv => !kv.Key.StartsWith("adapters.", StringComparison.Ordinal)), TrainingCheckpoint.LoadBackbone(alone.Path, model.Backbone));
        var after = Backbone(model.Backbone);
        var source = Backbone(trained.Backbone);
        foreach (var (key, values) in after)
        {
            // Backbone tensors now hold the trained ones; the adapter cells keep their own initialisation.
            Assert.Equal(key.StartsWith("adapters.", StringComparison.Ordinal) ? before[key] : source[key], values);
        }

        Assert.Contains(after.Keys, k => k.StartsWith("adapters.", StringComparison.Ordinal));
        Assert.NotEqual(before["item_embedding.weight"], after["item_embedding.weight"]);

        // From a run with adapters into a bare backbone: the backbone is copied, the adapters are left behind.
        using var withAdapters = new TempDirectory();
        new Trainer(model, fit with { CheckpointDirectory = withAdapters.Path, Positions = TrainingPositions.Last }, generator: new Generator(4)).Fit(split);
        var bare = new SasRec(split.Dataset.NumItems, options, new Generator(10));
        TrainingCheckpoint.LoadBackbone(withAdapters.Path, bare);
        Assert.Equal(Backbone(model.Backbone).Where(kv => !kv.Key.StartsWith("adapters.", StringComparison.Ordinal)), Backbone(bare));
    }

    [Fact]
    public void AWarmStartFromAnotherBackboneIsRefused_AndChangesNothing()
    {
        var split = HamurTestKit.PlantedDomains(users: 40, items: 12, seed: 8);
        var options = new SasRecOptions { HiddenSize = 8, Blocks = 2, Heads = 2, MaxLength = 6, Dropout = 0.1f };
        using var directory = new TempDirectory();
        new Trainer(new SequentialRecommender(new SasRec(split.Dataset.NumItems, options, new Generator(3))),
            new TrainerOptions { Epochs = 1, BatchSize = 16, CheckpointDirectory = directory.Path, EvaluateTest = false, Patience = null }, generator: new Generator(3)).Fit(split);

        foreach (var other in new ISequentialBackbone[]
        {
            new SasRec(split.Dataset.NumItems, options with { Blocks = 1 }, new Generator(5)),
            new SasRec(split.Dataset.NumItems + 1, options, new Generator(5)),
            new Gru4Rec(split.Dataset.NumItems, new Gru4RecOptions { EmbeddingSize = 8, HiddenSize = 8, MaxLength = 6 }, new Generator(5)),
        })
        {
            var before = Backbone(other);
            var e = Assert.Throws<ArgumentException>(() => TrainingCheckpoint.LoadBackbone(directory.Path, other));
            Assert.Contains("holds a sasrec backbone over 12 items", e.Message, StringComparison.Ordinal);
            Assert.Contains("but the target is a", e.Message, StringComparison.Ordinal);
            Assert.Equal(before, Backbone(other));
        }

        Assert.Throws<DirectoryNotFoundException>(() => TrainingCheckpoint.LoadBackbone(Path.Combine(directory.Path, "missing"), new SasRec(split.Dataset.NumItems, options, new Generator(5))));
    }

    private static Dictionary<string, float[]> Backbone(ISequentialBackbone backbone) => backbone.Module.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
}
