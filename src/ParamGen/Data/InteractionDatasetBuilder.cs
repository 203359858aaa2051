namespace ParamGen.Data;

/// <summary>
/// Collects interaction rows in any order and builds an <see cref="InteractionDataset"/>: rows are grouped by
/// user and, within a user, stably ordered by timestamp (rows without timestamps keep the order they were added).
/// </summary>
/// <remarks>
/// Tokens are mapped to ids as they arrive (<see cref="UserId"/>, <see cref="ItemId"/>), so parsers never keep
/// the strings of a line. Which optional columns exist is fixed at construction; every row must then supply them.
/// </remarks>
public sealed class InteractionDatasetBuilder
{
    private readonly Vocabulary _users = new("user");
    private readonly Vocabulary _items = new("item");
    private readonly Vocabulary _domains = new("domain");
    private int[] _userCol;
    private int[] _itemCol;
    private double[]? _timeCol;
    private float[]? _ratingCol;
    private int[]? _domainCol;
    private int _count;

    /// <summary>Creates a builder.</summary>
    /// <param name="name">Name of the dataset (e.g. the file name).</param>
    /// <param name="hasTimestamps">Whether rows carry timestamps (default false: file order is time order).</param>
    /// <param name="hasRatings">Whether rows carry ratings (default false).</param>
    /// <param name="hasDomains">Whether rows carry a domain (default false: one domain).</param>
    /// <param name="capacity">Initial row capacity (default 1,024); it grows as needed.</param>
    public InteractionDatasetBuilder(string name, bool hasTimestamps = false, bool hasRatings = false, bool hasDomains = false, int capacity = 1024)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Name = name;
        capacity = Math.Max(capacity, 16);
        _userCol = new int[capacity];
        _itemCol = new int[capacity];
        _timeCol = hasTimestamps ? new double[capacity] : null;
        _ratingCol = hasRatings ? new float[capacity] : null;
        _domainCol = hasDomains ? new int[capacity] : null;
    }

    /// <summary>Name of the dataset being built.</summary>
    public string Name { get; }

    /// <summary>Rows added so far.</summary>
    public int Count => _count;

    /// <summary>Whether rows carry timestamps.</summary>
    public bool HasTimestamps => _timeCol is not null;

    /// <summary>Whether rows carry ratings.</summary>
    public bool HasRatings => _ratingCol is not null;

    /// <summary>Whether rows carry domains.</summary>
    public bool HasDomains => _domainCol is not null;

    /// <summary>The id of a user token, assigned on first sight (1, 2, ...).</summary>
    /// <param name="token">The user token.</param>
    /// <returns>Its id.</returns>
    public int UserId(ReadOnlySpan<char> token) => _users.GetOrAdd(token);

    /// <summary>The id of an item token, assigned on first sight.</summary>
    /// <param name="token">The item token.</param>
    /// <returns>Its id.</returns>
    public int ItemId(ReadOnlySpan<char> token) => _items.GetOrAdd(token);

    /// <summary>The id of a domain name, assigned on first sight starting at 0.</summary>
    /// <param name="name">The domain name.</param>
    /// <returns>Its id.</returns>
    public int DomainId(ReadOnlySpan<char> name) => _domains.GetOrAdd(name) - 1;

    /// <summary>Adds one row of ids obtained from <see cref="UserId"/>, <see cref="ItemId"/> and <see cref="DomainId"/>.</summary>
    /// <param name="user">User id.</param>
    /// <param name="item">Item id.</param>
    /// <param name="timestamp">Timestamp (ignored unless the builder has timestamps).</param>
    /// <param name="rating">Rating (ignored unless the builder has ratings).</param>
    /// <param name="domain">Domain id (ignored unless the builder has domains).</param>
    /// <exception cref="ArgumentOutOfRangeException">An id was not issued by this builder.</exception>
    public void Add(int user, int item, double timestamp = 0, float rating = 0, int domain = 0)
    {
        if ((uint)(user - 1) >= (uint)(_users.Count - 1))
        {
            throw new ArgumentOutOfRangeException(nameof(user), user, $"{Name}: user id {user} was not issued by this builder.");
        }

        if ((uint)(item - 1) >= (uint)(_items.Count - 1))
        {
            throw new ArgumentOutOfRangeException(nameof(item), item, $"{Name}: item id {item} was not issued by this builder.");
        }

        if (_domainCol is not null && (uint)domain >= (uint)(_domains.Count - 1))
        {
            throw new ArgumentOutOfRangeException(nameof(domain), domain, $"{Name}: domain id {domain} was not issued by this builder.");
        }

        if (_count == _userCol.Length)
        {
            Grow();
        }

        _userCol[_count] = user;
        _itemCol[_count] = item;
        if (_timeCol is not null)
        {
            _timeCol[_count] = timestamp;
        }

        if (_ratingCol is not null)
        {
            _ratingCol[_count] = rating;
        }

        if (_domainCol is not null)
        {
            _domainCol[_count] = domain;
        }

        _count++;
    }

    /// <summary>Adds one row by tokens.</summary>
    /// <param name="user">User token.</param>
    /// <param name="item">Item token.</param>
    /// <param name="timestamp">Timestamp (ignored unless the builder has timestamps).</param>
    /// <param name="rating">Rating (ignored unless the builder has ratings).</param>
    /// <param name="domain">Domain name (required when the builder has domains, else ignored).</param>
    public void Add(ReadOnlySpan<char> user, ReadOnlySpan<char> item, double timestamp = 0, float rating = 0, ReadOnlySpan<char> domain = default) =>
        Add(UserId(user), ItemId(item), timestamp, rating, _domainCol is null ? 0 : DomainId(domain));

    /// <summary>
    /// Builds the dataset. The builder must not be used afterwards.
    /// </summary>
    /// <param name="itemFeatures">Item features indexed by this builder's item ids, or null.</param>
    /// <returns>The dataset, grouped by user and time-ordered.</returns>
    /// <exception cref="InvalidOperationException">No rows were added.</exception>
    public InteractionDataset Build(ItemFeatures? itemFeatures = null)
    {
        if (_count == 0)
        {
            throw new InvalidOperationException($"{Name}: no interactions to build a dataset from.");
        }

        int n = _count, numUserIds = _users.Count;
        var offsets = new int[numUserIds + 1];
        for (int r = 0; r < n; r++)
        {
            offsets[_userCol[r] + 1]++;
        }

        for (int u = 1; u <= numUserIds; u++)
        {
            offsets[u] += offsets[u - 1];
        }

        // Stable counting sort by user: order[dest] = source row.
        var order = new int[n];
        var next = offsets.AsSpan(0, numUserIds).ToArray();
        for (int r = 0; r < n; r++)
        {
            order[next[_userCol[r]]++] = r;
        }

        if (_timeCol is not null)
        {
            SortRunsByTime(offsets, _timeCol, order);
        }

        var domainNames = _domainCol is null ? null : _domains.Tokens.Skip(1).ToArray();
        var dataset = new InteractionDataset(Name, _users, _items, offsets, Permute(_itemCol, order),
            _timeCol is null ? null : Permute(_timeCol, order),
            _ratingCol is null ? null : Permute(_ratingCol, order),
            _domainCol is null ? null : Permute(_domainCol, order),
            domainNames, itemFeatures);
        _userCol = _itemCol = [];
        _timeCol = null;
        _ratingCol = null;
        _domainCol = null;
        _count = 0;
        return dataset;
    }

    private static T[] Permute<T>(T[] column, int[] order)
    {
        var result = new T[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            result[i] = column[order[i]];
        }

        return result;
    }

    /// <summary>Within each user's run of <paramref name="order"/>, orders rows by time, ties by row (a stable sort).</summary>
    private static void SortRunsByTime(int[] offsets, double[] times, int[] order)
    {
        for (int u = 1; u < offsets.Length - 1; u++)
        {
            var run = order.AsSpan(offsets[u], offsets[u + 1] - offsets[u]);
            bool sorted = true;
            for (int i = 1; i < run.Length && sorted; i++)
            {
                sorted = times[run[i - 1]] <= times[run[i]];
            }

            if (!sorted)
            {
                run.Sort((a, b) =>
                {
                    int c = times[a].CompareTo(times[b]);
                    return c != 0 ? c : a.CompareTo(b);
                });
            }
        }
    }

    private void Grow()
    {
        int size = checked(_userCol.Length * 2);
        Array.Resize(ref _userCol, size);
        Array.Resize(ref _itemCol, size);
        if (_timeCol is not null)
        {
            Array.Resize(ref _timeCol, size);
        }

        if (_ratingCol is not null)
        {
            Array.Resize(ref _ratingCol, size);
        }

        if (_domainCol is not null)
        {
            Array.Resize(ref _domainCol, size);
        }
    }
}
