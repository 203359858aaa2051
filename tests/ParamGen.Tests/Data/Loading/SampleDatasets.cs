using ParamGen.Data;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.Data.Loading;

/// <summary>Small deterministic datasets for round trips, built from rows added in shuffled order.</summary>
internal static class SampleDatasets
{
    /// <summary>
    /// 12 users, 20 items, about 80 interactions; distinct fractional timestamps; ratings like 3.7; optional domains
    /// <c>books</c>/<c>toys</c> (tokens prefixed <c>books/</c>, <c>toys/</c> when <paramref name="namespaced"/>).
    /// </summary>
    public static InteractionDataset Build(bool timestamps, bool ratings, bool domains, bool namespaced = false, string[]? oddUsers = null, ulong seed = 7)
    {
        var g = new Generator(seed);
        var b = new InteractionDatasetBuilder("sample", timestamps, ratings, domains);
        var users = Enumerable.Range(1, 12).Select(u => $"u{u}").Concat(oddUsers ?? []).ToArray();
        int step = 0;
        foreach (var user in users.OrderBy(_ => g.NextInt(1000)))
        {
            int n = 3 + g.NextInt(7);
            int domain = domains ? g.NextInt(2) : 0;
            for (int k = 0; k < n; k++)
            {
                string d = domain == 0 ? "books" : "toys";
                string prefix = namespaced ? d + "/" : string.Empty;
                string item = $"{prefix}i{1 + g.NextInt(20)}";
                double time = 1_000_000_000 + (step++ * 7919 % 10007) + 0.25;
                float rating = (1 + g.NextInt(50)) / 10f;
                b.Add(prefix + user, item, time, rating, d);
            }
        }

        return b.Build();
    }

    /// <summary>A dataset with item features: two categories for some items, titles with commas and quotes for some.</summary>
    public static InteractionDataset WithFeatures(InteractionDataset dataset)
    {
        var categories = new Vocabulary("category", ["Drama", "Comedy", "Sci-Fi"]);
        var offsets = new int[dataset.Items.Count + 1];
        var ids = new List<int>();
        var titles = new string?[dataset.Items.Count];
        for (int i = 1; i < dataset.Items.Count; i++)
        {
            if (i % 3 != 0)
            {
                ids.Add(1 + (i % 3));
            }

            if (i % 4 == 1)
            {
                ids.Add(3);
            }

            offsets[i + 1] = ids.Count;
            titles[i] = i % 5 == 0 ? null : $"Title {i}, \"The\" ({1990 + i})";
        }

        return dataset.WithItemFeatures(new ItemFeatures(categories, offsets, [.. ids], titles));
    }
}
