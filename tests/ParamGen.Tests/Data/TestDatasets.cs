using ParamGen.Data;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.Data;

/// <summary>Datasets for batching and sampling tests.</summary>
internal static class TestDatasets
{
    /// <summary>
    /// Users u1..uN with lengths in [minLength, maxLength] over items i1..iM drawn with a skewed popularity
    /// (item k with weight 1/k), repeats allowed; optionally two domains (items i1..i(M/2) in domain "a").
    /// </summary>
    public static InteractionDataset Generated(int users, int items, int minLength, int maxLength, ulong seed, bool domains = false)
    {
        var g = new Generator(seed);
        var cumulative = new double[items];
        double total = 0;
        for (int k = 0; k < items; k++)
        {
            total += 1.0 / (k + 1);
            cumulative[k] = total;
        }

        var b = new InteractionDatasetBuilder("generated", hasDomains: domains);
        for (int k = 1; k <= items; k++)
        {
            b.ItemId($"i{k}");
        }

        for (int u = 1; u <= users; u++)
        {
            int length = minLength + g.NextInt(maxLength - minLength + 1);
            for (int t = 0; t < length; t++)
            {
                int index = Array.BinarySearch(cumulative, g.NextDouble() * total);
                int k = (index >= 0 ? index : ~index) + 1;
                k = Math.Min(k, items);
                b.Add($"u{u}", $"i{k}", domain: domains ? (k <= items / 2 ? "a" : "b") : default);
            }
        }

        return b.Build();
    }

    /// <summary>A dataset from token sequences, one per user, e.g. <c>("u1", "a b c")</c>.</summary>
    public static InteractionDataset FromSequences(params (string User, string Items)[] sequences)
    {
        var b = new InteractionDatasetBuilder("hand-made");
        foreach (var (user, items) in sequences)
        {
            foreach (var item in items.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                b.Add(user, item);
            }
        }

        return b.Build();
    }
}
