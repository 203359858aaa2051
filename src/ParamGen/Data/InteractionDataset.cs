namespace ParamGen.Data;

/// <summary>
/// A table of user-item interactions, stored by column and grouped by user: each user's interactions are one
/// contiguous, time-ordered run, so a user's sequence is a slice, not a copy.
/// </summary>
/// <remarks>
/// <para>Ids are dense: users 1 .. <c>NumUsers</c>, items 1 .. <c>NumItems</c>, with 0 reserved for padding
/// (see <see cref="Vocabulary"/>). Domains are 0 .. <c>NumDomains - 1</c>; a dataset without a domain column has
/// the single domain <see cref="DefaultDomainName"/>.</para>
/// <para>Memory per interaction: 4 bytes (item) plus 8 (timestamp), 4 (rating) and 4 (domain) for each
/// optional column present, plus the vocabularies and 4 bytes per user. Instances are immutable; filters and
/// splits return new objects.</para>
/// <para>Within a user, interactions are ordered by timestamp when there is one, ties (and files without
/// timestamps) keeping file order.</para>
/// </remarks>
public sealed partial class InteractionDataset
{
    /// <summary>The name of the only domain of a dataset that has no domain column: <c>all</c>.</summary>
    public const string DefaultDomainName = "all";

    private readonly int[] _items;
    private readonly int[] _userOffsets;
    private readonly double[]? _timestamps;
    private readonly float[]? _ratings;
    private readonly int[]? _domains;
    private readonly int[] _itemDomains;

    /// <summary>
    /// Creates a dataset from columns already grouped by user (use <see cref="InteractionDatasetBuilder"/> to
    /// build one from rows in any order). The arrays are taken, not copied.
    /// </summary>
    /// <param name="name">A name for messages and reports (e.g. the file name).</param>
    /// <param name="users">User vocabulary; <c>users.Count - 1</c> users.</param>
    /// <param name="items">Item vocabulary.</param>
    /// <param name="userOffsets">
    /// <c>[NumUsers + 2]</c>: the interactions of user u are rows <c>userOffsets[u] .. userOffsets[u + 1]</c>;
    /// <c>userOffsets[0] = userOffsets[1] = 0</c> (padding user 0 has none).
    /// </param>
    /// <param name="itemIds"><c>[N]</c> item ids in [1, items.Count).</param>
    /// <param name="timestamps"><c>[N]</c> timestamps, or null when the data has none.</param>
    /// <param name="ratings"><c>[N]</c> ratings, or null.</param>
    /// <param name="domainIds"><c>[N]</c> domain ids in [0, domainNames.Count), or null for a single domain.</param>
    /// <param name="domainNames">Domain names; null or empty means the single domain <see cref="DefaultDomainName"/>.</param>
    /// <param name="itemFeatures">Item side features, or null.</param>
    /// <exception cref="ArgumentException">A column's length or an id does not fit; the message names the column.</exception>
    public InteractionDataset(string name, Vocabulary users, Vocabulary items, int[] userOffsets, int[] itemIds,
        double[]? timestamps = null, float[]? ratings = null, int[]? domainIds = null, IReadOnlyList<string>? domainNames = null,
        ItemFeatures? itemFeatures = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(userOffsets);
        ArgumentNullException.ThrowIfNull(itemIds);
        int n = itemIds.Length;
        if (userOffsets.Length != users.Count + 1 || userOffsets[0] != 0 || userOffsets[^1] != n)
        {
            throw new ArgumentException($"InteractionDataset '{name}': userOffsets must have {users.Count + 1} entries ([NumUsers + 2]) from 0 to {n}; got {userOffsets.Length}.", nameof(userOffsets));
        }

        for (int u = 0; u < users.Count; u++)
        {
            if (userOffsets[u + 1] < userOffsets[u] || (u == 0 && userOffsets[1] != 0))
            {
                throw new ArgumentException($"InteractionDataset '{name}': userOffsets must be non-decreasing with no rows for padding user 0 (at user {u}).", nameof(userOffsets));
            }
        }

        CheckLength(name, nameof(timestamps), timestamps?.Length, n);
        CheckLength(name, nameof(ratings), ratings?.Length, n);
        CheckLength(name, nameof(domainIds), domainIds?.Length, n);
        var names = domainNames is null || domainNames.Count == 0 ? [DefaultDomainName] : domainNames.ToArray();
        for (int r = 0; r < n; r++)
        {
            if ((uint)(itemIds[r] - 1) >= (uint)(items.Count - 1))
            {
                throw new ArgumentException($"InteractionDataset '{name}': item id {itemIds[r]} at row {r} is outside [1, {items.Count}).", nameof(itemIds));
            }

            if (domainIds is not null && (uint)domainIds[r] >= (uint)names.Length)
            {
                throw new ArgumentException($"InteractionDataset '{name}': domain id {domainIds[r]} at row {r} is outside [0, {names.Length}).", nameof(domainIds));
            }
        }

        if (itemFeatures is not null && itemFeatures.NumItems != items.Count)
        {
            throw new ArgumentException($"InteractionDataset '{name}': item features cover {itemFeatures.NumItems} item ids but the item vocabulary has {items.Count}.", nameof(itemFeatures));
        }

        Name = name;
        Users = users;
        Items = items;
        _userOffsets = userOffsets;
        _items = itemIds;
        _timestamps = timestamps;
        _ratings = ratings;
        _domains = domainIds;
        DomainNames = names;
        ItemFeatures = itemFeatures;
        _itemDomains = ComputeItemDomains(items.Count, itemIds, domainIds);
    }

    /// <summary>A name for messages and reports (e.g. the file name).</summary>
    public string Name { get; }

    /// <summary>User tokens and ids (0 = padding).</summary>
    public Vocabulary Users { get; }

    /// <summary>Item tokens and ids (0 = padding).</summary>
    public Vocabulary Items { get; }

    /// <summary>Number of users (ids 1 .. NumUsers).</summary>
    public int NumUsers => Users.Count - 1;

    /// <summary>Number of items (ids 1 .. NumItems). Embedding tables need <c>NumItems + 1</c> rows (padding).</summary>
    public int NumItems => Items.Count - 1;

    /// <summary>Number of interactions.</summary>
    public int NumInteractions => _items.Length;

    /// <summary>Domain names, index = domain id; <c>[DefaultDomainName]</c> when the data has no domains.</summary>
    public IReadOnlyList<string> DomainNames { get; }

    /// <summary>Number of domains (at least 1).</summary>
    public int NumDomains => DomainNames.Count;

    /// <summary>Whether the data has a domain column (even if it holds one domain).</summary>
    public bool HasDomains => _domains is not null;

    /// <summary>Whether the data has timestamps.</summary>
    public bool HasTimestamps => _timestamps is not null;

    /// <summary>Whether the data has ratings.</summary>
    public bool HasRatings => _ratings is not null;

    /// <summary>Item side features (categories, titles), or null.</summary>
    public ItemFeatures? ItemFeatures { get; }

    /// <summary>All item ids, grouped by user and time-ordered within a user, <c>[N]</c>.</summary>
    public ReadOnlySpan<int> ItemColumn => _items;

    /// <summary>
    /// <c>[NumUsers + 2]</c>: user u's rows are <c>UserOffsets[u] .. UserOffsets[u + 1]</c> of every column.
    /// </summary>
    public ReadOnlySpan<int> UserOffsets => _userOffsets;

    /// <summary>Timestamps aligned with <see cref="ItemColumn"/>, or empty when the data has none.</summary>
    public ReadOnlySpan<double> TimestampColumn => _timestamps;

    /// <summary>Ratings aligned with <see cref="ItemColumn"/>, or empty when the data has none.</summary>
    public ReadOnlySpan<float> RatingColumn => _ratings;

    /// <summary>Domain ids aligned with <see cref="ItemColumn"/>, or empty when the data has no domain column.</summary>
    public ReadOnlySpan<int> DomainColumn => _domains;

    /// <summary>The domain of each item id <c>[NumItems + 1]</c>: the domain of its first row in <see cref="ItemColumn"/> (0 for unseen items and padding); in merged multi-domain data every item has one domain.</summary>
    public ReadOnlySpan<int> ItemDomains => _itemDomains;

    /// <summary>Number of interactions of a user.</summary>
    /// <param name="user">A user id in [1, NumUsers].</param>
    /// <returns>The length of the user's sequence.</returns>
    public int SequenceLength(int user)
    {
        CheckUser(user);
        return _userOffsets[user + 1] - _userOffsets[user];
    }

    /// <summary>A user's items in time order (a slice of <see cref="ItemColumn"/>).</summary>
    /// <param name="user">A user id in [1, NumUsers].</param>
    /// <returns>The item ids, oldest first.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The user id is out of range.</exception>
    public ReadOnlySpan<int> GetSequence(int user)
    {
        CheckUser(user);
        return _items.AsSpan(_userOffsets[user], _userOffsets[user + 1] - _userOffsets[user]);
    }

    /// <summary>A user's timestamps in order, or empty when the data has none.</summary>
    /// <param name="user">A user id in [1, NumUsers].</param>
    /// <returns>The timestamps aligned with <see cref="GetSequence"/>.</returns>
    public ReadOnlySpan<double> GetTimestamps(int user)
    {
        CheckUser(user);
        return _timestamps is null ? default : _timestamps.AsSpan(_userOffsets[user], _userOffsets[user + 1] - _userOffsets[user]);
    }

    /// <summary>A user's domain ids in order, or empty when the data has no domain column.</summary>
    /// <param name="user">A user id in [1, NumUsers].</param>
    /// <returns>The domain ids aligned with <see cref="GetSequence"/>.</returns>
    public ReadOnlySpan<int> GetDomains(int user)
    {
        CheckUser(user);
        return _domains is null ? default : _domains.AsSpan(_userOffsets[user], _userOffsets[user + 1] - _userOffsets[user]);
    }

    /// <summary>A user's ratings in order, or empty when the data has none.</summary>
    /// <param name="user">A user id in [1, NumUsers].</param>
    /// <returns>The ratings aligned with <see cref="GetSequence"/>.</returns>
    public ReadOnlySpan<float> GetRatings(int user)
    {
        CheckUser(user);
        return _ratings is null ? default : _ratings.AsSpan(_userOffsets[user], _userOffsets[user + 1] - _userOffsets[user]);
    }

    /// <summary>The domain of a user: the domain of the user's last interaction (0 without a domain column or interactions).</summary>
    /// <param name="user">A user id in [1, NumUsers].</param>
    /// <returns>A domain id in [0, NumDomains).</returns>
    public int UserDomain(int user)
    {
        CheckUser(user);
        int end = _userOffsets[user + 1];
        return _domains is null || end == _userOffsets[user] ? 0 : _domains[end - 1];
    }

    /// <summary>The same interactions with item side features attached (or replaced).</summary>
    /// <param name="features">Features indexed by this dataset's item ids.</param>
    /// <returns>A new dataset sharing the columns.</returns>
    public InteractionDataset WithItemFeatures(ItemFeatures? features) =>
        new(Name, Users, Items, _userOffsets, _items, _timestamps, _ratings, _domains, DomainNames, features);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name}: {NumUsers:N0} users, {NumItems:N0} items, {NumInteractions:N0} interactions, {NumDomains} domain(s)";

    private void CheckUser(int user)
    {
        if ((uint)(user - 1) >= (uint)NumUsers)
        {
            throw new ArgumentOutOfRangeException(nameof(user), user, $"InteractionDataset '{Name}': user id {user} is outside [1, {NumUsers}].");
        }
    }

    private static void CheckLength(string name, string column, int? length, int n)
    {
        if (length is int len && len != n)
        {
            throw new ArgumentException($"InteractionDataset '{name}': column {column} has {len} rows but there are {n} interactions.", column);
        }
    }

    private static int[] ComputeItemDomains(int itemCount, int[] items, int[]? domains)
    {
        var result = new int[itemCount];
        if (domains is null)
        {
            return result;
        }

        var seen = new bool[itemCount];
        for (int r = 0; r < items.Length; r++)
        {
            if (!seen[items[r]])
            {
                seen[items[r]] = true;
                result[items[r]] = domains[r];
            }
        }

        return result;
    }
}
