using System.Globalization;
using System.Text;

namespace ParamGen.Data;

/// <summary>
/// What a split did: which users it dropped as too short, how many users got no training example, and the
/// examples and interactions in each part. <see cref="ToString"/> renders it for logs.
/// </summary>
public sealed record SplitReport
{
    /// <summary>The split and its parameters, e.g. <c>leave-one-out</c> or <c>time-ratio 0.8/0.1/0.1</c>.</summary>
    public required string Method { get; init; }

    /// <summary>The split dataset's name.</summary>
    public required string DatasetName { get; init; }

    /// <summary>Users in the dataset.</summary>
    public required int Users { get; init; }

    /// <summary>The too-short rule: users with fewer interactions than this are dropped (or make the split throw).</summary>
    public required int MinInteractions { get; init; }

    /// <summary>Ids of the users dropped as too short, ascending (empty under <see cref="TooShortUserPolicy.Throw"/>).</summary>
    public required IReadOnlyList<int> DroppedUsers { get; init; }

    /// <summary>Users not dropped who still got no training example (leave-one-out: exactly 3 interactions;
    /// time-ratio: fewer than 2 interactions in the training period, e.g. all of them in the test period).</summary>
    public required int UsersWithoutTrainExample { get; init; }

    /// <summary>Training examples.</summary>
    public required int TrainExamples { get; init; }

    /// <summary>Validation examples.</summary>
    public required int ValidExamples { get; init; }

    /// <summary>Test examples.</summary>
    public required int TestExamples { get; init; }

    /// <summary>Interactions of the kept users in the training part (those training examples may cover).</summary>
    public required int TrainInteractions { get; init; }

    /// <summary>Interactions of the kept users in the validation part.</summary>
    public required int ValidInteractions { get; init; }

    /// <summary>Interactions of the kept users in the test part.</summary>
    public required int TestInteractions { get; init; }

    /// <summary>Validation or test interactions that are their user's first, so have no history and give no example (time-ratio; 0 for leave-one-out).</summary>
    public int TargetsWithoutHistory { get; init; }

    /// <summary>Time-ratio: the first timestamp of the validation period (interactions at or after it, before
    /// <see cref="TestStartTime"/>, are validation); positive infinity when the period is empty; null for leave-one-out.</summary>
    public double? ValidStartTime { get; init; }

    /// <summary>Time-ratio: the first timestamp of the test period; null for leave-one-out.</summary>
    public double? TestStartTime { get; init; }

    /// <summary>The report as text: a summary line and one line per part.</summary>
    /// <returns>Multi-line text, no trailing newline.</returns>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"{Method} split of '{DatasetName}': {Users - DroppedUsers.Count:N0} of {Users:N0} users used, ")
          .Append(c, $"{DroppedUsers.Count:N0} dropped as too short (< {MinInteractions} interactions), ")
          .Append(c, $"{UsersWithoutTrainExample:N0} without a training example");
        if (ValidStartTime is double vs && TestStartTime is double ts)
        {
            sb.AppendLine().Append(c, $"valid period from t = {vs:R}, test period from t = {ts:R}; {TargetsWithoutHistory:N0} targets without history");
        }

        string[][] rows =
        [
            ["part", "examples", "interactions"],
            ["train", TrainExamples.ToString("N0", c), TrainInteractions.ToString("N0", c)],
            ["valid", ValidExamples.ToString("N0", c), ValidInteractions.ToString("N0", c)],
            ["test", TestExamples.ToString("N0", c), TestInteractions.ToString("N0", c)],
        ];
        int w1 = rows.Max(r => r[1].Length), w2 = rows.Max(r => r[2].Length);
        foreach (var row in rows)
        {
            sb.AppendLine().Append(row[0].PadRight(5)).Append("  ").Append(row[1].PadLeft(w1)).Append("  ").Append(row[2].PadLeft(w2));
        }

        return sb.ToString();
    }
}
