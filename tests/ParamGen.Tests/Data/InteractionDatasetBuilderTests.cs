using ParamGen.Data;

namespace ParamGen.Tests.Data;

public class InteractionDatasetBuilderTests
{
    [Fact]
    public void RowsAreGroupedByUserAndOrderedByTimeWithTiesInInsertionOrder()
    {
        var b = new InteractionDatasetBuilder("t", hasTimestamps: true, hasRatings: true);
        b.Add("u2", "a", 5, 1f);
        b.Add("u1", "b", 3, 2f);
        b.Add("u2", "c", 1, 3f);
        b.Add("u1", "d", 3, 4f);
        b.Add("u1", "e", 2, 5f);
        var ds = b.Build();

        Assert.Equal(2, ds.NumUsers);
        Assert.Equal(5, ds.NumItems);
        int u1 = ds.Users.GetId("u1"), u2 = ds.Users.GetId("u2");
        Assert.Equal(["e", "b", "d"], ds.GetSequence(u1).ToArray().Select(ds.Items.GetToken));
        Assert.Equal(["c", "a"], ds.GetSequence(u2).ToArray().Select(ds.Items.GetToken));
        Assert.Equal([5f, 2f, 4f], ds.GetRatings(u1).ToArray());
        Assert.Equal([2.0, 3.0, 3.0], ds.GetTimestamps(u1).ToArray());
    }

    [Fact]
    public void WithoutTimestampsInsertionOrderIsTimeOrder()
    {
        var b = new InteractionDatasetBuilder("t");
        b.Add("u", "z");
        b.Add("v", "y");
        b.Add("u", "x");
        var ds = b.Build();
        Assert.Equal(["z", "x"], ds.GetSequence(ds.Users.GetId("u")).ToArray().Select(ds.Items.GetToken));
        Assert.False(ds.HasTimestamps);
        Assert.True(ds.GetTimestamps(1).IsEmpty);
    }

    [Fact]
    public void DomainsAreDenseFromZeroAndItemsTakeTheirDomain()
    {
        var b = new InteractionDatasetBuilder("t", hasDomains: true);
        b.Add("u", "i1", domain: "beauty");
        b.Add("u", "i2", domain: "toys");
        var ds = b.Build();
        Assert.Equal(["beauty", "toys"], ds.DomainNames);
        Assert.Equal(1, ds.ItemDomains[ds.Items.GetId("i2")]);
        Assert.Equal(1, ds.UserDomain(1));
    }

    [Fact]
    public void EmptyBuilderAndUnknownIdsAreRejected()
    {
        var b = new InteractionDatasetBuilder("empty");
        Assert.Contains("empty", Assert.Throws<InvalidOperationException>(() => b.Build()).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Add(1, 1));
    }

    [Fact]
    public void VocabularyReservesZeroForPaddingAndNamesUnknownTokens()
    {
        var v = new Vocabulary("item");
        Assert.Equal(1, v.GetOrAdd("a"));
        Assert.Equal(1, v.GetOrAdd("a".AsSpan()));
        Assert.Equal(Vocabulary.PaddingToken, v.GetToken(0));
        Assert.Contains("'zz'", Assert.Throws<KeyNotFoundException>(() => v.GetId("zz")).Message);
    }
}
