using System.Globalization;

namespace ParamGen.Data;

/// <summary>
/// Time-ratio split: the dataset's time axis is cut at global quantiles of its timestamps (by default 80% of
/// interactions before the first cut, 10% between the cuts, 10% after), and each interaction belongs to the
/// period its timestamp falls in.
/// </summary>
/// <remarks>
/// <para>Cuts are timestamps, not row counts: the validation period starts at the timestamp found at position
/// round(N x TrainRatio) of the sorted timestamps and the test period at position round(N x (TrainRatio +
/// ValidRatio)); interactions sharing a timestamp always share a period, so the shares are approximate when
/// timestamps tie, and every test target is strictly later than every training interaction.</para>
/// <para>Per user (sequences are time-ordered): each interaction at position k in the validation period gives a
/// Valid example (u, k + 1), each one in the test period a Test example (u, k + 1), so evaluation inputs hold
/// the user's earlier interactions of any period, and validation inputs never hold a test interaction. With a
/// training prefix of a interactions, Train = (u, a) when a &gt;= 2 (or (u, e) for e = 2 .. a with
/// <see cref="SplitOptions.PrefixAugmentation"/>). A user whose interactions all fall after the first cut gets
/// no training example (<see cref="SplitReport.UsersWithoutTrainExample"/>); a user's very first interaction
/// gives no example in any part (<see cref="SplitReport.TargetsWithoutHistory"/>).</para>
/// <para>Users with fewer than 2 interactions can give no example at all and are the too-short users here.</para>
/// </remarks>
public sealed class TimeRatioSplit : IDatasetSplitter
{
    /// <summary>The fewest interactions a user needs: 2 (one input and one target).</summary>
    public const int MinInteractions = 2;

    /// <summary>Creates the split.</summary>
    /// <param name="options">Options; null for 0.8/0.1/0.1, too-short users dropped, no prefix augmentation.</param>
    /// <exception cref="ArgumentOutOfRangeException">A ratio is out of range or the ratios do not sum to 1.</exception>
    public TimeRatioSplit(TimeRatioSplitOptions? options = null)
    {
        options ??= new TimeRatioSplitOptions();
        options.Validate();
        Options = options;
    }

    /// <summary>The options in use.</summary>
    public TimeRatioSplitOptions Options { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The dataset has no timestamps, a timestamp is NaN or a user's
    /// timestamps go back in time, or (policy Throw) a user has fewer than 2 interactions.</exception>
    public DatasetSplit Split(InteractionDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!dataset.HasTimestamps)
        {
            throw new ArgumentException($"TimeRatioSplit on '{dataset.Name}': the dataset has no timestamps; map a time column when loading, or use LeaveOneOutSplit.", nameof(dataset));
        }

        CheckTimeOrder(dataset);
        var dropped = TooShortUserCheck.Find(dataset, MinInteractions, Options.TooShortUsers, nameof(TimeRatioSplit), "one input and one target");
        var (validStart, testStart) = Cuts(dataset.TimestampColumn, Options.TrainRatio, Options.TrainRatio + Options.ValidRatio);

        var train = new List<SequenceExample>();
        var valid = new List<SequenceExample>();
        var test = new List<SequenceExample>();
        int withoutTrain = 0, withoutHistory = 0, trainRows = 0, validRows = 0, testRows = 0;
        for (int u = 1; u <= dataset.NumUsers; u++)
        {
            var times = dataset.GetTimestamps(u);
            int n = times.Length;
            if (n < MinInteractions)
            {
                continue;
            }

            int a = CountBefore(times, validStart), b = CountBefore(times, testStart);
            trainRows += a;
            validRows += b - a;
            testRows += n - b;
            if (a < 2)
            {
                withoutTrain++;
            }
            else if (Options.PrefixAugmentation)
            {
                for (int e = 2; e <= a; e++)
                {
                    train.Add(new SequenceExample(u, e));
                }
            }
            else
            {
                train.Add(new SequenceExample(u, a));
            }

            if (a == 0)
            {
                withoutHistory++;
            }

            for (int k = Math.Max(a, 1); k < b; k++)
            {
                valid.Add(new SequenceExample(u, k + 1));
            }

            for (int k = Math.Max(b, 1); k < n; k++)
            {
                test.Add(new SequenceExample(u, k + 1));
            }
        }

        var c = CultureInfo.InvariantCulture;
        var report = new SplitReport
        {
            Method = string.Create(c, $"time-ratio {Options.TrainRatio}/{Options.ValidRatio}/{Options.TestRatio}{(Options.PrefixAugmentation ? " (prefix-augmented)" : "")}"),
            DatasetName = dataset.Name,
            Users = dataset.NumUsers,
            MinInteractions = MinInteractions,
            DroppedUsers = Array.AsReadOnly(dropped),
            UsersWithoutTrainExample = withoutTrain,
            TrainExamples = train.Count,
            ValidExamples = valid.Count,
            TestExamples = test.Count,
            TrainInteractions = trainRows,
            ValidInteractions = validRows,
            TestInteractions = testRows,
            TargetsWithoutHistory = withoutHistory,
            ValidStartTime = validStart,
            TestStartTime = testStart,
        };
        return new DatasetSplit(dataset, train.AsReadOnly(), valid.AsReadOnly(), test.AsReadOnly(), report);
    }

    /// <summary>The first timestamps of the validation and test periods: the timestamps of sorted rank round(N x share) (infinity past the end).</summary>
    private static (double ValidStart, double TestStart) Cuts(ReadOnlySpan<double> timestamps, double validAt, double testAt)
    {
        var scratch = timestamps.ToArray();
        int n = scratch.Length;
        double At(double share)
        {
            long k = (long)Math.Round(n * share, MidpointRounding.AwayFromZero);
            return k >= n ? double.PositiveInfinity : Select(scratch, (int)Math.Max(k, 0));
        }

        return (At(validAt), At(testAt));
    }

    /// <summary>
    /// The k-th smallest value (0-based), reordering <paramref name="values"/>: a quickselect with a three-way
    /// partition, because timestamps tie heavily and a full sort of every timestamp costs O(N log N) for two ranks.
    /// Falls back to sorting the remaining range if pivots keep being poor.
    /// </summary>
    private static double Select(double[] values, int k)
    {
        int lo = 0, hi = values.Length - 1, budget = 2 * (int)Math.Log2(values.Length + 1) + 8;
        while (lo < hi)
        {
            if (--budget < 0)
            {
                Array.Sort(values, lo, hi - lo + 1);
                return values[k];
            }

            double a = values[lo], b = values[lo + ((hi - lo) >> 1)], c = values[hi];
            double pivot = Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));

            // [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot
            int lt = lo, i = lo, gt = hi;
            while (i <= gt)
            {
                double v = values[i];
                if (v < pivot)
                {
                    (values[lt], values[i]) = (v, values[lt]);
                    lt++;
                    i++;
                }
                else if (v > pivot)
                {
                    (values[gt], values[i]) = (v, values[gt]);
                    gt--;
                }
                else
                {
                    i++;
                }
            }

            if (k < lt)
            {
                hi = lt - 1;
            }
            else if (k > gt)
            {
                lo = gt + 1;
            }
            else
            {
                return pivot;
            }
        }

        return values[k];
    }

    /// <summary>How many of a user's (ascending) timestamps are before <paramref name="cut"/>.</summary>
    private static int CountBefore(ReadOnlySpan<double> times, double cut)
    {
        int lo = 0, hi = times.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (times[mid] < cut)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static void CheckTimeOrder(InteractionDataset dataset)
    {
        for (int u = 1; u <= dataset.NumUsers; u++)
        {
            var times = dataset.GetTimestamps(u);
            for (int k = 0; k < times.Length; k++)
            {
                if (double.IsNaN(times[k]) || (k > 0 && times[k] < times[k - 1]))
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"TimeRatioSplit on '{dataset.Name}': user '{dataset.Users.GetToken(u)}' has timestamp {times[k]} at position {k}{(k > 0 ? $" after {times[k - 1]}" : "")}; timestamps must be numbers in time order within a user (build the dataset with InteractionDatasetBuilder)."),
                        nameof(dataset));
                }
            }
        }
    }
}
