namespace ParamGen.Evaluation;

/// <summary>
/// Catalogue coverage: <c>Coverage@K = |⋃ top-K lists| / NumItems</c>, the share of the catalogue that appears in at
/// least one example's top K. A model that recommends the same popular items to everyone scores near K / NumItems.
/// </summary>
/// <remarks>Add each example's ranked list once (best first, at least as long as the largest K asked for, unless
/// fewer items could be listed); coverage at any smaller K is read from the same lists.</remarks>
public sealed class CatalogueCoverage
{
    private readonly int[] _firstPosition;

    /// <summary>Creates an empty coverage count over items 1 .. <paramref name="numItems"/>.</summary>
    /// <param name="numItems">Catalogue size, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numItems"/> is below 1.</exception>
    public CatalogueCoverage(int numItems)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numItems, 1);
        _firstPosition = new int[numItems + 1];
        Array.Fill(_firstPosition, int.MaxValue);
    }

    /// <summary>Catalogue size (the denominator).</summary>
    public int NumItems => _firstPosition.Length - 1;

    /// <summary>Counts one ranked list.</summary>
    /// <param name="list">Item ids, best first, in [1, NumItems].</param>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the catalogue; nothing is counted.</exception>
    public void Add(ReadOnlySpan<int> list)
    {
        foreach (int item in list)
        {
            if ((uint)(item - 1) >= (uint)NumItems)
            {
                throw new ArgumentOutOfRangeException(nameof(list), item, $"CatalogueCoverage: item id {item} is outside [1, {NumItems}].");
            }
        }

        for (int p = 0; p < list.Length; p++)
        {
            ref int first = ref _firstPosition[list[p]];
            first = Math.Min(first, p);
        }
    }

    /// <summary>The share of items listed within the first <paramref name="k"/> positions of some list.</summary>
    /// <param name="k">The cut-off, at least 1.</param>
    /// <returns>A value in [0, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    public double Value(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        int covered = 0;
        for (int item = 1; item < _firstPosition.Length; item++)
        {
            covered += _firstPosition[item] < k ? 1 : 0;
        }

        return (double)covered / NumItems;
    }
}
