using System.Globalization;
using ParamGen.Tensors.Random;

namespace ParamGen.Data;

/// <summary>
/// Generates interaction data with planted structure (see <see cref="SyntheticOptions"/> for the law): items in
/// latent clusters and sub-clusters (ground-truth semantic ids) with categories that mostly follow the clusters,
/// users in domains whose transition dynamics, popularity skew and lengths differ, and a built-in
/// accuracy/diversity tension (the most predictable next item usually shares the last item's category).
/// </summary>
/// <remarks>
/// Deterministic: the result depends only on the options (no threads, no clock). Each user draws from their own
/// random stream derived from the seed and the user's index, so user u's sequence does not depend on how many
/// users there are, and switching ratings on changes no sequence.
/// </remarks>
public static class SyntheticDataGenerator
{
    private const double RatingBase = 3.6, ItemQualityStd = 0.6, UserBiasStd = 0.4, RatingNoiseStd = 0.8;

    /// <summary>Generates a dataset and its ground truth.</summary>
    /// <param name="options">What to plant; null means the defaults (3,000 users, 600 items, 3 domains).</param>
    /// <returns>The dataset, ground truth and realised statistics.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range.</exception>
    /// <exception cref="ArgumentException">Options are inconsistent (e.g. too few items for the groups).</exception>
    public static SyntheticDataset Generate(SyntheticOptions? options = null)
    {
        options ??= new SyntheticOptions();
        options.Validate();
        var structure = SyntheticStructure.Create(options);

        int numUsers = options.Users;
        var offsets = new int[numUsers + 2];
        var items = new List<int>(numUsers * 16);
        var times = new List<double>(numUsers * 16);
        var domains = new List<int>(numUsers * 16);
        var tiers = new int[numUsers + 1];
        var userShares = options.Domains.Select(d => d.UserShare).ToArray();
        var lengthTables = options.Domains.Select(d => LengthTable(options.MinLength, options.MaxLength, d.MeanLength)).ToArray();
        for (int u = 1; u <= numUsers; u++)
        {
            var g = SeedStreams.Create(options.Seed, SeedStreams.Sequence, (ulong)u);
            int d = SampleIndex(userShares, g);
            tiers[u] = 1 + g.NextInt(options.SubClusters);
            int length = options.MinLength + SampleIndex(lengthTables[d], g);
            double t = options.StartTimestamp + Math.Floor(g.NextDouble() * options.StartWindowSeconds);
            int item = structure.SampleFirst(d, tiers[u], g);
            for (int k = 0; k < length; k++)
            {
                if (k > 0)
                {
                    item = structure.SampleNext(d, item, tiers[u], g);
                    t += 1 + Math.Floor(-Math.Log(1 - g.NextDouble()) * options.MeanGapSeconds);
                }

                items.Add(item);
                times.Add(t);
                domains.Add(d);
            }

            offsets[u + 1] = items.Count;
        }

        var ratings = options.IncludeRatings ? SampleRatings(options, structure.NumItems, offsets, items) : null;
        var categories = new Vocabulary("category", Enumerable.Range(1, options.Categories).Select(k => "cat" + k.ToString(CultureInfo.InvariantCulture)));
        var dataset = new InteractionDataset(
            options.Name,
            new Vocabulary("user", Enumerable.Range(1, numUsers).Select(u => "u" + u.ToString(CultureInfo.InvariantCulture))),
            new Vocabulary("item", Enumerable.Range(1, options.Items).Select(i => "i" + i.ToString(CultureInfo.InvariantCulture))),
            offsets,
            [.. items],
            [.. times],
            ratings,
            [.. domains],
            [.. options.Domains.Select(d => d.Name)],
            ItemFeatures.FromSingleCategory(categories, structure.ItemCategory));
        var statistics = SyntheticStatisticsCalculator.Compute(dataset, structure, tiers);
        return new SyntheticDataset(options, dataset, structure, tiers, statistics);
    }

    /// <summary>An index drawn in proportion to non-negative weights (with a positive sum).</summary>
    private static int SampleIndex(double[] weights, Generator g)
    {
        double total = 0;
        foreach (double w in weights)
        {
            total += w;
        }

        double x = g.NextDouble() * total;
        for (int i = 0; i < weights.Length - 1; i++)
        {
            x -= weights[i];
            if (x < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    /// <summary>
    /// Weights of lengths MinLength + k, k = 0 .. MaxLength - MinLength: a truncated geometric law
    /// <c>P(k) ~ r^k</c> whose ratio r is solved (by bisection on log r) so that the mean length is
    /// <paramref name="mean"/>; r above 1 serves means above the middle of the range.
    /// </summary>
    private static double[] LengthTable(int minLength, int maxLength, double mean)
    {
        int span = maxLength - minLength;
        var weights = new double[span + 1];
        double target = mean - minLength;
        if (span == 0 || target <= 0 || target >= span)
        {
            weights[target >= span ? span : 0] = 1;
            return weights;
        }

        double lo = -60, hi = 60;
        for (int iteration = 0; iteration < 200; iteration++)
        {
            double mid = 0.5 * (lo + hi);
            if (TruncatedGeometricMean(mid, span, weights) < target)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        TruncatedGeometricMean(0.5 * (lo + hi), span, weights);
        return weights;
    }

    /// <summary>Fills weights r^k (scaled to a maximum of 1, r = e^logRatio) and returns their mean k.</summary>
    private static double TruncatedGeometricMean(double logRatio, int span, double[] weights)
    {
        double top = logRatio > 0 ? logRatio * span : 0, total = 0, moment = 0;
        for (int k = 0; k <= span; k++)
        {
            weights[k] = Math.Exp((logRatio * k) - top);
            total += weights[k];
            moment += k * weights[k];
        }

        return moment / total;
    }

    /// <summary>Ratings 1..5 from item quality, user bias and noise, on the rating streams only.</summary>
    private static float[] SampleRatings(SyntheticOptions options, int numItems, int[] offsets, List<int> items)
    {
        var itemStream = SeedStreams.Create(options.Seed, SeedStreams.Rating);
        var quality = new double[numItems + 1];
        for (int i = 1; i <= numItems; i++)
        {
            quality[i] = ItemQualityStd * itemStream.NextNormal();
        }

        var ratings = new float[items.Count];
        for (int u = 1; u < offsets.Length - 1; u++)
        {
            var g = SeedStreams.Create(options.Seed, SeedStreams.Rating, (ulong)u);
            double bias = UserBiasStd * g.NextNormal();
            for (int r = offsets[u]; r < offsets[u + 1]; r++)
            {
                double value = RatingBase + quality[items[r]] + bias + (RatingNoiseStd * g.NextNormal());
                ratings[r] = (float)Math.Clamp(Math.Round(value), 1, 5);
            }
        }

        return ratings;
    }
}
