using ParamGen.Data;

namespace ParamGen.Tests.Data;

public class TimeRatioSplitTests
{
    private static readonly InteractionDataset Data = RandomInteractions.Build(seed: 23);

    private static double TimeAt(InteractionDataset ds, int user, int position) => ds.GetTimestamps(user)[position];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NothingLeaksOverAWholeGeneratedDataset(bool prefixAugmentation)
    {
        var split = new TimeRatioSplit(new TimeRatioSplitOptions { PrefixAugmentation = prefixAugmentation }).Split(Data);
        var report = split.Report;
        double validStart = report.ValidStartTime!.Value, testStart = report.TestStartTime!.Value;

        // Every training example covers only training-period interactions; targets lie in their period.
        double lastTrainTime = split.Train.Max(e => TimeAt(Data, e.User, e.End - 1));
        Assert.True(lastTrainTime < validStart);
        Assert.All(split.Valid, e => Assert.InRange(TimeAt(Data, e.User, e.End - 1), validStart, Math.BitDecrement(testStart)));
        Assert.All(split.Test, e => Assert.True(TimeAt(Data, e.User, e.End - 1) >= testStart));
        Assert.True(split.Test.Min(e => TimeAt(Data, e.User, e.End - 1)) > lastTrainTime);

        // Validation inputs never hold a test interaction, by time or by item.
        var testItems = split.Test.GroupBy(e => e.User).ToDictionary(x => x.Key, x => x.Select(e => e.Target(Data)).ToHashSet());
        foreach (var e in split.Valid)
        {
            Assert.True(e.End == 1 || TimeAt(Data, e.User, e.End - 2) < testStart);
            if (testItems.TryGetValue(e.User, out var items))
            {
                Assert.DoesNotContain(e.Input(Data).ToArray(), items.Contains);
            }
        }

        // No training example covers a validation or test target of its user.
        var evalTargets = split.Valid.Concat(split.Test).Select(e => (e.User, e.End - 1)).ToHashSet();
        foreach (var e in split.Train)
        {
            Assert.InRange(e.End, 2, int.MaxValue);
            for (int k = 0; k < e.End; k++)
            {
                Assert.DoesNotContain((e.User, k), evalTargets);
            }
        }

        // Every interaction of a kept user is in exactly one period, and every one after the first is either
        // covered by training or an evaluation target.
        int kept = Data.NumUsers - report.DroppedUsers.Count;
        int keptInteractions = Enumerable.Range(1, Data.NumUsers).Select(Data.SequenceLength).Where(n => n >= 2).Sum();
        Assert.Equal(keptInteractions, report.TrainInteractions + report.ValidInteractions + report.TestInteractions);
        Assert.Equal(report.ValidInteractions + report.TestInteractions, split.Valid.Count + split.Test.Count + report.TargetsWithoutHistory);
        Assert.Equal(Enumerable.Range(1, Data.NumUsers).Count(u => Data.SequenceLength(u) < 2), report.DroppedUsers.Count);
        Assert.Equal(kept - split.Train.Select(e => e.User).Distinct().Count(), report.UsersWithoutTrainExample);
        Assert.True(report.UsersWithoutTrainExample > 0, "some users of the generated data start after the training period");

        // The shares are the requested ones up to ties at the cuts.
        double n = Data.NumInteractions;
        Assert.InRange(Data.TimestampColumn.ToArray().Count(t => t < validStart) / n, 0.79, 0.81);
        Assert.InRange(Data.TimestampColumn.ToArray().Count(t => t >= testStart) / n, 0.09, 0.11);
    }

    [Fact]
    public void ExamplesOfAHandMadeDatasetAreExactlyTheExpectedOnes()
    {
        // Ten distinct times 1..10; 0.6/0.2/0.2 puts 1..6 in training, 7..8 in validation, 9..10 in test.
        var b = new InteractionDatasetBuilder("hand", hasTimestamps: true);
        b.Add("early", "a", 1);
        b.Add("early", "b", 2);
        b.Add("early", "c", 3);
        b.Add("early", "d", 7);
        b.Add("early", "e", 9);
        b.Add("mid", "a", 4);
        b.Add("mid", "b", 8);
        b.Add("mid", "c", 10);
        b.Add("late", "a", 5.5);
        b.Add("late", "c", 6);
        var ds = b.Build();
        var split = new TimeRatioSplit(new TimeRatioSplitOptions { TrainRatio = 0.6, ValidRatio = 0.2, TestRatio = 0.2 }).Split(ds);

        int early = ds.Users.GetId("early"), mid = ds.Users.GetId("mid"), late = ds.Users.GetId("late");
        Assert.Equal([new SequenceExample(early, 3), new SequenceExample(late, 2)], split.Train);
        Assert.Equal([new SequenceExample(early, 4), new SequenceExample(mid, 2)], split.Valid);
        Assert.Equal([new SequenceExample(early, 5), new SequenceExample(mid, 3)], split.Test);
        Assert.Equal((7.0, 9.0), (split.Report.ValidStartTime, split.Report.TestStartTime));
        Assert.Equal(1, split.Report.UsersWithoutTrainExample);
        Assert.Equal((6, 2, 2), (split.Report.TrainInteractions, split.Report.ValidInteractions, split.Report.TestInteractions));
    }

    [Fact]
    public void AUserWhollyInTheTestPeriodGetsNoTrainingExampleAndItIsReported()
    {
        var b = new InteractionDatasetBuilder("late", hasTimestamps: true);
        for (int t = 0; t < 8; t++)
        {
            b.Add("regular", $"i{t}", t);
        }

        b.Add("newcomer", "x", 100);
        b.Add("newcomer", "y", 101);
        var ds = b.Build();
        var split = new TimeRatioSplit(new TimeRatioSplitOptions { TrainRatio = 0.7, ValidRatio = 0.1, TestRatio = 0.2 }).Split(ds);

        int newcomer = ds.Users.GetId("newcomer");
        Assert.DoesNotContain(split.Train, e => e.User == newcomer);
        Assert.Equal([new SequenceExample(newcomer, 2)], split.Test);   // its first interaction has no history
        Assert.Equal(1, split.Report.UsersWithoutTrainExample);
        Assert.Equal(1, split.Report.TargetsWithoutHistory);
        Assert.Contains("1 without a training example", split.Report.ToString());
    }

    [Fact]
    public void CutsAreTheTimestampsAtTheQuantileRanksOfTheSortedTimes()
    {
        var g = new ParamGen.Tensors.Random.Generator(5);
        for (int trial = 0; trial < 30; trial++)
        {
            int rows = 1 + g.NextInt(3000), range = 1 + g.NextInt(trial % 3 == 0 ? 5 : 100_000);
            var b = new InteractionDatasetBuilder("cuts", hasTimestamps: true);
            for (int r = 0; r < rows; r++)
            {
                b.Add($"u{g.NextInt(50)}", $"i{g.NextInt(20)}", g.NextInt(range));
            }

            var ds = b.Build();
            var sorted = ds.TimestampColumn.ToArray();
            Array.Sort(sorted);
            double At(double share)
            {
                int k = (int)Math.Round(sorted.Length * share, MidpointRounding.AwayFromZero);
                return k >= sorted.Length ? double.PositiveInfinity : sorted[k];
            }

            var report = new TimeRatioSplit(new TimeRatioSplitOptions { TrainRatio = 0.7, ValidRatio = 0.15, TestRatio = 0.15 }).Split(ds).Report;
            Assert.Equal(At(0.7), report.ValidStartTime);
            Assert.Equal(At(0.7 + 0.15), report.TestStartTime);
        }
    }

    [Fact]
    public void TiedTimestampsNeverStraddleACut()
    {
        var b = new InteractionDatasetBuilder("ties", hasTimestamps: true);
        for (int u = 0; u < 10; u++)
        {
            b.Add($"u{u}", "a", 1);
            b.Add($"u{u}", "b", 2);
            b.Add($"u{u}", "c", u < 5 ? 2 : 3);
        }

        var split = new TimeRatioSplit(new TimeRatioSplitOptions { TrainRatio = 0.5, ValidRatio = 0.0, TestRatio = 0.5 }).Split(b.Build());
        // Position 15 of the sorted times is a 2: every interaction at time 2 is in the test period.
        Assert.Equal(2.0, split.Report.TestStartTime);
        Assert.Equal(10, split.Report.TrainInteractions);
        Assert.Empty(split.Train);
        Assert.Equal(20, split.Test.Count);
    }

    [Fact]
    public void BadRatiosMissingTimestampsAndTooShortUsersThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeRatioSplit(new TimeRatioSplitOptions { TrainRatio = 0.8, ValidRatio = 0.1, TestRatio = 0.2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeRatioSplit(new TimeRatioSplitOptions { TrainRatio = 1.1, ValidRatio = -0.2, TestRatio = 0.1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeRatioSplit(new TimeRatioSplitOptions { TrainRatio = 0, ValidRatio = 0.5, TestRatio = 0.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeRatioSplit(new TimeRatioSplitOptions { TrainRatio = double.NaN }));
        var sumMessage = Assert.Throws<ArgumentOutOfRangeException>(() => new TimeRatioSplit(new TimeRatioSplitOptions { TestRatio = 0.3 })).Message;
        Assert.Contains("sum to 1", sumMessage);

        var plain = new InteractionDatasetBuilder("plain");
        plain.Add("u", "a");
        Assert.Contains("no timestamps", Assert.Throws<ArgumentException>(() => new TimeRatioSplit().Split(plain.Build())).Message);

        var b = new InteractionDatasetBuilder("short", hasTimestamps: true);
        b.Add("ok", "a", 1);
        b.Add("ok", "b", 2);
        b.Add("lonely", "c", 3);
        var ds = b.Build();
        var ex = Assert.Throws<ArgumentException>(() => new TimeRatioSplit(new TimeRatioSplitOptions { TooShortUsers = TooShortUserPolicy.Throw }).Split(ds));
        Assert.Contains("user 'lonely' has 1 interaction,", ex.Message);
        Assert.Contains("at least 2", ex.Message);
        Assert.Equal([ds.Users.GetId("lonely")], new TimeRatioSplit().Split(ds).Report.DroppedUsers);
    }

    [Fact]
    public void TimestampsOutOfOrderWithinAUserAreRejected()
    {
        var users = new Vocabulary("user", ["u"]);
        var items = new Vocabulary("item", ["a", "b"]);
        var ds = new InteractionDataset("raw", users, items, [0, 0, 2], [1, 2], timestamps: [5.0, 4.0]);
        var ex = Assert.Throws<ArgumentException>(() => new TimeRatioSplit().Split(ds));
        Assert.Contains("user 'u' has timestamp 4 at position 1 after 5", ex.Message);
    }
}
