namespace ParamGen.Cli.Tests;

public class InfoCommandTests
{
    [Fact]
    public void JsonInfoReportsCountsLengthsAndFiltersAsOneObject()
    {
        using var files = new TempFiles();
        string data = files.Write("tiny.txt", "u1 a b c d\nu2 b c\nu3 a c d e f\n");
        var (code, stdout, stderr) = CliRunner.Run("info", "--data", data, "--min-user", "3", "--json");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stderr);
        var json = CliRunner.Json(stdout);
        Assert.Equal(2, json.GetProperty("users").GetInt32());          // u2 (2 items) removed by the 3-core on users
        Assert.Equal(9, json.GetProperty("interactions").GetInt32());
        Assert.Equal(6, json.GetProperty("items").GetInt32());
        Assert.Equal(4, json.GetProperty("sequenceLength").GetProperty("min").GetInt32());
        Assert.Equal(5, json.GetProperty("sequenceLength").GetProperty("max").GetInt32());
        var step = json.GetProperty("filters")[0];
        Assert.Equal(2, step.GetProperty("interactionsRemoved").GetInt32());
        Assert.Equal(1, step.GetProperty("usersRemoved").GetInt32());
    }

    [Fact]
    public void SeveralDataFilesBecomeDomains()
    {
        using var files = new TempFiles();
        string a = files.Write("beauty.txt", "1 a b c\n2 b c\n");
        string b = files.Write("toys.txt", "1 x y\n");
        var (code, stdout, _) = CliRunner.Run("info", "--data", a, "--data", b, "--json");

        Assert.Equal(0, code);
        var domains = CliRunner.Json(stdout).GetProperty("domains");
        Assert.Equal(2, domains.GetArrayLength());
        Assert.Equal("beauty", domains[0].GetProperty("name").GetString());
        Assert.Equal(5, domains[0].GetProperty("interactions").GetInt32());
        Assert.Equal(1, domains[1].GetProperty("users").GetInt32());
    }

    [Theory]
    [InlineData(2, "Option '--data' is required", "info")]
    [InlineData(2, "Cannot parse argument 'x'", "info", "--data", "any.txt", "--min-user", "x")]
    [InlineData(1, "no such file", "info", "--data", "missing-file.txt")]
    [InlineData(2, "Unrecognized command or argument 'bogus'", "bogus")]
    public void BadArgumentsGiveOneLineAndANonZeroCode(int expectedCode, string expected, params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.Equal(expectedCode, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AMalformedFileIsNamedWithItsLine()
    {
        using var files = new TempFiles();
        string bad = files.Write("bad.csv", "userId,movieId,rating,timestamp\n1,2,3.5,100\n1,3,high,200\n");
        var (code, _, stderr) = CliRunner.Run("info", "--data", bad);
        Assert.Equal(1, code);
        Assert.Contains("bad.csv:3", stderr, StringComparison.Ordinal);
        Assert.Contains("high", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
