using System.Globalization;
using System.Text;

namespace ParamGen.Cli.Tests;

/// <summary>train / evaluate / recommend on multi-domain data, with and without a generator (HAMUR).</summary>
public sealed class MultiDomainCommandTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly string _inter;

    public MultiDomainCommandTests()
    {
        _inter = _files.Write("shops.inter", Interactions());
    }

    public void Dispose() => _files.Dispose();

    /// <summary>
    /// Two domains in one RecBole file whose domain column is called <c>shop</c>: 40 users each, books (items b1..b15)
    /// walk the catalogue in steps of 1, games (g1..g15) in steps of 4; lengths 6 to 10.
    /// </summary>
    private static string Interactions()
    {
        var text = new StringBuilder("user_id:token\titem_id:token\ttimestamp:float\tshop:token\n");
        long time = 1_600_000_000;
        foreach (var (shop, prefix, step) in new[] { ("books", "b", 1), ("games", "g", 4) })
        {
            for (int u = 1; u <= 40; u++)
            {
                int item = ((u * 7) % 15) + 1;
                for (int t = 0; t < 6 + (u % 5); t++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{prefix}u{u}\t{prefix}{item}\t{time++}\t{shop}\n");
                    item = ((item - 1 + step) % 15) + 1;
                }
            }
        }

        return text.ToString();
    }

    private static string[] Train(string data, string dir, int epochs, params string[] extra) =>
        ["train", "--data", data, "--domain-column", "shop", "--dim", "16", "--max-len", "8", "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--batch", "32",
         "--lr", "0.01", "--threads", "1", "--out", dir, "--json", .. extra];

    [Fact]
    public void HamurTrainsEvaluatesPerDomainAndRecommendsWithinANamedDomain()
    {
        string dir = Path.Combine(_files.Root, "hamur");
        var (code, stdout, stderr) = CliRunner.Run(Train(_inter, dir, 2, "--generator", "hamur", "--hamur-bottleneck", "8", "--hamur-rank", "4",
            "--hamur-hidden", "16", "--hamur-domain-dim", "4", "--candidates", "domain", "--k", "5,10"));
        Assert.True(code == 0, stderr);
        var train = CliRunner.Json(stdout);
        Assert.Equal("hamur", train.GetProperty("generator").GetProperty("kind").GetString());
        Assert.Equal(2, train.GetProperty("generator").GetProperty("domains").GetInt32());
        Assert.Equal(4, train.GetProperty("generator").GetProperty("options").GetProperty("core_rank").GetInt32());
        Assert.Equal("auto", train.GetProperty("generator").GetProperty("options").GetProperty("hidden_norm").GetString(), ignoreCase: true);
        var test = train.GetProperty("test");
        Assert.Equal("domain", test.GetProperty("candidates").GetString());
        Assert.Equal(["books", "games"], test.GetProperty("perDomain").EnumerateObject().Select(p => p.Name));
        Assert.True(File.Exists(Path.Combine(dir, "domains.json")));

        // The checkpoint rebuilds the generator: evaluate reproduces the run's test figures, overall and per domain.
        (code, stdout, stderr) = CliRunner.Run("evaluate", "--checkpoint", dir, "--data", _inter, "--domain-column", "shop", "--candidates", "domain", "--k", "5,10", "--json");
        Assert.True(code == 0, stderr);
        var eval = CliRunner.Json(stdout).GetProperty("result");
        Assert.Equal(test.GetProperty("metrics").GetProperty("NDCG@10").GetDouble(), eval.GetProperty("metrics").GetProperty("NDCG@10").GetDouble(), 12);
        foreach (var shop in new[] { "books", "games" })
        {
            Assert.Equal(test.GetProperty("perDomain").GetProperty(shop).GetProperty("HR@10").GetDouble(),
                eval.GetProperty("perDomain").GetProperty(shop).GetProperty("HR@10").GetDouble(), 12);
        }

        // Within a named domain only that domain's items come back.
        (code, stdout, stderr) = CliRunner.Run("recommend", "--checkpoint", dir, "--history", "g1 g5 g9", "--domain", "games", "--candidates", "domain", "-k", "5", "--json");
        Assert.True(code == 0, stderr);
        var rec = CliRunner.Json(stdout);
        Assert.Equal("games", rec.GetProperty("domain").GetString());
        var listed = rec.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("item").GetString()!).ToArray();
        Assert.Equal(5, listed.Length);
        Assert.All(listed, token => Assert.StartsWith("g", token, StringComparison.Ordinal));
        Assert.DoesNotContain("g5", listed);

        // A multi-domain generator needs the domain, and an unknown one is named with the known ones.
        (code, stdout, stderr) = CliRunner.Run("recommend", "--checkpoint", dir, "--history", "g1", "--domain", "music");
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains("--domain 'music' is not a domain of the checkpoint; its domains are: books, games.", stderr, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run("recommend", "--checkpoint", dir, "--history", "g1");
        Assert.Equal(2, code);
        Assert.Contains("serves 2 domains (books, games); pass --domain NAME", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void HamurWithTheMeanHistoryTrainsAtTheLastPositionOfEveryPrefix()
    {
        string dir = Path.Combine(_files.Root, "hamur-mean");
        var (code, stdout, stderr) = CliRunner.Run(Train(_inter, dir, 1, "--generator", "hamur", "--hamur-rank", "4", "--hamur-hidden", "16", "--hamur-history", "mean"));
        Assert.True(code == 0, stderr);
        var train = CliRunner.Json(stdout);
        Assert.Equal("Last", train.GetProperty("positions").GetString());
        Assert.Equal("mean", train.GetProperty("generator").GetProperty("options").GetProperty("history").GetString(), ignoreCase: true);
        Assert.False(train.GetProperty("generator").GetProperty("options").GetProperty("detach_history").GetBoolean());

        (code, stdout, stderr) = CliRunner.Run(Train(_inter, Path.Combine(_files.Root, "plain"), 1));
        Assert.True(code == 0, stderr);
        Assert.Equal("All", CliRunner.Json(stdout).GetProperty("positions").GetString());

        Assert.DoesNotContain("warning:", stderr, StringComparison.Ordinal);

        (code, stdout, stderr) = CliRunner.Run(Train(_inter, Path.Combine(_files.Root, "grouped"), 1, "--group-by-length"));
        Assert.True(code == 0, stderr);
        Assert.True(CliRunner.Json(stdout).GetProperty("groupByLength").GetBoolean());
        Assert.DoesNotContain("warning:", stderr, StringComparison.Ordinal); // a bare SASRec has no batch statistics

        // HAMUR over grouped batches: its norms' batch statistics would follow the length of each batch; the trainer's
        // warning reaches stderr, and stdout still holds one JSON object. (Here the history is read without gradient into the items.)
        (code, stdout, stderr) = CliRunner.Run(Train(_inter, Path.Combine(_files.Root, "hamur-grouped"), 1, "--generator", "hamur", "--hamur-rank", "4", "--hamur-hidden", "16", "--hamur-history", "mean-detached", "--group-by-length"));
        Assert.True(code == 0, stderr);
        train = CliRunner.Json(stdout);
        Assert.True(train.GetProperty("groupByLength").GetBoolean());
        Assert.Equal("mean", train.GetProperty("generator").GetProperty("options").GetProperty("history").GetString(), ignoreCase: true);
        Assert.True(train.GetProperty("generator").GetProperty("options").GetProperty("detach_history").GetBoolean());
        Assert.Contains("warning: GroupByLength is on", stderr, StringComparison.Ordinal);
        Assert.Contains("generator.hidden_norms.0", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void HamurWithTheHiddenBatchNormForcedTrainsAndItsCheckpointEvaluatesAgain()
    {
        string dir = Path.Combine(_files.Root, "hamur-bn");
        var (code, stdout, stderr) = CliRunner.Run(Train(_inter, dir, 1, "--generator", "hamur", "--hamur-rank", "4", "--hamur-norm", "batch", "--candidates", "domain", "--k", "10"));
        Assert.True(code == 0, stderr);
        var train = CliRunner.Json(stdout);
        Assert.Equal("batch", train.GetProperty("generator").GetProperty("options").GetProperty("hidden_norm").GetString(), ignoreCase: true);
        double trained = train.GetProperty("test").GetProperty("metrics").GetProperty("NDCG@10").GetDouble();

        (code, stdout, stderr) = CliRunner.Run("evaluate", "--checkpoint", dir, "--data", _inter, "--domain-column", "shop", "--candidates", "domain", "--k", "10", "--json");
        Assert.True(code == 0, stderr);
        Assert.Equal(trained, CliRunner.Json(stdout).GetProperty("result").GetProperty("metrics").GetProperty("NDCG@10").GetDouble(), 12);
    }

    [Fact]
    public void HamurWarmStartsFromABackboneTrainedAloneAndCanKeepItFrozen()
    {
        string alone = Path.Combine(_files.Root, "alone"), adapted = Path.Combine(_files.Root, "adapted");
        var (code, _, stderr) = CliRunner.Run(Train(_inter, alone, 1));
        Assert.True(code == 0, stderr);
        (code, _, stderr) = CliRunner.Run(Train(_inter, adapted, 1, "--generator", "hamur", "--hamur-rank", "4", "--init-backbone", alone, "--freeze-backbone"));
        Assert.True(code == 0, stderr);

        // Started from the saved backbone and kept frozen: every backbone tensor but the adapter cells equals the saved one.
        var source = ParamGen.Training.TrainingCheckpoint.Load(alone).Recommender.Backbone.Module.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        var trained = ParamGen.Training.TrainingCheckpoint.Load(adapted).Recommender.Backbone.Module.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        Assert.Equal(source.Keys.Order(), trained.Keys.Where(k => !k.StartsWith("adapters.", StringComparison.Ordinal)).Order());
        Assert.All(source, kv => Assert.Equal(kv.Value, trained[kv.Key]));
        Assert.Contains(trained.Keys, k => k.StartsWith("adapters.", StringComparison.Ordinal));

        // Another backbone (1 block against the saved 2) is refused before anything is written.
        string other = Path.Combine(_files.Root, "other");
        (code, var stdout, stderr) = CliRunner.Run(Train(_inter, other, 1, "--generator", "hamur", "--init-backbone", alone, "--layers", "1"));
        Assert.Equal((2, string.Empty), (code, stdout));
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains($"--init-backbone {alone}: ", stderr, StringComparison.Ordinal);
        Assert.Contains("\"blocks\":2", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(other));
    }

    [Fact]
    public void StaticDomainAdaptersTrainOnOneFilePerDomain()
    {
        string books = _files.Write("books.txt", string.Join('\n', Enumerable.Range(1, 30).Select(u => $"{u} {string.Join(' ', Enumerable.Range(0, 6).Select(t => ((u + t) % 12) + 1))}")) + "\n");
        string games = _files.Write("games.txt", string.Join('\n', Enumerable.Range(1, 30).Select(u => $"{u} {string.Join(' ', Enumerable.Range(0, 6).Select(t => ((u + (3 * t)) % 12) + 1))}")) + "\n");
        string dir = Path.Combine(_files.Root, "static");
        var (code, stdout, stderr) = CliRunner.Run("train", "--data", books, "--data", games, "--generator", "domain_adapter", "--hamur-bottleneck", "4",
            "--dim", "16", "--max-len", "6", "--epochs", "1", "--threads", "1", "--out", dir, "--json");
        Assert.True(code == 0, stderr);
        var train = CliRunner.Json(stdout);
        Assert.Equal("domain_adapter", train.GetProperty("generator").GetProperty("kind").GetString());
        Assert.Equal(["books", "games"], train.GetProperty("test").GetProperty("perDomain").EnumerateObject().Select(p => p.Name));

        // The same files in the other order would give the domains other ids: refused rather than silently swapped.
        (code, _, stderr) = CliRunner.Run("evaluate", "--checkpoint", dir, "--data", games, "--data", books, "--json");
        Assert.Equal(1, code);
        Assert.Contains("are not the ones the checkpoint's DomainAdapterGenerator was trained on", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void APlainBackboneOnMultiDomainDataTakesADomainAndACandidateScope()
    {
        string dir = Path.Combine(_files.Root, "plain");
        var (code, stdout, stderr) = CliRunner.Run(Train(_inter, dir, 1));
        Assert.True(code == 0, stderr);
        var test = CliRunner.Json(stdout).GetProperty("test");
        Assert.Equal("all", test.GetProperty("candidates").GetString());
        Assert.False(CliRunner.Json(stdout).TryGetProperty("generator", out _));

        (code, stdout, stderr) = CliRunner.Run("evaluate", "--checkpoint", dir, "--data", _inter, "--domain-column", "shop", "--candidates", "domain", "--k", "10", "--json");
        Assert.True(code == 0, stderr);
        var eval = CliRunner.Json(stdout).GetProperty("result");
        Assert.Equal("domain", eval.GetProperty("candidates").GetString());
        Assert.Equal(2, eval.GetProperty("perDomain").EnumerateObject().Count());

        // Ranking within books lists only books; a plain backbone needs no domain otherwise.
        (code, stdout, stderr) = CliRunner.Run("recommend", "--checkpoint", dir, "--history", "b1 b2", "--domain", "books", "--candidates", "domain", "-k", "13", "--json");
        Assert.True(code == 0, stderr);
        var books = CliRunner.Json(stdout).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("item").GetString()!).ToArray();
        Assert.Equal(13, books.Length);                                  // the 15 books but the 2 seen
        Assert.All(books, token => Assert.StartsWith("b", token, StringComparison.Ordinal));
        Assert.Equal(0, CliRunner.Run("recommend", "--checkpoint", dir, "--history", "b1 b2", "--json").Code);

        (code, _, stderr) = CliRunner.Run("recommend", "--checkpoint", dir, "--history", "b1", "--domain", "films");
        Assert.Equal(2, code);
        Assert.Contains("its domains are: books, games.", stderr, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run("recommend", "--checkpoint", dir, "--history", "b1", "--candidates", "domain");
        Assert.Equal(2, code);
        Assert.Contains("--candidates domain needs --domain NAME", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Argument 'hypernet' not recognized. Must be one of: 'none' 'hamur' 'domain_adapter'", "--generator", "hypernet")]
    [InlineData("Argument 'mixed' not recognized. Must be one of: 'per-domain' 'shared'", "--generator", "hamur", "--hamur-factors", "mixed")]
    [InlineData("Argument 'union' not recognized. Must be one of: 'all' 'domain'", "--candidates", "union")]
    [InlineData("--hamur-rank applies to --generator hamur only.", "--hamur-rank", "8")]
    [InlineData("--hamur-rank applies to --generator hamur only.", "--generator", "domain_adapter", "--hamur-rank", "8")]
    [InlineData("--hamur-bottleneck applies to --generator hamur or domain_adapter only.", "--hamur-bottleneck", "8")]
    [InlineData("--hamur-rank 0: needs at least 1.", "--generator", "hamur", "--hamur-rank", "0")]
    [InlineData("--hamur-history applies to --generator hamur only.", "--generator", "domain_adapter", "--hamur-history", "mean")]
    [InlineData("--hamur-norm applies to --generator hamur only.", "--generator", "domain_adapter", "--hamur-norm", "none")]
    [InlineData("Argument 'layer' not recognized. Must be one of: 'auto' 'batch' 'none'", "--generator", "hamur", "--hamur-norm", "layer")]
    [InlineData("--positions all cannot train a generator that reads the history (--hamur-history mean)", "--generator", "hamur", "--hamur-history", "mean", "--positions", "all")]
    [InlineData("Argument 'first' not recognized. Must be one of: 'all' 'last'", "--positions", "first")]
    [InlineData("--group-by-length cuts each batch to its longest history, which would change gru4rec's states", "--model", "gru4rec", "--group-by-length")]
    [InlineData("--freeze-backbone leaves nothing to train without a generator: add --generator.", "--freeze-backbone")]
    [InlineData("--hamur-hidden '16,x': 'x' is not a positive whole number.", "--generator", "hamur", "--hamur-hidden", "16,x")]
    [InlineData("--hamur-slots 'block0,block7': no slot 'block7'; the backbone's slots are block0, block1, user_state.", "--generator", "hamur", "--hamur-slots", "block0,block7")]
    public void BadGeneratorArgumentsGiveOneLineAndExitCode2(string expected, params string[] extra)
    {
        string dir = Path.Combine(_files.Root, "bad");
        var (code, stdout, stderr) = CliRunner.Run(Train(_inter, dir, 1, extra));
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "last.safetensors")));
    }
}
