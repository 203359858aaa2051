namespace ParamGen.Data;

/// <summary>
/// The distinct items of every user of a dataset, sorted (CSR layout: 4 bytes per distinct user-item pair plus
/// 4 per user), for membership tests by binary search when samplers exclude a user's history.
/// </summary>
internal sealed class UserItemSets
{
    private readonly int[] _offsets;
    private readonly int[] _items;

    /// <summary>Collects and sorts the distinct items of each user of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The dataset.</param>
    public UserItemSets(InteractionDataset dataset)
    {
        var source = dataset.UserOffsets;
        var items = dataset.ItemColumn.ToArray();
        var offsets = new int[source.Length];
        int write = 0;
        for (int u = 1; u < source.Length - 1; u++)
        {
            offsets[u] = write;
            var run = items.AsSpan(source[u], source[u + 1] - source[u]);
            run.Sort();

            // Deduplicate in place: the write position never passes the read position.
            int previous = 0;
            for (int i = 0; i < run.Length; i++)
            {
                int item = run[i];
                if (item != previous)
                {
                    items[write++] = item;
                    previous = item;
                }
            }
        }

        offsets[^1] = write;
        if (write < items.Length)
        {
            Array.Resize(ref items, write);
        }

        _offsets = offsets;
        _items = items;
    }

    /// <summary>The sorted distinct items of a user (the caller has checked the id).</summary>
    /// <param name="user">A user id in [1, NumUsers].</param>
    /// <returns>Item ids, ascending, without repeats.</returns>
    public ReadOnlySpan<int> Of(int user) => _items.AsSpan(_offsets[user], _offsets[user + 1] - _offsets[user]);
}
