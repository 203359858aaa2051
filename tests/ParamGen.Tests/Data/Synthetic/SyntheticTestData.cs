using ParamGen.Data;

namespace ParamGen.Tests.Data.Synthetic;

/// <summary>Small, fast synthetic options shared by the synthetic-data tests, and one cached dataset.</summary>
internal static class SyntheticTestData
{
    /// <summary>600 users, 180 items in 12 clusters x 3 sub-clusters, 6 categories, 3 domains.</summary>
    public static SyntheticOptions Small(ulong seed = 7) => new()
    {
        Seed = seed,
        Users = 600,
        Items = 180,
        Clusters = 12,
        SubClusters = 3,
        Categories = 6,
        MinLength = 4,
        MaxLength = 30,
        Domains =
        [
            new("a") { WithinClusterShare = 0.85, ZipfExponent = 1.2, MeanLength = 10 },
            new("b") { WithinClusterShare = 0.6, ZipfExponent = 0.6, MeanLength = 14 },
            new("c") { WithinClusterShare = 0.4, ZipfExponent = 0.1, MeanLength = 18 },
        ],
    };

    private static readonly Lazy<SyntheticDataset> Cached = new(() => SyntheticDataGenerator.Generate(Small()));

    /// <summary>The dataset of <see cref="Small"/> with the default seed, generated once.</summary>
    public static SyntheticDataset Dataset => Cached.Value;

    /// <summary>A fresh directory under the temp path; delete it with <see cref="Directory.Delete(string, bool)"/>.</summary>
    public static string TempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "paramgen-synthetic-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
