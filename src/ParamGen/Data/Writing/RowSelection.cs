namespace ParamGen.Data;

/// <summary>The rows a writer writes: all, or one domain's; with the namespace prefixes to strip from tokens.</summary>
internal sealed class RowSelection
{
    private readonly InteractionDataset _dataset;

    /// <param name="dataset">The dataset.</param>
    /// <param name="domain">The domain whose rows are written, or -1 for all rows.</param>
    /// <param name="userPrefix">Prefix stripped from user tokens, or null.</param>
    /// <param name="itemPrefix">Prefix stripped from item tokens, or null.</param>
    public RowSelection(InteractionDataset dataset, int domain, string? userPrefix, string? itemPrefix)
    {
        _dataset = dataset;
        Domain = domain;
        UserPrefix = userPrefix;
        ItemPrefix = itemPrefix;
        Count = domain < 0 ? dataset.NumInteractions : CountDomain(dataset.DomainColumn, domain);
    }

    public int Domain { get; }

    public string? UserPrefix { get; }

    public string? ItemPrefix { get; }

    /// <summary>Rows selected.</summary>
    public int Count { get; }

    /// <summary>Users with at least one selected row, in id order.</summary>
    public IEnumerable<int> UserIds()
    {
        for (int u = 1; u <= _dataset.NumUsers; u++)
        {
            if (HasRow(u))
            {
                yield return u;
            }
        }
    }

    /// <summary>Items with at least one selected row, in id order.</summary>
    public IEnumerable<int> ItemIds()
    {
        var seen = new bool[_dataset.Items.Count];
        var items = _dataset.ItemColumn;
        var domains = _dataset.DomainColumn;
        for (int r = 0; r < items.Length; r++)
        {
            if (Domain < 0 || domains[r] == Domain)
            {
                seen[items[r]] = true;
            }
        }

        for (int i = 1; i < seen.Length; i++)
        {
            if (seen[i])
            {
                yield return i;
            }
        }
    }

    private bool HasRow(int user)
    {
        if (Domain < 0)
        {
            return _dataset.SequenceLength(user) > 0;
        }

        return _dataset.GetDomains(user).Contains(Domain);
    }

    private static int CountDomain(ReadOnlySpan<int> domains, int domain)
    {
        int n = 0;
        foreach (int d in domains)
        {
            n += d == domain ? 1 : 0;
        }

        return n;
    }
}
