namespace ParamGen.Data;

/// <summary>Per-item sampling weights <c>count^alpha</c> from a dataset's interaction counts.</summary>
internal static class ItemPopularity
{
    /// <summary>
    /// The weight of each item id, <c>[NumItems + 1]</c> (index 0, padding, is 0): its number of interactions in
    /// the dataset raised to <paramref name="alpha"/>; with alpha 0 every item weighs 1, even one with no interactions.
    /// </summary>
    public static double[] Weights(InteractionDataset dataset, double alpha)
    {
        var counts = new int[dataset.NumItems + 1];
        foreach (int item in dataset.ItemColumn)
        {
            counts[item]++;
        }

        var weights = new double[counts.Length];
        for (int i = 1; i < counts.Length; i++)
        {
            weights[i] = alpha == 0 ? 1.0 : Math.Pow(counts[i], alpha);
        }

        return weights;
    }

    /// <summary>Throws unless alpha is finite and non-negative.</summary>
    public static void CheckAlpha(string owner, double alpha)
    {
        if (!(alpha >= 0) || double.IsInfinity(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"{owner}: alpha = {alpha} is invalid: it must be finite and non-negative (0 = uniform, 1 = proportional to popularity).");
        }
    }

    /// <summary>
    /// For each user, how many items outside the user's history have a positive weight, <c>[NumUsers + 1]</c>.
    /// </summary>
    public static int[] AvailablePerUser(InteractionDataset dataset, UserItemSets history, double[] weights)
    {
        int positive = 0;
        for (int i = 1; i < weights.Length; i++)
        {
            positive += weights[i] > 0 ? 1 : 0;
        }

        var available = new int[dataset.NumUsers + 1];
        for (int u = 1; u <= dataset.NumUsers; u++)
        {
            int seen = 0;
            foreach (int item in history.Of(u))
            {
                seen += weights[item] > 0 ? 1 : 0;
            }

            available[u] = positive - seen;
        }

        return available;
    }
}
