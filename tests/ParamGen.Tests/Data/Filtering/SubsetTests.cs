using ParamGen.Data;

namespace ParamGen.Tests.Data;

public class SubsetTests
{
    private static InteractionDataset WithEverything()
    {
        var b = new InteractionDatasetBuilder("subset", hasTimestamps: true, hasRatings: true, hasDomains: true);
        b.Add("u1", "a", 1, 1f, "books");
        b.Add("u1", "b", 2, 2f, "books");
        b.Add("u2", "c", 3, 3f, "toys");
        b.Add("u3", "b", 4, 4f, "books");
        b.Add("u3", "d", 5, 5f, "toys");
        b.Add("u3", "a", 6, 6f, "books");
        var categories = new Vocabulary("category", ["paper", "plastic", "wood"]);
        // item ids a=1, b=2, c=3, d=4: a {paper}, b {paper, wood}, c {plastic}, d {}
        var features = new ItemFeatures(categories, [0, 0, 1, 3, 4, 4], [1, 1, 3, 2], [null, "A", "B", "C", "D"]);
        return b.Build(features);
    }

    [Fact]
    public void DroppingRowsCompactsUsersAndItemsInTheirOldOrderAndCarriesEveryColumn()
    {
        var ds = WithEverything();
        // Drop u2's only row (c) and u3's "b": u2 and item c disappear, b survives through u1.
        var sub = ds.Subset((user, row) => ds.ItemColumn[row] != ds.Items.GetId("c") && !(ds.Users.GetToken(user) == "u3" && ds.ItemColumn[row] == ds.Items.GetId("b")));

        Assert.Equal(["[PAD]", "u1", "u3"], sub.Users.Tokens);
        Assert.Equal(["[PAD]", "a", "b", "d"], sub.Items.Tokens);
        Assert.Equal(4, sub.NumInteractions);
        Assert.Equal([0, 0, 2, 4], sub.UserOffsets.ToArray());
        Assert.Equal(["d", "a"], sub.GetSequence(2).ToArray().Select(sub.Items.GetToken));
        Assert.Equal([5.0, 6.0], sub.GetTimestamps(2).ToArray());
        Assert.Equal([5f, 6f], sub.GetRatings(2).ToArray());
        Assert.Equal(["toys", "books"], sub.GetDomains(2).ToArray().Select(d => sub.DomainNames[d]));
        Assert.Equal(["books", "toys"], sub.DomainNames);
        Assert.Equal(1, sub.ItemDomains[sub.Items.GetId("d")]);

        var f = sub.ItemFeatures!;
        Assert.Equal(4, f.NumItems);
        Assert.Equal(["paper", "wood"], f.CategoriesOf(sub.Items.GetId("b")).ToArray().Select(f.Categories.GetToken));
        Assert.True(f.CategoriesOf(sub.Items.GetId("d")).IsEmpty);
        Assert.Equal("D", f.TitleOf(sub.Items.GetId("d")));
        Assert.Equal("A", f.TitleOf(sub.Items.GetId("a")));
    }

    [Fact]
    public void KeepingEveryRowReturnsTheSameDatasetAndAWrongMaskLengthThrows()
    {
        var ds = WithEverything();
        Assert.Same(ds, ds.Subset(new bool[] { true, true, true, true, true, true }));
        var ex = Assert.Throws<ArgumentException>(() => ds.Subset(new bool[5]));
        Assert.Contains("5 entries", ex.Message);
        Assert.Contains("6 interactions", ex.Message);
    }

    [Fact]
    public void KeepingNoRowGivesAnEmptyDataset()
    {
        var ds = WithEverything();
        var empty = ds.Subset(new bool[6]);
        Assert.Equal(0, empty.NumUsers);
        Assert.Equal(0, empty.NumItems);
        Assert.Equal(0, empty.NumInteractions);
    }
}
