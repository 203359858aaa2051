using System.Runtime.InteropServices;

namespace ParamGen.Data;

public sealed partial class InteractionDataset
{
    /// <summary>
    /// A new dataset holding only the rows marked in <paramref name="keepRows"/>, with ids compacted: users and
    /// items left without rows are dropped, and the survivors are renumbered 1, 2, ... in their old relative
    /// order (tokens are kept). Timestamps, ratings, domain ids and item features (re-indexed) come along.
    /// </summary>
    /// <remarks>
    /// <para>Each user's kept rows stay in their time order. Domain names and the category vocabulary are not
    /// compacted, so domain and category ids keep their meaning even when one of them loses all its rows.</para>
    /// <para>When every row is kept the dataset itself is returned (instances are immutable).</para>
    /// </remarks>
    /// <param name="keepRows"><c>[NumInteractions]</c>: whether to keep each row of <see cref="ItemColumn"/>.</param>
    /// <returns>The compacted dataset; it may have no interactions when no row is kept.</returns>
    /// <exception cref="ArgumentException">The mask's length is not <see cref="NumInteractions"/>.</exception>
    public InteractionDataset Subset(ReadOnlySpan<bool> keepRows)
    {
        if (keepRows.Length != _items.Length)
        {
            throw new ArgumentException($"InteractionDataset '{Name}': the row mask has {keepRows.Length} entries but there are {_items.Length} interactions.", nameof(keepRows));
        }

        if (!keepRows.Contains(false))
        {
            return this;
        }

        int numUserIds = Users.Count, numItemIds = Items.Count;
        var keptPerUser = new int[numUserIds];
        var keptPerItem = new int[numItemIds];
        int kept = 0;
        for (int u = 1; u < numUserIds; u++)
        {
            for (int r = _userOffsets[u]; r < _userOffsets[u + 1]; r++)
            {
                if (keepRows[r])
                {
                    keptPerUser[u]++;
                    keptPerItem[_items[r]]++;
                    kept++;
                }
            }
        }

        var keptUsers = new List<int>(numUserIds);
        var offsets = new List<int>(numUserIds + 1) { 0, 0 };
        for (int u = 1; u < numUserIds; u++)
        {
            if (keptPerUser[u] > 0)
            {
                keptUsers.Add(u);
                offsets.Add(offsets[^1] + keptPerUser[u]);
            }
        }

        // keptPerItem becomes the old -> new item id map (0 for dropped items).
        var keptItems = new List<int>(numItemIds);
        for (int i = 1; i < numItemIds; i++)
        {
            if (keptPerItem[i] > 0)
            {
                keptItems.Add(i);
                keptPerItem[i] = keptItems.Count;
            }
        }

        var itemMap = keptPerItem;
        var items = new int[kept];
        var timestamps = _timestamps is null ? null : new double[kept];
        var ratings = _ratings is null ? null : new float[kept];
        var domains = _domains is null ? null : new int[kept];
        int w = 0;
        for (int r = 0; r < _items.Length; r++)
        {
            if (!keepRows[r])
            {
                continue;
            }

            items[w] = itemMap[_items[r]];
            if (timestamps is not null)
            {
                timestamps[w] = _timestamps![r];
            }

            if (ratings is not null)
            {
                ratings[w] = _ratings![r];
            }

            if (domains is not null)
            {
                domains[w] = _domains![r];
            }

            w++;
        }

        var itemIds = CollectionsMarshal.AsSpan(keptItems);
        return new InteractionDataset(Name, Users.Select(CollectionsMarshal.AsSpan(keptUsers)),
            Items.Select(itemIds), [.. offsets], items, timestamps, ratings, domains,
            HasDomains ? DomainNames : null, ItemFeatures is null ? null : SelectItemFeatures(ItemFeatures, itemIds));
    }

    /// <summary>
    /// A new dataset holding only the rows for which <paramref name="keepRow"/> returns true, compacted as in
    /// <see cref="Subset(ReadOnlySpan{bool})"/>.
    /// </summary>
    /// <param name="keepRow">Called once per row, in row order, with the user id and the row index into <see cref="ItemColumn"/>.</param>
    /// <returns>The compacted dataset (this dataset when every row is kept).</returns>
    public InteractionDataset Subset(Func<int, int, bool> keepRow)
    {
        ArgumentNullException.ThrowIfNull(keepRow);
        var mask = new bool[_items.Length];
        for (int u = 1; u <= NumUsers; u++)
        {
            for (int r = _userOffsets[u]; r < _userOffsets[u + 1]; r++)
            {
                mask[r] = keepRow(u, r);
            }
        }

        return Subset(mask);
    }

    /// <summary>The features of the given old item ids, which become ids 1, 2, ...; the category vocabulary is shared.</summary>
    private static ItemFeatures SelectItemFeatures(ItemFeatures features, ReadOnlySpan<int> keptItems)
    {
        var offsets = new int[keptItems.Length + 2];
        int total = 0;
        for (int k = 0; k < keptItems.Length; k++)
        {
            total += features.CategoriesOf(keptItems[k]).Length;
            offsets[k + 2] = total;
        }

        var categories = new int[total];
        var titles = features.HasTitles ? new string?[keptItems.Length + 1] : null;
        for (int k = 0; k < keptItems.Length; k++)
        {
            features.CategoriesOf(keptItems[k]).CopyTo(categories.AsSpan(offsets[k + 1]));
            if (titles is not null)
            {
                titles[k + 1] = features.TitleOf(keptItems[k]);
            }
        }

        return new ItemFeatures(features.Categories, offsets, categories, titles);
    }
}
