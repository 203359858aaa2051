using ParamGen.Data;

namespace ParamGen.Tests.Data.Loading;

public sealed class AutoDetectionTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("a.txt", DataFormat.UserSequences, DataFormat.UserSequences, false)]
    [InlineData("a.seq", DataFormat.UserSequences, DataFormat.UserSequences, false)]
    [InlineData("b.txt", DataFormat.Pairs, DataFormat.Pairs, false)]
    [InlineData("b.pairs", DataFormat.Pairs, DataFormat.Pairs, false)]
    [InlineData("c.csv", DataFormat.Delimited, DataFormat.Delimited, true)]
    [InlineData("c.tsv", DataFormat.Delimited, DataFormat.Delimited, true)]
    [InlineData("c.txt", DataFormat.Delimited, DataFormat.Delimited, true)]
    [InlineData("d.dat", DataFormat.MovieLensDat, DataFormat.MovieLensDat, true)]
    [InlineData("d.txt", DataFormat.MovieLensDat, DataFormat.MovieLensDat, true)]
    [InlineData("e.inter", DataFormat.RecBoleAtomic, DataFormat.RecBoleAtomic, true)]
    [InlineData("e.txt", DataFormat.RecBoleAtomic, DataFormat.RecBoleAtomic, true)]
    public void AutoDetectionPicksTheFormatTheFileWasWrittenIn(string name, DataFormat written, DataFormat detected, bool timestamps)
    {
        var original = SampleDatasets.Build(timestamps, ratings: timestamps, domains: false);
        string path = _dir.File(name);
        DatasetWriter.Write(original, path, written);

        var (back, report) = DatasetLoader.LoadWithReport(path);

        Assert.Equal(detected, report.Files[0].Format);
        DatasetAssert.SameByToken(original, back);
    }

    [Fact]
    public void OneLinePerUserFileWhoseFirstLinesArePairsStillReadsAsSequences()
    {
        string path = _dir.Write("s.txt", "1 a\n2 b\n3 c d e\n");
        var (ds, report) = DatasetLoader.LoadWithReport(path);
        Assert.Equal(DataFormat.UserSequences, report.Files[0].Format);
        Assert.Equal(["c", "d", "e"], DatasetAssert.Sequence(ds, "3"));
    }

    [Fact]
    public void HeaderIsDetectedFromKnownNamesOrTheAbsenceOfNumbers()
    {
        var withHeader = DatasetLoader.LoadWithReport(_dir.Write("h.csv", "buyer,movieId\nb1,m1\n"), new DataLoadOptions { UserColumn = "buyer" });
        Assert.True(withHeader.Report.Files[0].SkippedHeader);

        var noHeader = DatasetLoader.LoadWithReport(_dir.Write("n.csv", "u1,m1,4.5\nu1,m2,3\n"));
        Assert.False(noHeader.Report.Files[0].SkippedHeader);
        Assert.Equal(2, noHeader.Dataset.NumInteractions);

        var forced = DatasetLoader.Load(_dir.Write("f.csv", "u1,m1\nu2,m2\n"), new DataLoadOptions { HasHeader = false });
        Assert.Equal(2, forced.NumUsers);
    }
}
