namespace ParamGen.Data;

/// <summary>Argument checks and messages shared by the negative samplers.</summary>
internal static class NegativeSamplerChecks
{
    /// <summary>How many proposals a draw may reject before it switches to exact sampling over the user's complement.</summary>
    public const int MaxRejections = 64;

    /// <summary>Throws unless the user id, count and destination fit.</summary>
    public static void Check(string sampler, InteractionDataset dataset, int user, int count, int destinationLength)
    {
        CheckUser(sampler, dataset, user);
        if (count < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{sampler}: the number of negatives must be non-negative.");
        }

        if (destinationLength < count)
        {
            throw new ArgumentException($"{sampler}: the destination holds {destinationLength} items but {count} negatives were asked for.", "destination");
        }
    }

    /// <summary>Throws unless <paramref name="user"/> is a user id of the dataset.</summary>
    public static void CheckUser(string sampler, InteractionDataset dataset, int user)
    {
        if ((uint)(user - 1) >= (uint)dataset.NumUsers)
        {
            throw new ArgumentOutOfRangeException(nameof(user), user, $"{sampler}: user id {user} is not a user of dataset '{dataset.Name}' (ids 1 .. {dataset.NumUsers}).");
        }
    }

    /// <summary>The exception for a user who has no item left to draw.</summary>
    public static InvalidOperationException NoNegatives(string sampler, InteractionDataset dataset, int user, int historyItems, string detail) =>
        new($"{sampler}: user '{dataset.Users.GetToken(user)}' (id {user}) of dataset '{dataset.Name}' interacted with {historyItems} of the {dataset.NumItems} items{detail}, so no negative item exists for this user. Filter such users out (e.g. a k-core or maximum-length filter) or use a larger catalogue.");

    /// <summary>The <paramref name="k"/>-th (0-based) item id in [1, N] that is not in the sorted set <paramref name="excluded"/>.</summary>
    public static int KthNotIn(ReadOnlySpan<int> excluded, int k)
    {
        int item = k + 1;
        foreach (int x in excluded)
        {
            if (x > item)
            {
                break;
            }

            item++;
        }

        return item;
    }
}
