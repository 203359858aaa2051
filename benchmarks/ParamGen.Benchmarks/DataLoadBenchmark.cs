using System.Diagnostics;
using System.Globalization;
using System.Text;
using ParamGen.Data;
using ParamGen.Tensors.Random;

namespace ParamGen.Benchmarks;

/// <summary>
/// <c>-- dataload [--lines N] [--datasets DIR]</c>: writes synthetic interaction files of N lines (default 1M) to a
/// temp folder (ratings CSV with user,item,rating,timestamp; pairs; one line per user), loads each with
/// <see cref="DatasetLoader"/> and prints the load time and the managed bytes per interaction held after the load
/// (GC.GetTotalMemory(true) delta with the dataset alive), and the bytes allocated during the load (transient
/// columns included). Targets: at most 2 s and 40 B per interaction.
/// With <c>--datasets</c>, also loads Beauty.txt and ml-latest-small (ratings.csv + movies.csv) from that folder
/// and prints their counts.
/// </summary>
internal static class DataLoadBenchmark
{
    private const int ItemsPerUser = 50;

    public static int Run(string[] args)
    {
        int lines = IntOption(args, "--lines", 1_000_000);
        string? datasets = Option(args, "--datasets");
        string dir = Path.Combine(Path.GetTempPath(), $"paramgen-dataload-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            var sw = Stopwatch.StartNew();
            var files = WriteSyntheticFiles(dir, lines);
            Console.WriteLine($"wrote {files.Count} synthetic files of {lines:N0} interactions in {sw.Elapsed.TotalSeconds:F1} s ({Environment.ProcessorCount} cores, .NET {Environment.Version})");
            Console.WriteLine($"{"file",-16} {"MB",6} {"first s",8} {"second s",9} {"B/interaction",14} {"alloc B/int.",12}  dataset");
            foreach (var file in files)
            {
                Measure(file);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        if (datasets is not null)
        {
            LoadReal(datasets);
        }

        return 0;
    }

    private static void Measure(string path)
    {
        // The first load includes JIT compilation; the second is the steady-state figure.
        double first = Time(path, out _);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        double second = Time(path, out var dataset);
        double allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)dataset.NumInteractions;
        long after = GC.GetTotalMemory(forceFullCollection: true);
        double perInteraction = (after - before) / (double)dataset.NumInteractions;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(path),-16} {new FileInfo(path).Length / 1e6,6:F1} {first,8:F2} {second,9:F2} {perInteraction,14:F1} {allocated,12:F1}  {dataset}"));
        GC.KeepAlive(dataset);
    }

    private static double Time(string path, out InteractionDataset dataset)
    {
        var sw = Stopwatch.StartNew();
        dataset = DatasetLoader.Load(path);
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Users with 50 interactions each over 20k items drawn with a skewed popularity, MovieLens-like rows (user-grouped, not time-sorted).</summary>
    private static List<string> WriteSyntheticFiles(string dir, int lines)
    {
        var g = new Generator(2024);
        int users = Math.Max(1, lines / ItemsPerUser);
        const int items = 20_000;
        var csv = Path.Combine(dir, "ratings.csv");
        var pairs = Path.Combine(dir, "pairs.txt");
        var seqs = Path.Combine(dir, "sequences.txt");
        var utf8 = new UTF8Encoding(false);
        using (var c = new StreamWriter(csv, false, utf8, 1 << 16))
        using (var p = new StreamWriter(pairs, false, utf8, 1 << 16))
        using (var s = new StreamWriter(seqs, false, utf8, 1 << 16))
        {
            c.Write("userId,movieId,rating,timestamp\n");
            int written = 0;
            for (int u = 1; u <= users && written < lines; u++)
            {
                s.Write(u.ToString(CultureInfo.InvariantCulture));
                long t0 = 1_000_000_000 + g.NextInt(100_000_000);
                for (int k = 0; k < ItemsPerUser && written < lines; k++, written++)
                {
                    double x = g.NextDouble();
                    int item = 1 + (int)(items * x * x * x);
                    string token = item.ToString(CultureInfo.InvariantCulture);
                    float rating = 0.5f * (1 + g.NextInt(10));
                    long time = t0 + g.NextInt(10_000_000);
                    c.Write(string.Create(CultureInfo.InvariantCulture, $"{u},{token},{rating:0.0},{time}\n"));
                    p.Write(string.Create(CultureInfo.InvariantCulture, $"{u} {token}\n"));
                    s.Write(' ');
                    s.Write(token);
                }

                s.Write('\n');
            }
        }

        return [csv, pairs, seqs];
    }

    private static void LoadReal(string dir)
    {
        string beauty = Path.Combine(dir, "Beauty.txt");
        if (File.Exists(beauty))
        {
            var sw = Stopwatch.StartNew();
            var result = DatasetLoader.LoadWithReport(beauty);
            Console.WriteLine($"\nBeauty.txt loaded in {sw.Elapsed.TotalSeconds:F2} s:\n{result.Report}");
        }

        string toys = Path.Combine(dir, "Toys_and_Games.txt");
        if (File.Exists(beauty) && File.Exists(toys))
        {
            var result = DatasetLoader.LoadDomainsWithReport([DomainSource.FromPath(beauty), DomainSource.FromPath(toys)]);
            Console.WriteLine($"Beauty + Toys_and_Games as domains:\n{result.Report}");
        }

        string ratings = Path.Combine(dir, "ml-latest-small", "ratings.csv");
        if (File.Exists(ratings))
        {
            var sw = Stopwatch.StartNew();
            var result = DatasetLoader.LoadWithReport(ratings, new DataLoadOptions { ItemFilePath = Path.Combine(dir, "ml-latest-small", "movies.csv") });
            var ds = result.Dataset;
            int withGenres = Enumerable.Range(1, ds.NumItems).Count(i => !ds.ItemFeatures!.CategoriesOf(i).IsEmpty);
            Console.WriteLine($"ml-latest-small loaded in {sw.Elapsed.TotalSeconds:F2} s ({ds.ItemFeatures!.Categories.Count - 1} genres, {withGenres:N0} items with genres):\n{result.Report}");
        }
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
