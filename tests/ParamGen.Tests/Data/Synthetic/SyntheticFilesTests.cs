using System.Text.Json;
using ParamGen.Data;

namespace ParamGen.Tests.Data.Synthetic;

public class SyntheticFilesTests
{
    [Fact]
    public void TheSameOptionsWriteTheSameBytes()
    {
        string first = SyntheticTestData.TempDirectory(), second = SyntheticTestData.TempDirectory();
        try
        {
            var options = SyntheticTestData.Small(seed: 5) with { Users = 150, IncludeRatings = true };
            var a = SyntheticDataGenerator.Generate(options).WriteFiles(first);
            var b = SyntheticDataGenerator.Generate(options).WriteFiles(second);
            Assert.Equal(["synthetic.inter", "synthetic.item", "synthetic.txt", "synthetic.json"], a.Select(Path.GetFileName));
            for (int k = 0; k < a.Count; k++)
            {
                Assert.Equal(File.ReadAllBytes(a[k]), File.ReadAllBytes(b[k]));
            }

            Assert.Empty(Directory.GetFiles(first, "*.tmp"));
        }
        finally
        {
            Directory.Delete(first, true);
            Directory.Delete(second, true);
        }
    }

    [Fact]
    public void InterFileIsRecBoleAtomicWithATypedHeaderAndOneRowPerInteraction()
    {
        var s = SyntheticTestData.Dataset;
        string dir = SyntheticTestData.TempDirectory();
        try
        {
            s.WriteFiles(dir);
            var bytes = File.ReadAllBytes(Path.Combine(dir, "synthetic.inter"));
            Assert.NotEqual(0xEF, bytes[0]);
            Assert.DoesNotContain((byte)'\r', bytes);
            var lines = File.ReadAllLines(Path.Combine(dir, "synthetic.inter"));
            Assert.Equal("user_id:token\titem_id:token\ttimestamp:float\tdomain:token", lines[0]);
            var data = s.Dataset;
            Assert.Equal(data.NumInteractions + 1, lines.Length);
            int row = 0;
            for (int u = 1; u <= data.NumUsers; u++)
            {
                var items = data.GetSequence(u);
                var times = data.GetTimestamps(u);
                for (int t = 0; t < items.Length; t++)
                {
                    var fields = lines[++row].Split('\t');
                    Assert.Equal(["u" + u, "i" + items[t], ((long)times[t]).ToString(System.Globalization.CultureInfo.InvariantCulture), data.DomainNames[data.UserDomain(u)]], fields);
                }
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void RatingsGoInARatingColumnBeforeTheTimestamp()
    {
        string dir = SyntheticTestData.TempDirectory();
        try
        {
            var s = SyntheticDataGenerator.Generate(SyntheticTestData.Small() with { Users = 20, IncludeRatings = true });
            s.WriteFiles(dir);
            var lines = File.ReadAllLines(Path.Combine(dir, "synthetic.inter"));
            Assert.Equal("user_id:token\titem_id:token\trating:float\ttimestamp:float\tdomain:token", lines[0]);
            Assert.Equal(s.Dataset.RatingColumn[0].ToString(System.Globalization.CultureInfo.InvariantCulture), lines[1].Split('\t')[2]);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ItemFileListsEveryItemWithItsCategoryAndSemanticId()
    {
        var s = SyntheticTestData.Dataset;
        string dir = SyntheticTestData.TempDirectory();
        try
        {
            s.WriteFiles(dir);
            var lines = File.ReadAllLines(Path.Combine(dir, "synthetic.item"));
            Assert.Equal("item_id:token\tcategory:token\tcluster:token\tsub_cluster:token", lines[0]);
            Assert.Equal(s.Options.Items + 1, lines.Length);
            for (int i = 1; i <= s.Options.Items; i++)
            {
                Assert.Equal($"i{i}\tcat{s.ItemCategory[i]}\t{s.ItemCluster[i]}\t{s.ItemSubCluster[i]}", lines[i]);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void SequenceFileHasOneLinePerUserInTimeOrder()
    {
        var s = SyntheticTestData.Dataset;
        string dir = SyntheticTestData.TempDirectory();
        try
        {
            s.WriteFiles(dir);
            var lines = File.ReadAllLines(Path.Combine(dir, "synthetic.txt"));
            Assert.Equal(s.Dataset.NumUsers, lines.Length);
            for (int u = 1; u <= s.Dataset.NumUsers; u++)
            {
                var expected = new[] { "u" + u }.Concat(s.Dataset.GetSequence(u).ToArray().Select(i => "i" + i));
                Assert.Equal(expected, lines[u - 1].Split(' '));
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void JsonHoldsTheOptionsAndTheRealisedStatistics()
    {
        var s = SyntheticTestData.Dataset;
        string dir = SyntheticTestData.TempDirectory();
        try
        {
            s.WriteFiles(dir);
            using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "synthetic.json")));
            var options = json.RootElement.GetProperty("options");
            var statistics = json.RootElement.GetProperty("statistics");
            Assert.Equal(7UL, options.GetProperty("seed").GetUInt64());
            Assert.Equal(0.85, options.GetProperty("domains")[0].GetProperty("withinClusterShare").GetDouble());
            Assert.Equal(s.Dataset.NumInteractions, statistics.GetProperty("interactions").GetInt32());
            var domains = statistics.GetProperty("domains");
            Assert.Equal(3, domains.GetArrayLength());
            Assert.Equal(s.Statistics.Domains[1].PopularityGini, domains[1].GetProperty("popularityGini").GetDouble());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void CommittedDataIsWhatTheGeneratorWrites()
    {
        // data/synthetic holds the default dataset; regenerating it must give the committed bytes (the README's
        // regeneration command relies on this).
        string committed = Path.Combine(RepositoryRoot(), "data", "synthetic");
        string dir = SyntheticTestData.TempDirectory();
        try
        {
            var written = SyntheticDataGenerator.Generate().WriteFiles(dir);
            foreach (var path in written)
            {
                string name = Path.GetFileName(path);
                Assert.True(File.ReadAllBytes(path).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(committed, name))), $"data/synthetic/{name} differs from what the generator writes; regenerate it (see data/README.md).");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ParamGen.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ParamGen.sln above {AppContext.BaseDirectory}.");
    }
}
