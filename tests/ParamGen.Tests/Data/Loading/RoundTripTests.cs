using ParamGen.Data;

namespace ParamGen.Tests.Data.Loading;

public sealed class RoundTripTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("seq.txt")]
    [InlineData("seq.seq")]
    [InlineData("pairs.pairs")]
    public void OrderOnlyFormatsRoundTripTokensAndSequences(string name)
    {
        var original = SampleDatasets.Build(timestamps: false, ratings: false, domains: false);
        string path = _dir.File(name);
        DatasetWriter.Write(original, path);
        var back = DatasetLoader.Load(path);
        DatasetAssert.SameByToken(original, back);
    }

    [Fact]
    public void PairsWrittenToTxtReadBackAsPairs()
    {
        var original = SampleDatasets.Build(timestamps: false, ratings: false, domains: false);
        string path = _dir.File("p.txt");
        DatasetWriter.Write(original, path, DataFormat.Pairs);
        var (back, report) = DatasetLoader.LoadWithReport(path);
        Assert.Equal(DataFormat.Pairs, report.Files[0].Format);
        DatasetAssert.SameByToken(original, back);
    }

    [Theory]
    [InlineData("r.csv")]
    [InlineData("r.tsv")]
    [InlineData("r.inter")]
    public void FullFormatsRoundTripTimestampsRatingsAndDomains(string name)
    {
        var original = SampleDatasets.Build(timestamps: true, ratings: true, domains: true);
        string path = _dir.File(name);
        DatasetWriter.Write(original, path);
        var back = DatasetLoader.Load(path);
        Assert.True(back.HasDomains);
        DatasetAssert.SameByToken(original, back);
    }

    [Fact]
    public void CsvRoundTripsTokensWithCommasQuotesAndSpaces()
    {
        var original = SampleDatasets.Build(timestamps: true, ratings: false, domains: false, oddUsers: ["smith, john", "say \"hi\"", " padded "]);
        string path = _dir.File("odd.csv");
        DatasetWriter.Write(original, path);
        var back = DatasetLoader.Load(path);
        Assert.True(back.Users.Contains("smith, john"));
        Assert.True(back.Users.Contains(" padded "));
        DatasetAssert.SameByToken(original, back);
    }

    [Fact]
    public void DatRoundTripsRatingsAndTimestamps()
    {
        var original = SampleDatasets.Build(timestamps: true, ratings: true, domains: false);
        string path = _dir.File("ratings.dat");
        DatasetWriter.Write(original, path);
        Assert.StartsWith("u", File.ReadLines(path).First(), StringComparison.Ordinal);
        DatasetAssert.SameByToken(original, DatasetLoader.Load(path));

        var ratingsOnly = SampleDatasets.Build(timestamps: false, ratings: true, domains: false);
        DatasetWriter.Write(ratingsOnly, path);
        DatasetAssert.SameByToken(ratingsOnly, DatasetLoader.Load(path));
    }

    [Fact]
    public void ALoadedSequenceFileWritesBackToTheSameIds()
    {
        string path = _dir.Write("in.txt", "7 a b c\n3 b d\n9 e a\n");
        var first = DatasetLoader.Load(path);
        string copy = _dir.File("out.txt");
        DatasetWriter.Write(first, copy);
        var second = DatasetLoader.Load(copy);
        Assert.Equal(File.ReadAllText(path), File.ReadAllText(copy));
        Assert.Equal(first.ItemColumn.ToArray(), second.ItemColumn.ToArray());
        Assert.Equal(first.UserOffsets.ToArray(), second.UserOffsets.ToArray());
    }

    [Theory]
    [InlineData(DataFormat.Delimited)]
    [InlineData(DataFormat.RecBoleAtomic)]
    [InlineData(DataFormat.MovieLensDat)]
    public void NamespacedDomainsRoundTripThroughOneFilePerDomain(DataFormat format)
    {
        var original = SampleDatasets.WithFeatures(SampleDatasets.Build(timestamps: true, ratings: true, domains: true, namespaced: true));
        var sources = DatasetWriter.WriteDomains(original, _dir.File("domains"), format);

        Assert.Equal(original.DomainNames, sources.Select(s => s.Name));
        Assert.DoesNotContain(original.DomainNames[0] + "/", File.ReadAllText(sources[0].Path), StringComparison.Ordinal);
        var back = DatasetLoader.LoadDomains(sources);
        DatasetAssert.SameByToken(original, back);
        DatasetAssert.SameItemFeatures(original, back);
        Assert.Equal(original.DomainNames, back.DomainNames);
    }

    [Theory]
    [InlineData(DataFormat.UserSequences)]
    [InlineData(DataFormat.Pairs)]
    public void OrderOnlyDomainFilesRoundTripWhenColumnsAreDropped(DataFormat format)
    {
        var original = SampleDatasets.Build(timestamps: true, ratings: true, domains: true, namespaced: true);
        Assert.Throws<ArgumentException>(() => DatasetWriter.WriteDomains(original, _dir.File("d"), format));
        var sources = DatasetWriter.WriteDomains(original, _dir.File("d"), format, dropUnsupportedColumns: true);
        var back = DatasetLoader.LoadDomains(sources);
        DatasetAssert.SameByToken(original, back, timestamps: false, ratings: false);
        Assert.False(back.HasTimestamps);
    }

    [Fact]
    public void SharedUserDomainsRoundTripWithShareOption()
    {
        var original = SampleDatasets.Build(timestamps: true, ratings: false, domains: true, namespaced: false);
        var sources = DatasetWriter.WriteDomains(original, _dir.File("shared"), DataFormat.Delimited);
        var back = DatasetLoader.LoadDomains(sources, new DataLoadOptions { ShareUsersAcrossDomains = true, ShareItemsAcrossDomains = true });
        DatasetAssert.SameByToken(original, back);
    }

    [Theory]
    [InlineData("items.item")]
    [InlineData("movies.csv")]
    public void ItemFeaturesRoundTripThroughItemFiles(string name)
    {
        var original = SampleDatasets.WithFeatures(SampleDatasets.Build(timestamps: true, ratings: true, domains: false));
        string inter = _dir.File("r.inter");
        string items = _dir.File(name);
        DatasetWriter.Write(original, inter);
        DatasetWriter.WriteItemFeatures(original, items);
        var (back, report) = DatasetLoader.LoadWithReport(inter, new DataLoadOptions { ItemFilePath = items });
        DatasetAssert.SameItemFeatures(original, back);
        Assert.Equal(0, report.ItemFiles[0].UnmatchedRows);
    }

    [Fact]
    public void WriterRejectsWhatTheFormatCannotHoldAndLeavesNoFile()
    {
        var timed = SampleDatasets.Build(timestamps: true, ratings: false, domains: false);
        string txt = _dir.File("t.txt");
        var lost = Assert.Throws<ArgumentException>(() => DatasetWriter.Write(timed, txt));
        Assert.Contains("timestamps", lost.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(txt));
        Assert.Contains("timestamps", Assert.Throws<ArgumentException>(() => DatasetWriter.Write(timed, _dir.File("t.dat"))).Message, StringComparison.Ordinal);

        var spaced = SampleDatasets.Build(timestamps: false, ratings: false, domains: false, oddUsers: ["has space"]);
        string existing = _dir.Write("keep.txt", "old content\n");
        var bad = Assert.Throws<ArgumentException>(() => DatasetWriter.Write(spaced, existing));
        Assert.Contains("'has space'", bad.Message, StringComparison.Ordinal);
        Assert.Equal("old content\n", File.ReadAllText(existing));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));

        Assert.Throws<ArgumentException>(() => DatasetWriter.Write(spaced, _dir.File("x.unknown")));
        Assert.Throws<ArgumentException>(() => DatasetWriter.WriteItemFeatures(spaced, _dir.File("x.item")));
    }

    [Fact]
    public void WriteDomainsRejectsPartlyNamespacedTokens()
    {
        var b = new InteractionDatasetBuilder("mixed", hasDomains: true);
        b.Add("books/u1", "books/i1", domain: "books");
        b.Add("u2", "books/i2", domain: "books");
        var e = Assert.Throws<ArgumentException>(() => DatasetWriter.WriteDomains(b.Build(), _dir.File("m"), DataFormat.Delimited));
        Assert.Contains("books/", e.Message, StringComparison.Ordinal);
    }
}
