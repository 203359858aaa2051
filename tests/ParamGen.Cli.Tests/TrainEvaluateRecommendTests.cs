using ParamGen.Data;

namespace ParamGen.Cli.Tests;

/// <summary>The train -> evaluate -> recommend path end to end on a small generated file.</summary>
public sealed class TrainEvaluateRecommendTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly string _data;

    public TrainEvaluateRecommendTests()
    {
        var synthetic = SyntheticDataGenerator.Generate(new SyntheticOptions { Users = 300, Items = 60, Clusters = 6, Categories = 4, MaxLength = 20, Seed = 3 });
        synthetic.WriteFiles(_files.Root);
        _data = Path.Combine(_files.Root, "synthetic.inter");
    }

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("sasrec")]
    [InlineData("gru4rec")]
    public void TrainWritesACheckpointThatEvaluatesAndRecommends(string model)
    {
        string dir = Path.Combine(_files.Root, model);
        var (code, stdout, stderr) = CliRunner.Run("train", "--data", _data, "--model", model, "--dim", "16", "--hidden", "16", "--max-len", "10",
            "--epochs", "3", "--batch", "64", "--lr", "0.01", "--threads", "1", "--out", dir, "--json");
        Assert.True(code == 0, stderr);
        var train = CliRunner.Json(stdout);
        Assert.Equal(3, train.GetProperty("epochs").GetArrayLength());
        Assert.Equal(300, train.GetProperty("data").GetProperty("test").GetInt32());
        double trainTestNdcg = train.GetProperty("test").GetProperty("metrics").GetProperty("NDCG@10").GetDouble();
        Assert.True(File.Exists(Path.Combine(dir, "best.safetensors")));

        // Evaluating the saved best weights on the same file reproduces the run's own test figure, per domain too.
        (code, stdout, stderr) = CliRunner.Run("evaluate", "--checkpoint", dir, "--data", _data, "--k", "10", "--json");
        Assert.True(code == 0, stderr);
        var eval = CliRunner.Json(stdout).GetProperty("result");
        Assert.Equal(trainTestNdcg, eval.GetProperty("metrics").GetProperty("NDCG@10").GetDouble(), 12);
        Assert.Equal(3, eval.GetProperty("perDomain").EnumerateObject().Count());
        Assert.False(eval.GetProperty("maskHistory").GetBoolean());

        (code, stdout, stderr) = CliRunner.Run("recommend", "--checkpoint", dir, "--history", "i1 i2 i3", "-k", "5", "--json");
        Assert.True(code == 0, stderr);
        var items = CliRunner.Json(stdout).GetProperty("items");
        Assert.Equal(5, items.GetArrayLength());
        var listed = items.EnumerateArray().Select(i => i.GetProperty("item").GetString()).ToArray();
        Assert.DoesNotContain("i1", listed);
        Assert.Equal(5, listed.Distinct().Count());
    }

    [Fact]
    public void BadModelCheckpointAndTokensGiveOneLineErrors()
    {
        var (code, _, stderr) = CliRunner.Run("train", "--data", _data, "--model", "bert4rec", "--out", Path.Combine(_files.Root, "x"));
        Assert.Equal(2, code);
        Assert.Contains("--model 'bert4rec' is not a backbone", stderr, StringComparison.Ordinal);

        (code, _, stderr) = CliRunner.Run("evaluate", "--checkpoint", Path.Combine(_files.Root, "none"), "--data", _data);
        Assert.Equal(1, code);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));

        string dir = Path.Combine(_files.Root, "small");
        Assert.Equal(0, CliRunner.Run("train", "--data", _data, "--dim", "8", "--max-len", "5", "--epochs", "1", "--threads", "1", "--out", dir, "--json").Code);
        (code, _, stderr) = CliRunner.Run("recommend", "--checkpoint", dir, "--history", "i1 nosuchitem");
        Assert.Equal(1, code);
        Assert.Contains("nosuchitem", stderr, StringComparison.Ordinal);

        (code, _, stderr) = CliRunner.Run("evaluate", "--checkpoint", dir, "--data", _data, "--k", "10,x");
        Assert.Equal(2, code);
        Assert.Contains("'x' is not a positive whole number", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--dim: SasRecOptions.HiddenSize = -3 is invalid: it must be at least 1.", "--dim", "-3")]
    [InlineData("--heads: SasRecOptions.Heads = 3 is invalid: it must divide HiddenSize (64).", "--heads", "3")]
    [InlineData("--dropout: SasRecOptions.Dropout = 1 is invalid: it must be a dropout probability in [0, 1).", "--dropout", "1")]
    [InlineData("--hidden: Gru4RecOptions.HiddenSize = 0 is invalid: it must be at least 1.", "--model", "gru4rec", "--hidden", "0")]
    [InlineData("--layers: Gru4RecOptions.Layers = 0 is invalid: it must be at least 1.", "--model", "gru4rec", "--layers", "0")]
    [InlineData("--epochs: TrainerOptions.Epochs = 0 is invalid: it must be at least 1.", "--epochs", "0")]
    [InlineData("--lr: TrainerOptions.LearningRate = -0.5 is invalid: it must be finite and greater than 0.", "--lr", "-0.5")]
    [InlineData("--batch: TrainerOptions.BatchSize = 0 is invalid: it must be at least 1.", "--batch", "0")]
    public void AnOutOfRangeValueIsAUsageErrorNamingTheFlag(string expected, params string[] extra)
    {
        string dir = Path.Combine(_files.Root, "rejected");
        var (code, stdout, stderr) = CliRunner.Run(["train", "--data", _data, "--threads", "1", "--out", dir, .. extra]);

        Assert.Equal(2, code);
        Assert.Equal("paramgen: error: " + expected, stderr.TrimEnd());
        Assert.Equal(string.Empty, stdout);
        Assert.False(Directory.Exists(dir), "a rejected run must not create its checkpoint folder");
    }
}
