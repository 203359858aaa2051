using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ParamGen.Tensors;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Serialization;
using ParamGen.Tensors.Tests.Optim;

namespace ParamGen.Tensors.Tests.Serialization;

/// <summary>Checkpoints restore training exactly, are written atomically, and refuse to load into a model that does not fit.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"pg-ckpt-{Guid.NewGuid():N}");

    public CheckpointTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Target => Path.Combine(_dir, "last.safetensors");

    private static readonly CheckpointMetadata Meta = new()
    {
        Epoch = 2,
        Step = 5,
        BestScore = 0.3125,
        Options = new JsonObject { ["hidden"] = TrainingLoop.Hidden, ["name"] = "tiny" },
    };

    /// <summary>A fresh run: data and model from one generator, and the generator that continues to drive the batches.</summary>
    private static (TinyMlp Model, AdamW Opt, CosineAnnealing Schedule, Tensor X, Tensor Y, Generator G) Run(ulong seed)
    {
        var g = new Generator(seed);
        var (x, y) = TrainingLoop.Data(new Generator(100));
        var (model, opt, schedule) = TrainingLoop.Create(g);
        return (model, opt, schedule, x, y, g);
    }

    private static void AssertSameWeights(Dictionary<string, float[]> expected, TinyMlp model)
    {
        var actual = model.Snapshot();
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (k, v) in expected)
        {
            Assert.Equal(v, actual[k]);
        }
    }

    [Fact]
    public void FiveStepsSavedAndResumedEqualTenUninterruptedStepsBitwise()
    {
        var straight = Run(1);
        TrainingLoop.Train(straight.Model, straight.Opt, straight.Schedule, straight.X, straight.Y, straight.G, 10);

        var first = Run(1);
        TrainingLoop.Train(first.Model, first.Opt, first.Schedule, first.X, first.Y, first.G, 5);
        Checkpoint.Save(Target, first.Model, first.Opt, Meta, first.Schedule, first.G);

        // Different seed: different initial weights and generator state, all of which the load must overwrite.
        var resumed = Run(2);
        var meta = Checkpoint.Load(Target, resumed.Model, resumed.Opt, resumed.Schedule, resumed.G);
        Assert.Equal(5, resumed.Schedule.LastStep);
        TrainingLoop.Train(resumed.Model, resumed.Opt, resumed.Schedule, resumed.X, resumed.Y, resumed.G, 5);

        AssertSameWeights(straight.Model.Snapshot(), resumed.Model);
        Assert.Equal(10f, resumed.Model.Seen.Item());
        Assert.Equal(straight.Schedule.GetLastLr(), resumed.Schedule.GetLastLr());
        Assert.Equal(straight.G.NextUInt64(), resumed.G.NextUInt64());
        Assert.Equal(straight.Opt.StateDict().ScalarsToJson().ToJsonString(), resumed.Opt.StateDict().ScalarsToJson().ToJsonString());

        Assert.Equal(Meta.Epoch, meta.Epoch);
        Assert.Equal(Meta.Step, meta.Step);
        Assert.Equal(Meta.BestScore, meta.BestScore);
        Assert.Equal(Meta.Options!.ToJsonString(), meta.Options!.ToJsonString());
    }

    [Fact]
    public void SidecarDescribesTheTensorFileAndModelKeysArePlain()
    {
        var run = Run(3);
        TrainingLoop.Train(run.Model, run.Opt, run.Schedule, run.X, run.Y, run.G, 2);
        Checkpoint.Save(Target, run.Model, run.Opt, Meta, run.Schedule, run.G);

        var sidecar = JsonNode.Parse(File.ReadAllText(Checkpoint.SidecarPath(Target)))!;
        Assert.Equal(Path.Combine(_dir, "last.json"), Checkpoint.SidecarPath(Target));
        Assert.Equal(Checkpoint.FormatVersion, (int)sidecar["format_version"]!);
        Assert.Equal(2, (int)sidecar["epoch"]!);
        Assert.Equal(5L, (long)sidecar["step"]!);
        Assert.Equal(0.3125, (double)sidecar["best_score"]!);
        Assert.Equal("tiny", (string)sidecar["options"]!["name"]!);
        Assert.Equal("AdamW", (string)sidecar["optimizer"]!["optimizer"]!);
        Assert.Equal(2, (int)sidecar["scheduler"]!["last_step"]!);
        Assert.Equal(run.G.GetState(), sidecar["generator"]!.AsArray().Select(n => (ulong)n!).ToArray());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Target))), (string)sidecar["data_sha256"]!);

        // PyTorch reads the weights with safetensors.torch.load_file: model keys are stored as they are.
        var file = SafeTensors.Load(Target);
        Assert.Equal(run.Model.Fc1.Weight.ToArray(), file["fc1.weight"].ToArray());
        Assert.True(file.Contains("optimizer.state.0.0.max_exp_avg_sq"));
        Assert.Equal(2, Checkpoint.ReadMetadata(Target).Epoch);
    }

    [Fact]
    public void SavingLeavesNoTemporaryFiles()
    {
        var run = Run(4);
        Checkpoint.Save(Target, run.Model, run.Opt);
        TrainingLoop.Train(run.Model, run.Opt, null, run.X, run.Y, run.G, 1);
        Checkpoint.Save(Target, run.Model, run.Opt);
        Assert.Equal(["last.json", "last.safetensors"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void FailedSaveLeavesThePreviousCheckpointIntactAndLoadable()
    {
        var run = Run(5);
        TrainingLoop.Train(run.Model, run.Opt, run.Schedule, run.X, run.Y, run.G, 3);
        Checkpoint.Save(Target, run.Model, run.Opt, Meta, run.Schedule, run.G);
        var savedWeights = run.Model.Snapshot();
        var dataBefore = File.ReadAllBytes(Target);
        var sidecarBefore = File.ReadAllBytes(Checkpoint.SidecarPath(Target));

        TrainingLoop.Train(run.Model, run.Opt, run.Schedule, run.X, run.Y, run.G, 2);

        // The disk fills up while the tensor file is written: AtomicFile throws before its move.
        Assert.Throws<IOException>(() => Checkpoint.SaveWith(Target, run.Model, run.Opt, Meta with { Step = 99 }, run.Schedule, run.G, (_, _) => throw new IOException("No space left on device")));

        // A target that is a folder is refused before anything is written.
        Directory.CreateDirectory(Path.Combine(_dir, "taken.safetensors"));
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Save(Path.Combine(_dir, "taken.safetensors"), run.Model, run.Opt));
        Assert.Contains("folder", e.Message);

        // A parent that is a regular file: the real I/O fails.
        Assert.ThrowsAny<IOException>(() => Checkpoint.Save(Path.Combine(Target, "nested.safetensors"), run.Model, run.Opt));

        Assert.Equal(dataBefore, File.ReadAllBytes(Target));
        Assert.Equal(sidecarBefore, File.ReadAllBytes(Checkpoint.SidecarPath(Target)));
        Assert.Equal(["last.json", "last.safetensors"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order());

        var fresh = Run(6);
        var meta = Checkpoint.Load(Target, fresh.Model, fresh.Opt, fresh.Schedule, fresh.G);
        Assert.Equal(5, meta.Step);
        AssertSameWeights(savedWeights, fresh.Model);
    }

    [Fact]
    public void LoadNeverDependsOnTheSidecar()
    {
        // If the sidecar write fails after the tensor file was committed, the checkpoint is the new one and
        // whole; the stale sidecar is recognisable by its hash.
        var run = Run(7);
        Checkpoint.Save(Target, run.Model, run.Opt, Meta, run.Schedule, run.G);
        TrainingLoop.Train(run.Model, run.Opt, run.Schedule, run.X, run.Y, run.G, 2);
        var newWeights = run.Model.Snapshot();
        Assert.Throws<IOException>(() => Checkpoint.SaveWith(Target, run.Model, run.Opt, Meta with { Step = 7 }, run.Schedule, run.G, (p, bytes) =>
        {
            if (p.EndsWith(".json", StringComparison.Ordinal))
            {
                throw new IOException("No space left on device");
            }

            AtomicFile.WriteAllBytes(p, bytes);
        }));

        var sidecar = JsonNode.Parse(File.ReadAllText(Checkpoint.SidecarPath(Target)))!;
        Assert.NotEqual(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Target))), (string)sidecar["data_sha256"]!);
        var fresh = Run(8);
        Assert.Equal(7, Checkpoint.Load(Target, fresh.Model, fresh.Opt, fresh.Schedule, fresh.G).Step);
        AssertSameWeights(newWeights, fresh.Model);
    }

    [Fact]
    public void LoadingIntoADifferentShapeThrowsNamingKeyAndShapesAndChangesNothing()
    {
        var run = Run(9);
        Checkpoint.Save(Target, run.Model, run.Opt, Meta, run.Schedule, run.G);

        var g = new Generator(10);
        var other = new TinyMlp(TrainingLoop.Inputs, TrainingLoop.Hidden + 1, TrainingLoop.Outputs, g);
        var opt = new AdamW(other.Parameters());
        var before = other.Snapshot();
        var generatorBefore = g.GetState();
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Load(Target, other, opt, generator: g));
        Assert.Contains("'fc1.weight'", e.Message);
        Assert.Contains($"[{TrainingLoop.Hidden}, {TrainingLoop.Inputs}]", e.Message);
        Assert.Contains($"[{TrainingLoop.Hidden + 1}, {TrainingLoop.Inputs}]", e.Message);
        AssertSameWeights(before, other);
        Assert.Equal(generatorBefore, g.GetState());
    }

    [Fact]
    public void MissingOptimizerStateOrModelKeysThrowBeforeTheModelChanges()
    {
        var run = Run(11);
        Checkpoint.Save(Target, run.Model); // weights only

        var fresh = Run(12);
        var before = fresh.Model.Snapshot();
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Load(Target, fresh.Model, fresh.Opt));
        Assert.Contains("no optimizer state", e.Message);
        AssertSameWeights(before, fresh.Model);

        var wider = new WiderMlp(new Generator(13));
        var k = Assert.Throws<KeyNotFoundException>(() => Checkpoint.Load(Target, wider));
        Assert.Contains("extra", k.Message);
    }

    [Fact]
    public void OptimizerStateOfAnotherKindThrowsAndChangesNothing()
    {
        var run = Run(14);
        TrainingLoop.Train(run.Model, run.Opt, null, run.X, run.Y, run.G, 1);
        Checkpoint.Save(Target, run.Model, run.Opt);

        var fresh = Run(15);
        var sgd = new Sgd(fresh.Model.Parameters());
        var before = fresh.Model.Snapshot();
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Load(Target, fresh.Model, sgd));
        Assert.Contains("AdamW", e.Message);
        Assert.Contains(Target, e.Message);
        AssertSameWeights(before, fresh.Model);
    }

    [Fact]
    public void APlainSafetensorsFileIsNotACheckpoint()
    {
        var run = Run(16);
        run.Model.Save(Target);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(Target, run.Model));
        Assert.Contains(Target, e.Message);
        Assert.Contains("not a ParamGen checkpoint", e.Message);
    }

    [Theory]
    [InlineData(double.NegativeInfinity)]
    [InlineData(double.NaN)]
    [InlineData(0.75)]
    public void BestScoresRoundTripIncludingNonFinite(double score)
    {
        var run = Run(18);
        Checkpoint.Save(Target, run.Model, metadata: new CheckpointMetadata { BestScore = score }, generator: run.G);
        Assert.Equal(score, Checkpoint.ReadMetadata(Target).BestScore);
        Assert.Null(Checkpoint.ReadMetadata(Target).Options);
    }

    [Fact]
    public void AJsonPathIsRejected()
    {
        var run = Run(17);
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Save(Path.Combine(_dir, "c.json"), run.Model));
        Assert.Contains(".json", e.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    private sealed class WiderMlp : ParamGen.Tensors.Nn.Module
    {
        public WiderMlp(Generator g)
        {
            RegisterModule("fc1", new Dense(TrainingLoop.Inputs, TrainingLoop.Hidden, g));
            RegisterModule("fc2", new Dense(TrainingLoop.Hidden, TrainingLoop.Outputs, g));
            RegisterBuffer("seen", Tensor.Zeros(1));
            RegisterParameter("extra", new ParamGen.Tensors.Nn.Parameter(Tensor.Zeros(2)));
        }
    }
}
