namespace ParamGen.Data;

/// <summary>Which field of a delimited row holds the user, item, timestamp, rating and domain (-1 = absent).</summary>
internal sealed class ColumnMap
{
    /// <summary>Positional names for a file without a header (MovieLens order).</summary>
    public static readonly string[] PositionalNames = ["user", "item", "rating", "timestamp"];

    private ColumnMap(IReadOnlyList<string> names) => Names = names;

    /// <summary>The column names as given (header or positional).</summary>
    public IReadOnlyList<string> Names { get; }

    public int FieldCount => Names.Count;

    public int User { get; private set; }

    public int Item { get; private set; }

    public int Timestamp { get; private set; } = -1;

    public int Rating { get; private set; } = -1;

    public int Domain { get; private set; } = -1;

    /// <summary>Positional names for <paramref name="fieldCount"/> fields: user, item, rating, timestamp, then column5, ....</summary>
    public static string[] Positional(int fieldCount) =>
        [.. Enumerable.Range(0, fieldCount).Select(i => i < PositionalNames.Length ? PositionalNames[i] : $"column{i + 1}")];

    /// <summary>The matching key of a header name: trimmed, and for a typed RecBole header the part before <c>:type</c>.</summary>
    public static string Key(string name, bool typed)
    {
        name = name.Trim();
        int colon = typed ? name.LastIndexOf(':') : -1;
        return colon > 0 ? name[..colon] : name;
    }

    /// <summary>The index of the first of <paramref name="candidates"/> present in <paramref name="names"/>, or -1.</summary>
    public static int Find(IReadOnlyList<string> names, bool typed, IEnumerable<string> candidates)
    {
        foreach (var candidate in candidates)
        {
            for (int i = 0; i < names.Count; i++)
            {
                if (string.Equals(Key(names[i], typed), candidate, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    /// <summary>Maps the columns, or throws the missing-column error naming the header.</summary>
    /// <param name="path">The file, for messages.</param>
    /// <param name="headerLine">The header's line (0 when the names are positional).</param>
    /// <param name="names">Column names in field order.</param>
    /// <param name="typed">Whether names carry a RecBole <c>:type</c>.</param>
    /// <param name="options">The mapping options.</param>
    /// <param name="readDomain">Whether a domain column is wanted.</param>
    public static ColumnMap Resolve(string path, long headerLine, IReadOnlyList<string> names, bool typed, DataLoadOptions options, bool readDomain)
    {
        var map = new ColumnMap(names);
        string where = headerLine > 0 ? $"the header {FieldText.List(names)}" : $"the columns {FieldText.List(names)} (no header; set DataLoadOptions.ColumnNames or HasHeader)";
        map.User = Required(options.UserColumn, DatasetLoader.KnownUserColumns, "user", nameof(DataLoadOptions.UserColumn));
        map.Item = Required(options.ItemColumn, DatasetLoader.KnownItemColumns, "item", nameof(DataLoadOptions.ItemColumn));
        map.Timestamp = Optional(options.TimestampColumn, DatasetLoader.KnownTimestampColumns, nameof(DataLoadOptions.TimestampColumn));
        map.Rating = Optional(options.RatingColumn, DatasetLoader.KnownRatingColumns, nameof(DataLoadOptions.RatingColumn));
        map.Domain = readDomain ? Optional(options.DomainColumn, DatasetLoader.KnownDomainColumns, nameof(DataLoadOptions.DomainColumn)) : -1;
        var used = new[] { map.User, map.Item, map.Timestamp, map.Rating, map.Domain }.Where(i => i >= 0).ToArray();
        if (used.Distinct().Count() != used.Length)
        {
            throw new DataFormatException(path, headerLine, $"one column is mapped to two roles (user {map.User}, item {map.Item}, timestamp {map.Timestamp}, rating {map.Rating}, domain {map.Domain}) in {where}.");
        }

        return map;

        int Required(string? name, IReadOnlyList<string> known, string role, string option)
        {
            int index = Find(names, typed, name is null ? known : [name]);
            if (index < 0)
            {
                string wanted = name is null ? $"none of the known {role} column names {FieldText.List(known)} is in" : $"column '{name}' (DataLoadOptions.{option}) is not in";
                string hint = headerLine > 0 ? $"; set DataLoadOptions.{option}, or HasHeader = false if the first line is data" : $"; set DataLoadOptions.{option}";
                throw new DataFormatException(path, headerLine, $"missing {role} column: {wanted} {where}{hint}.");
            }

            return index;
        }

        int Optional(string? name, IReadOnlyList<string> known, string option)
        {
            if (name is { Length: 0 })
            {
                return -1;
            }

            int index = Find(names, typed, name is null ? known : [name]);
            if (index < 0 && name is not null)
            {
                throw new DataFormatException(path, headerLine, $"missing column: '{name}' (DataLoadOptions.{option}) is not in {where}.");
            }

            return index;
        }
    }
}
