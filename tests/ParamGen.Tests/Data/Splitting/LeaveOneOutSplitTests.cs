using ParamGen.Data;

namespace ParamGen.Tests.Data;

public class LeaveOneOutSplitTests
{
    private static readonly InteractionDataset Data = RandomInteractions.Build();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NothingLeaksOverAWholeGeneratedDataset(bool prefixAugmentation)
    {
        var split = new LeaveOneOutSplit(new SplitOptions { PrefixAugmentation = prefixAugmentation }).Split(Data);
        Assert.Same(Data, split.Dataset);

        var testOf = split.Test.ToDictionary(e => e.User);
        var validOf = split.Valid.ToDictionary(e => e.User);
        for (int u = 1; u <= Data.NumUsers; u++)
        {
            int n = Data.SequenceLength(u);
            Assert.Equal(n >= 3, testOf.ContainsKey(u));
            if (n < 3)
            {
                continue;
            }

            var seq = Data.GetSequence(u);
            Assert.Equal(n, testOf[u].End);                     // the test target is the last interaction
            Assert.Equal(seq[n - 1], testOf[u].Target(Data));
            Assert.Equal(n - 1, validOf[u].End);                // valid = second last; its input stops before it
            Assert.DoesNotContain(seq[n - 1], validOf[u].Input(Data).ToArray());
        }

        foreach (var e in split.Train)
        {
            int n = Data.SequenceLength(e.User);
            Assert.InRange(e.End, 2, n - 2);                    // covers positions [0, End): never n-2 or n-1
            var covered = Data.GetSequence(e.User)[..e.End].ToArray();
            Assert.DoesNotContain(testOf[e.User].Target(Data), covered);
            Assert.DoesNotContain(validOf[e.User].Target(Data), covered);
        }

        int[] lengths = Enumerable.Range(1, Data.NumUsers).Select(Data.SequenceLength).ToArray();
        int kept = lengths.Count(n => n >= 3);
        Assert.Equal(kept, split.Valid.Count);
        Assert.Equal(kept, split.Test.Count);
        int expectedTrain = prefixAugmentation ? lengths.Where(n => n >= 4).Sum(n => n - 3) : lengths.Count(n => n >= 4);
        Assert.Equal(expectedTrain, split.Train.Count);
        if (!prefixAugmentation)
        {
            Assert.All(split.Train, e => Assert.Equal(Data.SequenceLength(e.User) - 2, e.End));
        }

        var report = split.Report;
        Assert.Equal(Enumerable.Range(1, Data.NumUsers).Where(u => lengths[u - 1] < 3), report.DroppedUsers);
        Assert.Equal(lengths.Count(n => n == 3), report.UsersWithoutTrainExample);
        Assert.Equal((expectedTrain, kept, kept), (report.TrainExamples, report.ValidExamples, report.TestExamples));
        Assert.Equal(lengths.Where(n => n >= 3).Sum(n => n - 2), report.TrainInteractions);
        Assert.True(report.DroppedUsers.Count > 100, "the generated data should hold users too short for the split");
    }

    [Fact]
    public void TooShortUsersThrowNamingTheUserAndItsLength()
    {
        var b = new InteractionDatasetBuilder("tiny");
        foreach (var item in new[] { "a", "b", "c" })
        {
            b.Add("long", item);
        }

        b.Add("short", "a");
        b.Add("short", "b");
        b.Add("shorter", "c");
        var ds = b.Build();

        var ex = Assert.Throws<ArgumentException>(() => new LeaveOneOutSplit(new SplitOptions { TooShortUsers = TooShortUserPolicy.Throw }).Split(ds));
        Assert.Contains("user 'short' has 2 interactions", ex.Message);
        Assert.Contains("at least 3", ex.Message);
        Assert.Contains("1 more users", ex.Message);
        Assert.Contains("'tiny'", ex.Message);

        var dropped = new LeaveOneOutSplit().Split(ds);
        Assert.Equal([ds.Users.GetId("short"), ds.Users.GetId("shorter")], dropped.Report.DroppedUsers);
        Assert.Equal((0, 1, 1), (dropped.Train.Count, dropped.Valid.Count, dropped.Test.Count));
        Assert.Equal(1, dropped.Report.UsersWithoutTrainExample);
        Assert.Contains("2 dropped as too short (< 3 interactions)", dropped.Report.ToString());
    }

    [Fact]
    public void AnInvalidPolicyIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeaveOneOutSplit(new SplitOptions { TooShortUsers = (TooShortUserPolicy)7 }));
    }
}
