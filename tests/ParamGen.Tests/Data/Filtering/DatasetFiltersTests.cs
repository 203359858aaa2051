using ParamGen.Data;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.Data;

public class DatasetFiltersTests
{
    private static InteractionDataset Pairs(params (string User, string Item)[] rows)
    {
        var b = new InteractionDatasetBuilder("pairs");
        foreach (var (user, item) in rows)
        {
            b.Add(user, item);
        }

        return b.Build();
    }

    private static string[] Sequence(InteractionDataset ds, string user) =>
        ds.GetSequence(ds.Users.GetId(user)).ToArray().Select(ds.Items.GetToken).ToArray();

    [Fact]
    public void KCoreIteratesUntilUsersAndItemsBothHoldAndCountsTheRounds()
    {
        // A chain that unravels one link per round (u4/b, then u1/d, then u3/a, then u2/c) next to a solid 2-core.
        var ds = Pairs(("u1", "a"), ("u1", "b"), ("u2", "a"), ("u2", "c"), ("u3", "c"), ("u3", "d"), ("u4", "d"),
            ("u5", "x"), ("u5", "y"), ("u6", "x"), ("u6", "y"));

        var (core, report) = DatasetFilters.KCore(ds, minUserInteractions: 2, minItemInteractions: 2);

        var step = Assert.Single(report.Steps);
        Assert.Equal("k-core (users >= 2, items >= 2)", step.Name);
        Assert.Equal(4, step.Rounds);
        Assert.Equal((7, 4, 4), (step.InteractionsRemoved, step.UsersRemoved, step.ItemsRemoved));
        Assert.Equal((4, 2, 2), (step.InteractionsRemaining, step.UsersRemaining, step.ItemsRemaining));
        Assert.Equal(["[PAD]", "u5", "u6"], core.Users.Tokens);
        Assert.Equal(["[PAD]", "x", "y"], core.Items.Tokens);
        Assert.Equal(["x", "y"], Sequence(core, "u6"));

        // Already a 2-core: nothing removed, no round.
        var again = DatasetFilters.KCore(core, 2, 2).Report.Steps[0];
        Assert.Equal((0, 0), (again.Rounds, again.InteractionsRemoved));
    }

    [Fact]
    public void KCoreAgreesWithANaiveRecountOnARandomDataset()
    {
        var g = new Generator(7);
        var b = new InteractionDatasetBuilder("random");
        var rows = new List<(int User, int Item)>();
        for (int r = 0; r < 3000; r++)
        {
            // Skewed so that many users and items sit near the bounds.
            int user = (int)(300 * g.NextDouble() * g.NextDouble()), item = (int)(200 * g.NextDouble() * g.NextDouble());
            rows.Add((user, item));
            b.Add($"u{user}", $"i{item}");
        }

        var (core, report) = DatasetFilters.KCore(b.Build(), 5, 4);

        var left = rows;
        int rounds = 0;
        while (true)
        {
            var userCounts = left.GroupBy(p => p.User).ToDictionary(x => x.Key, x => x.Count());
            var itemCounts = left.GroupBy(p => p.Item).ToDictionary(x => x.Key, x => x.Count());
            var next = left.Where(p => userCounts[p.User] >= 5 && itemCounts[p.Item] >= 4).ToList();
            if (next.Count == left.Count)
            {
                break;
            }

            left = next;
            rounds++;
        }

        Assert.True(rounds >= 2, $"the random data should need several rounds, needed {rounds}");
        Assert.Equal(rounds, report.Steps[0].Rounds);
        Assert.Equal(left.Count, core.NumInteractions);
        Assert.Equal(left.Select(p => p.User).Distinct().Count(), core.NumUsers);
        Assert.Equal(left.Select(p => p.Item).Distinct().Count(), core.NumItems);
        Assert.Equal(3000 - left.Count, report.Steps[0].InteractionsRemoved);
        for (int u = 1; u <= core.NumUsers; u++)
        {
            Assert.True(core.SequenceLength(u) >= 5);
            var expected = left.Where(p => $"u{p.User}" == core.Users.GetToken(u)).Select(p => $"i{p.Item}");
            Assert.Equal(expected, core.GetSequence(u).ToArray().Select(core.Items.GetToken));
        }
    }

    [Fact]
    public void RatingThresholdKeepsRatingsAtLeastTheThresholdAndNeedsARatingColumn()
    {
        var b = new InteractionDatasetBuilder("rated", hasRatings: true);
        b.Add("u1", "a", rating: 5f);
        b.Add("u1", "b", rating: 3.5f);
        b.Add("u1", "c", rating: 4f);
        b.Add("u2", "b", rating: 1f);
        b.Add("u3", "d", rating: 4.5f);
        var (kept, report) = DatasetFilters.RatingThreshold(b.Build(), 4f);

        var step = Assert.Single(report.Steps);
        Assert.Equal("rating >= 4", step.Name);
        Assert.Equal((2, 1, 1), (step.InteractionsRemoved, step.UsersRemoved, step.ItemsRemoved));
        Assert.Equal((3, 2, 3), (step.InteractionsRemaining, step.UsersRemaining, step.ItemsRemaining));
        Assert.Equal(["a", "c"], Sequence(kept, "u1"));
        Assert.Equal([5f, 4f], kept.GetRatings(kept.Users.GetId("u1")).ToArray());
        Assert.False(kept.Users.Contains("u2"));

        var noRatings = Pairs(("u", "a"));
        var ex = Assert.Throws<ArgumentException>(() => DatasetFilters.RatingThreshold(noRatings, 4f));
        Assert.Contains("'pairs'", ex.Message);
        Assert.Contains("no rating column", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetFilters.RatingThreshold(kept, float.NaN));
    }

    [Fact]
    public void ConsecutiveRepeatsKeepTheFirstOfEachRunOnly()
    {
        var ds = Pairs(("u1", "a"), ("u1", "a"), ("u1", "b"), ("u1", "a"), ("u1", "a"), ("u1", "a"), ("u1", "c"),
            ("u2", "c"), ("u2", "c"), ("u3", "c"), ("u3", "a"));
        var (kept, report) = DatasetFilters.RemoveConsecutiveRepeats(ds);

        Assert.Equal(["a", "b", "a", "c"], Sequence(kept, "u1"));
        Assert.Equal(["c"], Sequence(kept, "u2"));
        Assert.Equal(["c", "a"], Sequence(kept, "u3"));
        var step = report.Steps[0];
        Assert.Equal((4, 0, 0, 7), (step.InteractionsRemoved, step.UsersRemoved, step.ItemsRemoved, step.InteractionsRemaining));
    }

    [Fact]
    public void RepeatsAreFoundAfterTheRatingThresholdRemovedWhatSatBetweenThem()
    {
        var b = new InteractionDatasetBuilder("rated", hasRatings: true);
        b.Add("u", "a", rating: 5f);
        b.Add("u", "b", rating: 1f);
        b.Add("u", "a", rating: 5f);
        b.Add("u", "c", rating: 5f);
        var (kept, report) = DatasetFilters.Apply(b.Build(), new FilterOptions { MinRating = 3f, RemoveConsecutiveRepeats = true });

        Assert.Equal(["a", "c"], Sequence(kept, "u"));
        Assert.Equal(["rating >= 3", "consecutive repeats"], report.Steps.Select(s => s.Name));
        Assert.Equal([1, 1], report.Steps.Select(s => s.InteractionsRemoved));
        Assert.Equal(1, report.Steps[0].ItemsRemoved);
    }

    [Fact]
    public void MinSequenceLengthDropsShortUsersAndTheItemsOnlyTheyHad()
    {
        var ds = Pairs(("u1", "a"), ("u2", "a"), ("u2", "b"), ("u3", "a"), ("u3", "c"), ("u3", "d"),
            ("u4", "a"), ("u4", "b"), ("u4", "c"), ("u4", "e"), ("u5", "z"));
        var (kept, report) = DatasetFilters.MinSequenceLength(ds, 3);

        Assert.Equal(["[PAD]", "u3", "u4"], kept.Users.Tokens);
        Assert.Equal(["[PAD]", "a", "b", "c", "d", "e"], kept.Items.Tokens);
        var step = report.Steps[0];
        Assert.Equal((4, 3, 1), (step.InteractionsRemoved, step.UsersRemoved, step.ItemsRemoved));
        Assert.Equal((7, 2, 5), (step.InteractionsRemaining, step.UsersRemaining, step.ItemsRemaining));
        Assert.Equal(["a", "b", "c", "e"], Sequence(kept, "u4"));
    }

    [Fact]
    public void ApplyRunsTheStepsInOrderAndTheReportAddsUp()
    {
        var g = new Generator(3);
        var b = new InteractionDatasetBuilder("mixed", hasTimestamps: true, hasRatings: true);
        for (int r = 0; r < 4000; r++)
        {
            b.Add($"u{g.NextInt(200)}", $"i{g.NextInt(150)}", timestamp: g.NextInt(10_000), rating: 1 + g.NextInt(5));
        }

        var ds = b.Build();
        var options = new FilterOptions { MinRating = 2, RemoveConsecutiveRepeats = true, MinUserInteractions = 8, MinItemInteractions = 6, MinSequenceLength = 12 };
        var (filtered, report) = DatasetFilters.Apply(ds, options);

        Assert.Equal(4, report.Steps.Count);
        int interactions = ds.NumInteractions, users = ds.NumUsers, items = ds.NumItems;
        foreach (var step in report.Steps)
        {
            Assert.Equal(interactions - step.InteractionsRemoved, step.InteractionsRemaining);
            Assert.Equal(users - step.UsersRemoved, step.UsersRemaining);
            Assert.Equal(items - step.ItemsRemoved, step.ItemsRemaining);
            (interactions, users, items) = (step.InteractionsRemaining, step.UsersRemaining, step.ItemsRemaining);
        }

        Assert.Equal((filtered.NumInteractions, filtered.NumUsers, filtered.NumItems), (report.FinalInteractions, report.FinalUsers, report.FinalItems));
        Assert.All(filtered.RatingColumn.ToArray(), r => Assert.True(r >= 2));
        for (int u = 1; u <= filtered.NumUsers; u++)
        {
            Assert.True(filtered.SequenceLength(u) >= 12);
            var seq = filtered.GetSequence(u);
            for (int k = 1; k < seq.Length; k++)
            {
                Assert.NotEqual(seq[k - 1], seq[k]);
            }
        }

        string text = report.ToString();
        Assert.Contains("Filters on 'mixed'", text);
        Assert.Contains("k-core (users >= 8, items >= 6)", text);
        Assert.Equal(report.Steps.Count + 3, text.Split('\n').Length);
    }

    [Fact]
    public void AFilterThatWouldLeaveNothingThrowsNamingTheStep()
    {
        var ds = Pairs(("u1", "a"), ("u2", "b"));
        var ex = Assert.Throws<InvalidOperationException>(() => DatasetFilters.Apply(ds, new FilterOptions { MinSequenceLength = 2 }));
        Assert.Contains("'min sequence length 2'", ex.Message);
        Assert.Contains("'pairs'", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetFilters.KCore(ds, -1, 2));
    }

    [Fact]
    public void NoFilterSwitchedOnReturnsTheDatasetWithAnEmptyReport()
    {
        var ds = Pairs(("u1", "a"), ("u2", "b"));
        var (same, report) = DatasetFilters.Apply(ds, new FilterOptions());
        Assert.Same(ds, same);
        Assert.Empty(report.Steps);
        Assert.Equal(2, report.FinalInteractions);
    }
}
