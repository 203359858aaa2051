using System.Globalization;

namespace ParamGen.Data;

/// <summary>Finds the users too short for a split and applies the <see cref="TooShortUserPolicy"/>.</summary>
internal static class TooShortUserCheck
{
    /// <summary>
    /// The ids of users with fewer than <paramref name="minInteractions"/> interactions, ascending; under
    /// <see cref="TooShortUserPolicy.Throw"/> the first of them (if any) raises an exception instead.
    /// </summary>
    /// <param name="dataset">The dataset being split.</param>
    /// <param name="minInteractions">The shortest sequence the split can use.</param>
    /// <param name="policy">Drop or throw.</param>
    /// <param name="split">The split's name for the message, e.g. <c>LeaveOneOutSplit</c>.</param>
    /// <param name="why">What the interactions are needed for, e.g. <c>a training input, a validation target and a test target</c>.</param>
    /// <returns>Ids of the users to drop.</returns>
    /// <exception cref="ArgumentException">Policy Throw and a user is too short.</exception>
    public static int[] Find(InteractionDataset dataset, int minInteractions, TooShortUserPolicy policy, string split, string why)
    {
        var offsets = dataset.UserOffsets;
        var tooShort = new List<int>();
        for (int u = 1; u <= dataset.NumUsers; u++)
        {
            if (offsets[u + 1] - offsets[u] < minInteractions)
            {
                tooShort.Add(u);
            }
        }

        if (policy == TooShortUserPolicy.Throw && tooShort.Count > 0)
        {
            int u = tooShort[0];
            int n = offsets[u + 1] - offsets[u];
            string more = tooShort.Count > 1 ? $" ({tooShort.Count - 1:N0} more users are also too short)" : "";
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{split} on '{dataset.Name}': user '{dataset.Users.GetToken(u)}' has {n} interaction{(n == 1 ? "" : "s")}, but the split needs at least {minInteractions} per user ({why}){more}. Filter short users first (FilterOptions.MinSequenceLength = {minInteractions}) or set TooShortUsers = Drop."),
                nameof(dataset));
        }

        return [.. tooShort];
    }
}
