namespace ParamGen.Data;

/// <summary>
/// How <see cref="DatasetLoader"/> reads interaction files: the format (or auto-detection), the separator,
/// the header, which columns hold the user, item, timestamp, rating and domain, an item side file, and how several
/// files merge as domains. Every property has a default that reads the standard files as they come.
/// </summary>
/// <remarks>
/// Column properties take a header name (matched ignoring case; for RecBole files the part before <c>:type</c>).
/// <c>null</c> means "recognise it": the first of the known names present in the header (see
/// <see cref="DatasetLoader.KnownUserColumns"/> and its siblings). An empty string means "do not read this
/// column" (timestamp, rating, domain and the item file's category and title columns only).
/// </remarks>
public sealed record DataLoadOptions
{
    /// <summary>The defaults: auto-detect everything.</summary>
    public static DataLoadOptions Default { get; } = new();

    /// <summary>The file layout; default <see cref="DataFormat.Auto"/> (from the extension and first line).</summary>
    public DataFormat Format { get; init; } = DataFormat.Auto;

    /// <summary>
    /// The field separator; default null = the format's own: <c>,</c> for <c>.csv</c> and other
    /// <see cref="DataFormat.Delimited"/> files (tab for <c>.tsv</c>), <c>::</c> for <see cref="DataFormat.MovieLensDat"/>,
    /// tab for <see cref="DataFormat.RecBoleAtomic"/>. Delimited files take one ASCII character; <c>.dat</c> and
    /// <c>.inter</c> files any non-empty string. Not used by <see cref="DataFormat.UserSequences"/> and
    /// <see cref="DataFormat.Pairs"/> (spaces and tabs).
    /// </summary>
    public string? Delimiter { get; init; }

    /// <summary>
    /// Whether the first row is a header; default null = detect: RecBole files always have one; a delimited file has
    /// one when its first row names a known (or the mapped) user or item column, or holds no number; a <c>.dat</c>
    /// file has one only when its first row names known user and item columns. Set it when the guess is wrong.
    /// </summary>
    public bool? HasHeader { get; init; }

    /// <summary>
    /// Column names by position; default null = the header's, or for a file without a header
    /// <c>user, item, rating, timestamp</c> (as many as the file has fields). When set it replaces the header's names.
    /// </summary>
    public IReadOnlyList<string>? ColumnNames { get; init; }

    /// <summary>The user column; default null = recognised (userId, user_id, user, ...). Must not be empty.</summary>
    public string? UserColumn { get; init; }

    /// <summary>The item column; default null = recognised (movieId, itemId, item_id, item, asin, ...). Must not be empty.</summary>
    public string? ItemColumn { get; init; }

    /// <summary>The timestamp column (numbers); default null = recognised (timestamp, time, ts, ...); empty = do not read timestamps.</summary>
    public string? TimestampColumn { get; init; }

    /// <summary>The rating column (numbers); default null = recognised (rating, score, ...); empty = do not read ratings.</summary>
    public string? RatingColumn { get; init; }

    /// <summary>
    /// The domain column of a single file; default null = recognised (domain, domain_id); empty = none. Not used by
    /// <see cref="DatasetLoader.LoadDomains(IEnumerable{string}, DataLoadOptions?)"/>, where the file is the domain.
    /// </summary>
    public string? DomainColumn { get; init; }

    /// <summary>
    /// An item side file attached as <see cref="InteractionDataset.ItemFeatures"/> by item token; default null = none.
    /// MovieLens <c>movies.csv</c> (<c>movieId,title,genres</c>, <c>|</c>-separated genres), MovieLens
    /// <c>movies.dat</c> (<c>item::title::genres</c>) or a RecBole <c>.item</c> file. Side rows whose item is not in
    /// the interactions are counted in the report, not loaded. For
    /// <see cref="DatasetLoader.LoadDomains(IEnumerable{DomainSource}, DataLoadOptions?)"/> use
    /// <see cref="DomainSource.ItemFilePath"/> instead.
    /// </summary>
    public string? ItemFilePath { get; init; }

    /// <summary>
    /// The item file's category column; default null = recognised (genres, genre, categories, category, class);
    /// empty = none.
    /// </summary>
    public string? ItemCategoryColumn { get; init; }

    /// <summary>The item file's title column; default null = recognised (title, movie_title, name); empty = none.</summary>
    public string? ItemTitleColumn { get; init; }

    /// <summary>
    /// The separator between the categories of one item; default null = <c>|</c> for <c>.csv</c> and <c>.dat</c>
    /// item files, a space for RecBole <c>token_seq</c> columns.
    /// </summary>
    public char? CategorySeparator { get; init; }

    /// <summary>
    /// When merging files as domains, whether the same user token in two files is one user; default false: user
    /// tokens are namespaced by domain (<c>Beauty/17</c>).
    /// </summary>
    public bool ShareUsersAcrossDomains { get; init; }

    /// <summary>
    /// When merging files as domains, whether the same item token in two files is one item; default false: item
    /// tokens are namespaced by domain. A shared item keeps the domain of its first interaction in
    /// <see cref="InteractionDataset.ItemDomains"/>.
    /// </summary>
    public bool ShareItemsAcrossDomains { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Format))
        {
            throw new ArgumentException($"DataLoadOptions.Format: {(int)Format} is not a DataFormat.", nameof(Format));
        }

        if (Delimiter is not null)
        {
            if (Delimiter.Length == 0 || Delimiter.Contains('\n', StringComparison.Ordinal) || Delimiter.Contains('\r', StringComparison.Ordinal))
            {
                throw new ArgumentException("DataLoadOptions.Delimiter must be non-empty and hold no line break.", nameof(Delimiter));
            }

            if (Format == DataFormat.Delimited && (Delimiter.Length != 1 || Delimiter[0] > 127 || Delimiter[0] == '"'))
            {
                throw new ArgumentException($"DataLoadOptions.Delimiter '{Delimiter}': a delimited (CSV) file takes one ASCII character other than the quote.", nameof(Delimiter));
            }
        }

        if (UserColumn is { Length: 0 } || ItemColumn is { Length: 0 })
        {
            throw new ArgumentException("DataLoadOptions.UserColumn and ItemColumn cannot be empty (null recognises them from the header).");
        }

        if (ColumnNames is not null)
        {
            if (ColumnNames.Count == 0 || ColumnNames.Any(string.IsNullOrWhiteSpace))
            {
                throw new ArgumentException("DataLoadOptions.ColumnNames must hold at least one name and no empty names.", nameof(ColumnNames));
            }

            if (ColumnNames.Distinct(StringComparer.OrdinalIgnoreCase).Count() != ColumnNames.Count)
            {
                throw new ArgumentException($"DataLoadOptions.ColumnNames repeats a name: [{string.Join(", ", ColumnNames)}].", nameof(ColumnNames));
            }
        }

        if (CategorySeparator is '\n' or '\r')
        {
            throw new ArgumentException("DataLoadOptions.CategorySeparator cannot be a line break.", nameof(CategorySeparator));
        }
    }
}
