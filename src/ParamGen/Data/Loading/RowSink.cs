namespace ParamGen.Data;

/// <summary>
/// Where the readers put rows: maps tokens to ids through the builder, prefixing them with the domain
/// (<c>Beauty/17</c>) when the file is one domain of several and ids are not shared. Known tokens cost no allocation.
/// </summary>
internal sealed class RowSink
{
    private readonly InteractionDatasetBuilder _builder;
    private readonly string? _userPrefix;
    private readonly string? _itemPrefix;
    private char[] _compose = new char[128];

    /// <param name="builder">The builder receiving rows.</param>
    /// <param name="path">The file being read, for messages.</param>
    /// <param name="userPrefix">Prefix of user tokens (<c>"Beauty/"</c>), or null.</param>
    /// <param name="itemPrefix">Prefix of item tokens, or null.</param>
    /// <param name="fixedDomain">The domain of every row of this file, or -1 when rows carry their own.</param>
    public RowSink(InteractionDatasetBuilder builder, string path, string? userPrefix, string? itemPrefix, int fixedDomain)
    {
        _builder = builder;
        Path = path;
        _userPrefix = userPrefix;
        _itemPrefix = itemPrefix;
        FixedDomain = fixedDomain;
    }

    public string Path { get; }

    /// <summary>The domain of every row of this file, or -1.</summary>
    public int FixedDomain { get; }

    public long Rows { get; private set; }

    public int User(ReadOnlySpan<char> token, long line) =>
        _builder.UserId(Compose(_userPrefix, NonEmpty(token, "user", line)));

    public int Item(ReadOnlySpan<char> token, long line) =>
        _builder.ItemId(Compose(_itemPrefix, NonEmpty(token, "item", line)));

    public int Domain(ReadOnlySpan<char> name, long line) => _builder.DomainId(NonEmpty(name, "domain", line));

    public void Add(int user, int item, double timestamp = 0, float rating = 0, int domain = 0)
    {
        _builder.Add(user, item, timestamp, rating, FixedDomain >= 0 ? FixedDomain : domain);
        Rows++;
    }

    private ReadOnlySpan<char> NonEmpty(ReadOnlySpan<char> token, string what, long line)
    {
        if (token.IsEmpty)
        {
            throw new DataFormatException(Path, line, $"the {what} id is empty.");
        }

        return token;
    }

    private ReadOnlySpan<char> Compose(string? prefix, ReadOnlySpan<char> token)
    {
        if (prefix is null)
        {
            return token;
        }

        int length = prefix.Length + token.Length;
        if (_compose.Length < length)
        {
            _compose = new char[length * 2];
        }

        prefix.CopyTo(_compose);
        token.CopyTo(_compose.AsSpan(prefix.Length));
        return _compose.AsSpan(0, length);
    }
}
