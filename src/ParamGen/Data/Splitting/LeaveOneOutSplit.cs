namespace ParamGen.Data;

/// <summary>
/// Leave-one-out: per user with n interactions, the last is the test target, the second last the validation
/// target, and the first n - 2 are for training.
/// </summary>
/// <remarks>
/// <para>Examples (see <see cref="SequenceExample"/>): Test = (u, n), Valid = (u, n - 1), and Train = (u, n - 2),
/// one all-position example whose inputs are the first n - 3 items and whose targets are items 2 .. n - 2; with
/// <see cref="SplitOptions.PrefixAugmentation"/>, Train = (u, e) for e = 2 .. n - 2 instead. A user with exactly
/// 3 interactions has no training example (its first item is only ever an input); it is counted in
/// <see cref="SplitReport.UsersWithoutTrainExample"/>.</para>
/// <para>Users with fewer than 3 interactions are too short: dropped and reported by default, or an exception
/// under <see cref="TooShortUserPolicy.Throw"/>.</para>
/// </remarks>
public sealed class LeaveOneOutSplit : IDatasetSplitter
{
    /// <summary>The fewest interactions a user needs: 3 (a training input, a validation target, a test target).</summary>
    public const int MinInteractions = 3;

    /// <summary>Creates the split.</summary>
    /// <param name="options">Options; null for the defaults (drop too-short users, no prefix augmentation).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public LeaveOneOutSplit(SplitOptions? options = null)
    {
        options ??= new SplitOptions();
        options.Validate();
        Options = options;
    }

    /// <summary>The options in use.</summary>
    public SplitOptions Options { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Policy Throw and a user has fewer than 3 interactions; the message names the user and its length.</exception>
    public DatasetSplit Split(InteractionDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var dropped = TooShortUserCheck.Find(dataset, MinInteractions, Options.TooShortUsers, nameof(LeaveOneOutSplit),
            "a training input, a validation target and a test target");
        int kept = dataset.NumUsers - dropped.Length;
        var train = new List<SequenceExample>(Options.PrefixAugmentation ? dataset.NumInteractions - 3 * kept : kept);
        var valid = new List<SequenceExample>(kept);
        var test = new List<SequenceExample>(kept);
        int withoutTrain = 0, trainInteractions = 0;
        for (int u = 1; u <= dataset.NumUsers; u++)
        {
            int n = dataset.SequenceLength(u);
            if (n < MinInteractions)
            {
                continue;
            }

            trainInteractions += n - 2;
            if (n - 2 < 2)
            {
                withoutTrain++;
            }
            else if (Options.PrefixAugmentation)
            {
                for (int e = 2; e <= n - 2; e++)
                {
                    train.Add(new SequenceExample(u, e));
                }
            }
            else
            {
                train.Add(new SequenceExample(u, n - 2));
            }

            valid.Add(new SequenceExample(u, n - 1));
            test.Add(new SequenceExample(u, n));
        }

        var report = new SplitReport
        {
            Method = Options.PrefixAugmentation ? "leave-one-out (prefix-augmented)" : "leave-one-out",
            DatasetName = dataset.Name,
            Users = dataset.NumUsers,
            MinInteractions = MinInteractions,
            DroppedUsers = Array.AsReadOnly(dropped),
            UsersWithoutTrainExample = withoutTrain,
            TrainExamples = train.Count,
            ValidExamples = valid.Count,
            TestExamples = test.Count,
            TrainInteractions = trainInteractions,
            ValidInteractions = valid.Count,
            TestInteractions = test.Count,
        };
        return new DatasetSplit(dataset, train.AsReadOnly(), valid.AsReadOnly(), test.AsReadOnly(), report);
    }
}
