namespace ParamGen.Data;

/// <summary>
/// Side features of items, indexed by a dataset's item ids: zero or more categories (genres) per item, stored
/// compactly, and an optional title.
/// </summary>
public sealed class ItemFeatures
{
    private readonly int[] _offsets;
    private readonly int[] _categories;
    private readonly string?[]? _titles;

    /// <summary>Creates features from per-item category lists.</summary>
    /// <param name="categories">Category tokens and ids (0 = padding, never assigned).</param>
    /// <param name="offsets"><c>[NumItems + 1]</c>: item i's categories are <c>categoryIds[offsets[i] .. offsets[i + 1]]</c>; index = item id (row 0 = padding).</param>
    /// <param name="categoryIds">Category ids in [1, categories.Count).</param>
    /// <param name="titles">Titles by item id, or null.</param>
    /// <exception cref="ArgumentException">Offsets or ids do not fit.</exception>
    public ItemFeatures(Vocabulary categories, int[] offsets, int[] categoryIds, string?[]? titles = null)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(categoryIds);
        if (offsets.Length == 0 || offsets[0] != 0 || offsets[^1] != categoryIds.Length)
        {
            throw new ArgumentException($"ItemFeatures: offsets must run from 0 to {categoryIds.Length}.", nameof(offsets));
        }

        for (int i = 1; i < offsets.Length; i++)
        {
            if (offsets[i] < offsets[i - 1])
            {
                throw new ArgumentException($"ItemFeatures: offsets decrease at item {i - 1}.", nameof(offsets));
            }
        }

        foreach (int c in categoryIds)
        {
            if ((uint)(c - 1) >= (uint)(categories.Count - 1))
            {
                throw new ArgumentException($"ItemFeatures: category id {c} is outside [1, {categories.Count}).", nameof(categoryIds));
            }
        }

        if (titles is not null && titles.Length != offsets.Length - 1)
        {
            throw new ArgumentException($"ItemFeatures: {titles.Length} titles for {offsets.Length - 1} item ids.", nameof(titles));
        }

        Categories = categories;
        _offsets = offsets;
        _categories = categoryIds;
        _titles = titles;
    }

    /// <summary>Category tokens and ids.</summary>
    public Vocabulary Categories { get; }

    /// <summary>Number of item ids covered, padding included (equals the item vocabulary's <c>Count</c>).</summary>
    public int NumItems => _offsets.Length - 1;

    /// <summary>Whether titles are present.</summary>
    public bool HasTitles => _titles is not null;

    /// <summary>The categories of an item (empty when it has none).</summary>
    /// <param name="item">An item id in [0, NumItems).</param>
    /// <returns>Category ids.</returns>
    public ReadOnlySpan<int> CategoriesOf(int item)
    {
        CheckItem(item);
        return _categories.AsSpan(_offsets[item], _offsets[item + 1] - _offsets[item]);
    }

    /// <summary>The first category of an item, or 0 when it has none.</summary>
    /// <param name="item">An item id in [0, NumItems).</param>
    /// <returns>A category id, 0 meaning none.</returns>
    public int PrimaryCategory(int item)
    {
        CheckItem(item);
        return _offsets[item + 1] > _offsets[item] ? _categories[_offsets[item]] : 0;
    }

    /// <summary>The title of an item, or null.</summary>
    /// <param name="item">An item id in [0, NumItems).</param>
    /// <returns>The title when known.</returns>
    public string? TitleOf(int item)
    {
        CheckItem(item);
        return _titles?[item];
    }

    /// <summary>
    /// Features with one category per item, e.g. from a generator's ground truth.
    /// </summary>
    /// <param name="categories">Category vocabulary.</param>
    /// <param name="categoryOfItem"><c>[NumItems]</c> category id per item id, 0 for none (index 0 = padding).</param>
    /// <returns>The features.</returns>
    public static ItemFeatures FromSingleCategory(Vocabulary categories, ReadOnlySpan<int> categoryOfItem)
    {
        ArgumentNullException.ThrowIfNull(categories);
        var offsets = new int[categoryOfItem.Length + 1];
        var ids = new List<int>(categoryOfItem.Length);
        for (int i = 0; i < categoryOfItem.Length; i++)
        {
            if (categoryOfItem[i] != 0)
            {
                ids.Add(categoryOfItem[i]);
            }

            offsets[i + 1] = ids.Count;
        }

        return new ItemFeatures(categories, offsets, [.. ids]);
    }

    private void CheckItem(int item)
    {
        if ((uint)item >= (uint)NumItems)
        {
            throw new ArgumentOutOfRangeException(nameof(item), item, $"ItemFeatures: item id {item} is outside [0, {NumItems}).");
        }
    }
}
