using ParamGen.Data;

namespace ParamGen.Tests.Data.Loading;

public sealed class LoaderBadInputTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private DataFormatException Fails(string name, string text, DataLoadOptions? options = null)
    {
        string path = _dir.Write(name, text);
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(path, options));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
        return e;
    }

    [Theory]
    [InlineData("r.csv", "userId,movieId,rating,timestamp\n1,2,3,4\n1,2,3\n", 3)]
    [InlineData("r.csv", "userId,movieId,rating,timestamp\n1,2,3,4\n\n1,2,3,4,5\n", 4)]
    [InlineData("r.dat", "1::2::3::4\n1::2::3::4\n1::2\n", 3)]
    [InlineData("r.inter", "user_id:token\titem_id:token\n1\t2\n1\t2\t3\n", 3)]
    public void WrongFieldCountNamesTheLineAndTheColumns(string name, string text, long line)
    {
        var e = Fails(name, text);
        Assert.Equal(line, e.Line);
        Assert.Contains("malformed line", e.Problem, StringComparison.Ordinal);
        Assert.Contains("user", e.Problem, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void UserLineWithoutItemsIsMalformed()
    {
        var e = Fails("s.txt", "1 2 3\n7\n");
        Assert.Equal(2, e.Line);
        Assert.Contains("'7' has no item", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplicitPairsRejectsALongerLineAndPointsToTheOverride()
    {
        var e = Fails("p.txt", "1 2\n1 2 3\n", new DataLoadOptions { Format = DataFormat.Pairs });
        Assert.Equal(2, e.Line);
        Assert.Contains("DataFormat.UserSequences", e.Problem, StringComparison.Ordinal);

        var pairs = Fails("p.pairs", "1 2\n3 4 5\n");
        Assert.Equal(2, pairs.Line);
    }

    [Fact]
    public void MissingColumnNamesTheRoleAndListsTheHeader()
    {
        var e = Fails("r.csv", "uid2,movieId,rating\n1,2,3\n");
        Assert.Equal(1, e.Line);
        Assert.Contains("missing user column", e.Problem, StringComparison.Ordinal);
        Assert.Contains("[uid2, movieId, rating]", e.Problem, StringComparison.Ordinal);

        var mapped = Fails("m.csv", "userId,movieId\n1,2\n", new DataLoadOptions { RatingColumn = "stars_x" });
        Assert.Contains("'stars_x'", mapped.Problem, StringComparison.Ordinal);
        Assert.Contains("RatingColumn", mapped.Problem, StringComparison.Ordinal);
        Assert.Contains("[userId, movieId]", mapped.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("r.csv", "userId,movieId,rating,timestamp\n1,2,4.0,5\n1,3,abc,6\n", "rating 'abc'", 3)]
    [InlineData("r.csv", "userId,movieId,rating,timestamp\n1,2,4.0,2020-01-01\n", "timestamp '2020-01-01'", 2)]
    [InlineData("r.dat", "1::2::x5::1\n", "rating 'x5'", 1)]
    [InlineData("r.inter", "user_id:token\titem_id:token\ttimestamp:float\n1\t2\tNaN\n", "timestamp 'NaN'", 2)]
    public void NonNumericRatingOrTimestampQuotesTheValue(string name, string text, string quoted, long line)
    {
        var e = Fails(name, text);
        Assert.Equal(line, e.Line);
        Assert.Contains(quoted, e.Problem, StringComparison.Ordinal);
        Assert.Contains("not a finite number", e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("e.txt", "")]
    [InlineData("e.txt", "  \n\t\n")]
    [InlineData("e.csv", "")]
    [InlineData("e.csv", "\n\n")]
    [InlineData("e.dat", "")]
    [InlineData("e.inter", "\n")]
    [InlineData("e.pairs", "")]
    public void EmptyFileIsRejectedAsAWhole(string name, string text)
    {
        var e = Fails(name, text);
        Assert.Equal(0, e.Line);
        Assert.Contains("empty", e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("h.csv", "userId,movieId,rating,timestamp\n")]
    [InlineData("h.csv", "userId,movieId\n\n")]
    [InlineData("h.inter", "user_id:token\titem_id:token\n")]
    public void HeaderOnlyFileIsRejected(string name, string text)
    {
        var e = Fails(name, text);
        Assert.Equal(0, e.Line);
        Assert.Contains("header", e.Problem, StringComparison.Ordinal);
        Assert.Contains("no data rows", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownExtensionListsTheFormatsAndTheOverride()
    {
        var e = Fails("data.xyz", "1 2\n");
        Assert.Contains("unknown format", e.Problem, StringComparison.Ordinal);
        Assert.Contains(".inter", e.Problem, StringComparison.Ordinal);
        Assert.Contains(".dat", e.Problem, StringComparison.Ordinal);
        Assert.Contains("DataLoadOptions.Format", e.Problem, StringComparison.Ordinal);

        string path = _dir.File("data.xyz");
        Assert.Equal(1, DatasetLoader.Load(path, new DataLoadOptions { Format = DataFormat.Pairs }).NumInteractions);
    }

    [Fact]
    public void UntypedRecBoleHeaderSaysWhichFieldLacksAType()
    {
        var e = Fails("r.inter", "user_id:token\titem_id\n1\t2\n");
        Assert.Equal(1, e.Line);
        Assert.Contains("'item_id'", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void UnterminatedCsvQuoteIsAFormatErrorWithALine()
    {
        var e = Fails("q.csv", "userId,movieId\n1,2\n1,\"3\n2,4\n");
        Assert.True(e.Line >= 3);
        Assert.Contains("malformed CSV", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyUserOrItemIdIsRejected()
    {
        var e = Fails("r.csv", "userId,movieId\n1,2\n,3\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("user id is empty", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ColumnNamesOfTheWrongLengthAreRejected()
    {
        var e = Fails("r.dat", "1::2::3\n", new DataLoadOptions { ColumnNames = ["user", "item"] });
        Assert.Contains("ColumnNames has 2 names", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ItemFileProblemsNameTheItemFile()
    {
        string ratings = _dir.Write("r.csv", "userId,movieId\n1,2\n1,3\n");
        string duplicate = _dir.Write("movies.csv", "movieId,title,genres\n2,A,x\n3,B,y\n2,C,z\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(ratings, new DataLoadOptions { ItemFilePath = duplicate }));
        Assert.Equal(duplicate, e.FilePath);
        Assert.Equal(4, e.Line);
        Assert.Contains("described twice", e.Problem, StringComparison.Ordinal);

        var missing = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(ratings, new DataLoadOptions { ItemFilePath = duplicate, ItemCategoryColumn = "tags" }));
        Assert.Contains("'tags'", missing.Problem, StringComparison.Ordinal);

        string ragged = _dir.Write("ragged.csv", "movieId,title,genres\n2,A\n");
        Assert.Equal(2, Assert.Throws<DataFormatException>(() => DatasetLoader.Load(ratings, new DataLoadOptions { ItemFilePath = ragged })).Line);

        string unknown = _dir.Write("items.json", "{}");
        Assert.Contains("unknown item file format", Assert.Throws<DataFormatException>(() => DatasetLoader.Load(ratings, new DataLoadOptions { ItemFilePath = unknown })).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadSecondDomainFileFailsTheWholeMerge()
    {
        string good = _dir.Write("good.txt", "1 2\n");
        string bad = _dir.Write("bad.csv", "userId,movieId,rating\n1,2,oops\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.LoadDomains([good, bad]));
        Assert.Equal(bad, e.FilePath);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void InvalidOptionsAreRejectedBeforeReading()
    {
        string path = _dir.Write("r.csv", "userId,movieId\n1,2\n");
        Assert.Throws<ArgumentException>(() => DatasetLoader.Load(path, new DataLoadOptions { UserColumn = "" }));
        Assert.Throws<ArgumentException>(() => DatasetLoader.Load(path, new DataLoadOptions { Format = DataFormat.Delimited, Delimiter = "::" }));
        Assert.Throws<ArgumentException>(() => DatasetLoader.Load(path, new DataLoadOptions { ColumnNames = ["a", "A"] }));
        Assert.Throws<FileNotFoundException>(() => DatasetLoader.Load(_dir.File("missing.csv")));
    }
}
