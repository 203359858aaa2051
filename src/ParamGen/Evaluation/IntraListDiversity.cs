using ParamGen.Data;

namespace ParamGen.Evaluation;

/// <summary>
/// Intra-list diversity over item categories: for the first n = min(K, list length) items of a ranked list,
/// <c>Diversity@K = 2 / (n (n - 1)) · Σ_{i &lt; j} dist(item_i, item_j)</c>, the mean distance over pairs (0 when
/// n &lt; 2), averaged over examples. <c>dist(a, b) = 1 - |C_a ∩ C_b| / |C_a ∪ C_b|</c>, the Jaccard distance of
/// the two items' category sets: 0 for the same categories, 1 for disjoint ones (with one category per item, 0 when
/// the categories match and 1 otherwise). Two items without any category are at distance 0 (nothing tells them
/// apart); an item without categories is at distance 1 from one with some.
/// </summary>
public sealed class IntraListDiversity
{
    private readonly ItemFeatures _features;
    private readonly int[]? _single;

    /// <summary>Creates the metric over a dataset's item categories.</summary>
    /// <param name="features">The item features (e.g. <see cref="InteractionDataset.ItemFeatures"/>).</param>
    public IntraListDiversity(ItemFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        _features = features;
        var single = new int[features.NumItems];
        for (int item = 0; item < single.Length; item++)
        {
            var categories = features.CategoriesOf(item);
            if (categories.Length > 1)
            {
                return;
            }

            single[item] = categories.Length == 1 ? categories[0] : 0;
        }

        _single = single;
    }

    /// <summary>The distance between two items' category sets.</summary>
    /// <param name="a">An item id in [0, features.NumItems).</param>
    /// <param name="b">An item id in [0, features.NumItems).</param>
    /// <returns>The Jaccard distance, in [0, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the features.</exception>
    public double Distance(int a, int b)
    {
        if (_single is not null)
        {
            if ((uint)a >= (uint)_single.Length || (uint)b >= (uint)_single.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(a), $"IntraListDiversity: item ids {a} and {b} must lie in [0, {_single.Length}).");
            }

            return _single[a] == _single[b] ? 0.0 : 1.0;
        }

        var ca = _features.CategoriesOf(a);
        var cb = _features.CategoriesOf(b);
        int union = Distinct(ca);
        int common = 0;
        for (int i = 0; i < cb.Length; i++)
        {
            if (cb[..i].Contains(cb[i]))
            {
                continue;
            }

            if (ca.Contains(cb[i]))
            {
                common++;
            }
            else
            {
                union++;
            }
        }

        return union == 0 ? 0.0 : 1.0 - ((double)common / union);
    }

    /// <summary>The diversity of the first <paramref name="k"/> items of one list.</summary>
    /// <param name="list">Item ids, best first.</param>
    /// <param name="k">The cut-off, at least 1.</param>
    /// <returns>The mean pairwise distance, in [0, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1, or an id is outside the features.</exception>
    public double Value(ReadOnlySpan<int> list, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        Span<double> value = stackalloc double[1];
        Prefixes(list, [k], value);
        return value[0];
    }

    /// <summary>
    /// The diversity at several cut-offs of one list in one pass: the pairwise sum of the first n items grows by
    /// the distances of item n to those before it.
    /// </summary>
    /// <param name="list">Item ids, best first.</param>
    /// <param name="ks">Cut-offs in increasing order, each at least 1.</param>
    /// <param name="values">Receives one value per cut-off.</param>
    internal void Prefixes(ReadOnlySpan<int> list, ReadOnlySpan<int> ks, Span<double> values)
    {
        double pairSum = 0;
        int n = 0;
        for (int c = 0; c < ks.Length; c++)
        {
            int target = Math.Min(ks[c], list.Length);
            for (; n < target; n++)
            {
                for (int j = 0; j < n; j++)
                {
                    pairSum += Distance(list[n], list[j]);
                }
            }

            values[c] = n < 2 ? 0.0 : 2.0 * pairSum / ((double)n * (n - 1));
        }
    }

    private static int Distinct(ReadOnlySpan<int> categories)
    {
        int count = 0;
        for (int i = 0; i < categories.Length; i++)
        {
            count += categories[..i].Contains(categories[i]) ? 0 : 1;
        }

        return count;
    }
}
