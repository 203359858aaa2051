using ParamGen.Data;

namespace ParamGen.Tests.Data.Loading;

/// <summary>Compares datasets by token: same users, and per user the same items, timestamps, ratings and domains in order.</summary>
internal static class DatasetAssert
{
    public static void SameByToken(InteractionDataset expected, InteractionDataset actual, bool timestamps = true, bool ratings = true, bool domains = true)
    {
        Assert.Equal(expected.NumUsers, actual.NumUsers);
        Assert.Equal(expected.NumItems, actual.NumItems);
        Assert.Equal(expected.NumInteractions, actual.NumInteractions);
        Assert.Equal(expected.Users.Tokens.Order(StringComparer.Ordinal), actual.Users.Tokens.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Items.Tokens.Order(StringComparer.Ordinal), actual.Items.Tokens.Order(StringComparer.Ordinal));
        if (timestamps)
        {
            Assert.Equal(expected.HasTimestamps, actual.HasTimestamps);
        }

        if (ratings)
        {
            Assert.Equal(expected.HasRatings, actual.HasRatings);
        }

        if (domains)
        {
            Assert.Equal(expected.DomainNames.Order(StringComparer.Ordinal), actual.DomainNames.Order(StringComparer.Ordinal));
        }

        for (int u = 1; u <= expected.NumUsers; u++)
        {
            string token = expected.Users.GetToken(u);
            int v = actual.Users.GetId(token);
            Assert.Equal(Tokens(expected, u), Tokens(actual, v));
            if (timestamps)
            {
                Assert.Equal(expected.GetTimestamps(u).ToArray(), actual.GetTimestamps(v).ToArray());
            }

            if (ratings)
            {
                Assert.Equal(expected.GetRatings(u).ToArray(), actual.GetRatings(v).ToArray());
            }

            if (domains && expected.HasDomains)
            {
                Assert.Equal(expected.GetDomains(u).ToArray().Select(d => expected.DomainNames[d]), actual.GetDomains(v).ToArray().Select(d => actual.DomainNames[d]));
            }
        }
    }

    public static void SameItemFeatures(InteractionDataset expected, InteractionDataset actual)
    {
        var e = expected.ItemFeatures!;
        var a = actual.ItemFeatures!;
        Assert.NotNull(a);
        for (int i = 1; i <= expected.NumItems; i++)
        {
            int j = actual.Items.GetId(expected.Items.GetToken(i));
            Assert.Equal(e.CategoriesOf(i).ToArray().Select(e.Categories.GetToken), a.CategoriesOf(j).ToArray().Select(a.Categories.GetToken));
            Assert.Equal(e.TitleOf(i), a.TitleOf(j));
        }
    }

    public static string[] Tokens(InteractionDataset dataset, int user) =>
        [.. dataset.GetSequence(user).ToArray().Select(dataset.Items.GetToken)];

    public static string[] Sequence(InteractionDataset dataset, string user) => Tokens(dataset, dataset.Users.GetId(user));
}
