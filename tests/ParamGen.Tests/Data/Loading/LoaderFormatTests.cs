using ParamGen.Data;

namespace ParamGen.Tests.Data.Loading;

public sealed class LoaderFormatTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void UserSequenceFileKeepsLineOrderAndAppendsRepeatedUsers()
    {
        string path = _dir.Write("seq.txt", "u1 a b c\n\nu2\tb  d\nu1 e\n");
        var (ds, report) = DatasetLoader.LoadWithReport(path);

        Assert.Equal(2, ds.NumUsers);
        Assert.Equal(5, ds.NumItems);
        Assert.Equal(6, ds.NumInteractions);
        Assert.Equal(["a", "b", "c", "e"], DatasetAssert.Sequence(ds, "u1"));
        Assert.Equal(["b", "d"], DatasetAssert.Sequence(ds, "u2"));
        Assert.False(ds.HasTimestamps || ds.HasRatings || ds.HasDomains);
        var file = Assert.Single(report.Files);
        Assert.Equal(DataFormat.UserSequences, file.Format);
        Assert.Equal(4, file.LinesRead);
        Assert.Equal(1, file.BlankLines);
        Assert.Equal(6, file.Rows);
        Assert.Equal("seq", ds.Name);
    }

    [Fact]
    public void PairFileIsTimeOrderedByLineAndReportedAsPairs()
    {
        string path = _dir.Write("pairs.txt", "u1 a\r\nu2 b\r\nu1 c\r\nu1 a\r\n");
        var (ds, report) = DatasetLoader.LoadWithReport(path);

        Assert.Equal(["a", "c", "a"], DatasetAssert.Sequence(ds, "u1"));
        Assert.Equal(["b"], DatasetAssert.Sequence(ds, "u2"));
        Assert.Equal(DataFormat.Pairs, report.Files[0].Format);
        Assert.Equal(4, report.Interactions);
    }

    [Fact]
    public void MovieLensCsvIsSortedByTimestampWithinUserAndKeepsRatings()
    {
        string path = _dir.Write("ratings.csv", "userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n1,10,4.0,1260759100\n7,31,5,1\n");
        var (ds, report) = DatasetLoader.LoadWithReport(path);

        Assert.Equal(2, ds.NumUsers);
        Assert.Equal(3, ds.NumItems);
        Assert.Equal(["10", "31", "1029"], DatasetAssert.Sequence(ds, "1"));
        int u1 = ds.Users.GetId("1");
        Assert.Equal([1260759100.0, 1260759144.0, 1260759179.0], ds.GetTimestamps(u1).ToArray());
        Assert.Equal([4f, 2.5f, 3f], ds.GetRatings(u1).ToArray());
        Assert.True(report.Files[0].SkippedHeader);
        Assert.Equal(["userId", "movieId", "rating", "timestamp"], report.Files[0].Columns);
        Assert.Equal(DataFormat.Delimited, report.Files[0].Format);
    }

    [Fact]
    public void CsvWithoutHeaderUsesPositionalColumnsAndCustomNamesMapAnyOrder()
    {
        string plain = _dir.Write("plain.csv", "5,x,1.5,30\n5,y,2.5,20\n");
        var ds = DatasetLoader.Load(plain);
        Assert.Equal(["y", "x"], DatasetAssert.Sequence(ds, "5"));
        Assert.Equal([2.5f, 1.5f], ds.GetRatings(1).ToArray());

        string custom = _dir.Write("custom.tsv", "when\tproduct\tclient\n3\tp1\tc1\n1\tp2\tc1\n");
        var options = new DataLoadOptions { UserColumn = "client", ItemColumn = "product", TimestampColumn = "when" };
        var mapped = DatasetLoader.Load(custom, options);
        Assert.Equal(["p2", "p1"], DatasetAssert.Sequence(mapped, "c1"));
        Assert.False(mapped.HasRatings);

        var renamed = DatasetLoader.Load(custom, options with { ColumnNames = ["when", "product", "client"], HasHeader = true });
        Assert.Equal(2, renamed.NumInteractions);
    }

    [Fact]
    public void EmptyColumnOptionSkipsAColumnThatIsPresent()
    {
        string path = _dir.Write("r.csv", "userId,movieId,rating,timestamp\n1,2,3,4\n");
        var ds = DatasetLoader.Load(path, new DataLoadOptions { RatingColumn = "", TimestampColumn = "" });
        Assert.False(ds.HasRatings);
        Assert.False(ds.HasTimestamps);
    }

    [Fact]
    public void MovieLensDatHasFourColumnsAndNoHeader()
    {
        string path = _dir.Write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n");
        var (ds, report) = DatasetLoader.LoadWithReport(path);

        Assert.Equal(2, ds.NumUsers);
        Assert.Equal(2, ds.NumItems);
        Assert.Equal(["1193", "661"], DatasetAssert.Sequence(ds, "1"));
        Assert.Equal([5f, 3f], ds.GetRatings(ds.Users.GetId("1")).ToArray());
        Assert.Equal([978298413.0], ds.GetTimestamps(ds.Users.GetId("2")).ToArray());
        Assert.False(report.Files[0].SkippedHeader);
        Assert.Equal(DataFormat.MovieLensDat, report.Files[0].Format);
    }

    [Fact]
    public void RecBoleInterReadsTypedHeaderInAnyColumnOrder()
    {
        string path = _dir.Write("ml.inter",
            "item_id:token\tuser_id:token\ttimestamp:float\trating:float\ttags:token_seq\n" +
            "242\t196\t881250949\t3\ta b\n" +
            "302\t196\t881250000\t4\t\n" +
            "377\t22\t878887116\t1\tc\n");
        var (ds, report) = DatasetLoader.LoadWithReport(path);

        Assert.Equal(["302", "242"], DatasetAssert.Sequence(ds, "196"));
        Assert.Equal([4f, 3f], ds.GetRatings(ds.Users.GetId("196")).ToArray());
        Assert.Equal(DataFormat.RecBoleAtomic, report.Files[0].Format);
        Assert.True(report.Files[0].SkippedHeader);
    }

    [Fact]
    public void DomainColumnOfOneFileBecomesDomains()
    {
        string path = _dir.Write("mixed.csv", "user_id,item_id,timestamp,domain\nu,i1,1,books\nu,i2,2,toys\nv,i3,1,toys\n");
        var ds = DatasetLoader.Load(path);

        Assert.True(ds.HasDomains);
        Assert.Equal(["books", "toys"], ds.DomainNames);
        Assert.Equal(1, ds.ItemDomains[ds.Items.GetId("i2")]);
        Assert.Equal([0, 1], ds.GetDomains(ds.Users.GetId("u")).ToArray());
    }

    [Fact]
    public void ByteOrderMarkAndCrLfAndTrailingBlankLinesAreHandled()
    {
        string path = _dir.Write("bom.csv", "userId,movieId\r\n1,2\r\n1,3\r\n\r\n", bom: true);
        var ds = DatasetLoader.Load(path);
        Assert.Equal(["2", "3"], DatasetAssert.Sequence(ds, "1"));
    }

    [Fact]
    public void MoviesCsvWithQuotedTitleAndPipeGenresAttachesByMovieId()
    {
        string ratings = _dir.Write("ratings.csv", "userId,movieId,rating,timestamp\n1,11,4.0,5\n1,1,3.0,6\n2,99,1.0,7\n");
        string movies = _dir.Write("movies.csv",
            "movieId,title,genres\n" +
            "1,Toy Story (1995),Adventure|Animation|Children\n" +
            "11,\"American President, The (1995)\",Comedy|Drama|Romance\n" +
            "99,Nothing (2000),(no genres listed)\n" +
            "500,\"Unrated, \"\"Quoted\"\" (1990)\",Drama\n");
        var (ds, report) = DatasetLoader.LoadWithReport(ratings, new DataLoadOptions { ItemFilePath = movies });

        var f = ds.ItemFeatures!;
        int president = ds.Items.GetId("11");
        Assert.Equal("American President, The (1995)", f.TitleOf(president));
        Assert.Equal(["Comedy", "Drama", "Romance"], f.CategoriesOf(president).ToArray().Select(f.Categories.GetToken));
        Assert.Equal(["Adventure", "Animation", "Children"], f.CategoriesOf(ds.Items.GetId("1")).ToArray().Select(f.Categories.GetToken));
        Assert.True(f.CategoriesOf(ds.Items.GetId("99")).IsEmpty);
        Assert.Equal("Nothing (2000)", f.TitleOf(ds.Items.GetId("99")));
        Assert.Equal(7, f.Categories.Count); // padding + 6 genres; "(no genres listed)" is none

        var side = Assert.Single(report.ItemFiles);
        Assert.Equal(4, side.Rows);
        Assert.Equal(1, side.UnmatchedRows);
        Assert.Equal(0, side.ItemsWithoutRow);
        Assert.Equal("genres", side.CategoryColumn);
        Assert.Equal("title", side.TitleColumn);
    }

    [Fact]
    public void RecBoleItemFileSplitsTokenSeqCategoriesOnSpaces()
    {
        string inter = _dir.Write("d.inter", "user_id:token\titem_id:token\n1\t7\n1\t8\n2\t9\n");
        string item = _dir.Write("d.item", "item_id:token\tmovie_title:token_seq\tcategories:token_seq\n7\tA Film\tAction Drama\n8\tB\t\n42\tC\tHorror\n");
        var (ds, report) = DatasetLoader.LoadWithReport(inter, new DataLoadOptions { ItemFilePath = item });

        var f = ds.ItemFeatures!;
        Assert.Equal(["Action", "Drama"], f.CategoriesOf(ds.Items.GetId("7")).ToArray().Select(f.Categories.GetToken));
        Assert.True(f.CategoriesOf(ds.Items.GetId("8")).IsEmpty);
        Assert.Equal("A Film", f.TitleOf(ds.Items.GetId("7")));
        Assert.Null(f.TitleOf(ds.Items.GetId("9")));
        Assert.Equal(1, report.ItemFiles[0].UnmatchedRows);
        Assert.Equal(1, report.ItemFiles[0].ItemsWithoutRow);
    }

    [Fact]
    public void MoviesDatSideFileHasItemTitleGenres()
    {
        string ratings = _dir.Write("ratings.dat", "1::1::5::1\n1::2::3::2\n");
        string movies = _dir.Write("movies.dat", "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Jumanji (1995)::Adventure\n");
        var ds = DatasetLoader.Load(ratings, new DataLoadOptions { ItemFilePath = movies });
        var f = ds.ItemFeatures!;
        Assert.Equal(3, f.CategoriesOf(ds.Items.GetId("1")).Length);
        Assert.Equal("Jumanji (1995)", f.TitleOf(ds.Items.GetId("2")));
    }

    [Fact]
    public void DomainsAreNamespacedByFileNameByDefault()
    {
        string beauty = _dir.Write("Beauty.txt", "1 17 18\n2 18\n");
        string toys = _dir.Write("Toys.txt", "1 17\n");
        var (ds, report) = DatasetLoader.LoadDomainsWithReport([DomainSource.FromPath(beauty), DomainSource.FromPath(toys)]);

        Assert.Equal(["Beauty", "Toys"], ds.DomainNames);
        Assert.Equal(3, ds.NumUsers);
        Assert.Equal(3, ds.NumItems);
        Assert.Equal(["Beauty/17", "Beauty/18"], DatasetAssert.Sequence(ds, "Beauty/1"));
        Assert.Equal(["Toys/17"], DatasetAssert.Sequence(ds, "Toys/1"));
        Assert.Equal(1, ds.ItemDomains[ds.Items.GetId("Toys/17")]);
        Assert.Equal(1, ds.UserDomain(ds.Users.GetId("Toys/1")));
        Assert.Equal("Beauty+Toys", ds.Name);
        Assert.Equal(["Beauty", "Toys"], report.Files.Select(f => f.Domain));
        Assert.Equal(2, report.Domains);
    }

    [Fact]
    public void SharedUsersMergeAcrossDomainsInTimeOrder()
    {
        string a = _dir.Write("a.csv", "user_id,item_id,timestamp\nu,x,10\nu,y,30\n");
        string b = _dir.Write("b.csv", "user_id,item_id,timestamp\nu,z,20\n");
        var ds = DatasetLoader.LoadDomains([("books", a), ("toys", b)], new DataLoadOptions { ShareUsersAcrossDomains = true });

        Assert.Equal(1, ds.NumUsers);
        Assert.Equal(["books/x", "toys/z", "books/y"], DatasetAssert.Sequence(ds, "u"));
        Assert.Equal([0, 1, 0], ds.GetDomains(1).ToArray());

        var shared = DatasetLoader.LoadDomains([("books", a), ("toys", b)], new DataLoadOptions { ShareUsersAcrossDomains = true, ShareItemsAcrossDomains = true });
        Assert.Equal(["x", "z", "y"], DatasetAssert.Sequence(shared, "u"));
    }

    [Fact]
    public void MergingFilesWithAndWithoutTimestampsDropsThemAndSaysSo()
    {
        string a = _dir.Write("a.csv", "user_id,item_id,timestamp\nu,x,10\n");
        string b = _dir.Write("b.txt", "u y\n");
        var (ds, report) = DatasetLoader.LoadDomainsWithReport([DomainSource.FromPath(a), DomainSource.FromPath(b)]);

        Assert.False(ds.HasTimestamps);
        Assert.Contains(report.Notes, n => n.Contains("timestamps dropped", StringComparison.Ordinal) && n.Contains('b', StringComparison.Ordinal));
    }

    [Fact]
    public void EachDomainItemFileMatchesItsOwnTokens()
    {
        string a = _dir.Write("A.txt", "1 5\n");
        string b = _dir.Write("B.txt", "1 5\n");
        string itemsA = _dir.Write("A.item", "item_id:token\tcategories:token_seq\n5\tred\n");
        string itemsB = _dir.Write("B.item", "item_id:token\tcategories:token_seq\n5\tblue\n6\tgreen\n");
        var (ds, report) = DatasetLoader.LoadDomainsWithReport([new DomainSource("A", a, itemsA), new DomainSource("B", b, itemsB)]);

        var f = ds.ItemFeatures!;
        Assert.Equal("red", f.Categories.GetToken(f.PrimaryCategory(ds.Items.GetId("A/5"))));
        Assert.Equal("blue", f.Categories.GetToken(f.PrimaryCategory(ds.Items.GetId("B/5"))));
        Assert.Equal([0, 1], report.ItemFiles.Select(r => r.UnmatchedRows));
    }

    [Fact]
    public void LoadDomainsRejectsRepeatedNamesAndSingleFileOptions()
    {
        string a = _dir.Write("a.txt", "1 2\n");
        Directory.CreateDirectory(_dir.File("sub"));
        string a2 = _dir.Write(Path.Combine("sub", "a.txt"), "1 2\n");
        Assert.Contains("'a' is used twice", Assert.Throws<ArgumentException>(() => DatasetLoader.LoadDomains([a, a2])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => DatasetLoader.LoadDomains([a], new DataLoadOptions { ItemFilePath = a }));
        Assert.Throws<ArgumentException>(() => DatasetLoader.LoadDomains(Array.Empty<string>()));
    }
}
