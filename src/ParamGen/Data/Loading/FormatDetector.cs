namespace ParamGen.Data;

/// <summary>Decides how to read a file from the options, its extension and its first row.</summary>
internal static class FormatDetector
{
    private static readonly string[] RecBoleTypes = ["token", "token_seq", "float", "float_seq"];

    /// <summary>What the loader reads, for the unknown-format message.</summary>
    public const string KnownFormats =
        "user sequences ('user i1 i2 ...', .txt/.seq), pairs ('user item', .txt/.pairs), delimited with a header (.csv, .tsv; MovieLens ratings.csv), " +
        "MovieLens .dat ('user::item::rating::timestamp') and RecBole atomic .inter (tab-separated, typed header)";

    public static FilePlan Plan(string path, DataLoadOptions options, bool readDomain)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Interaction file '{path}' does not exist.", path);
        }

        string ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
        var (format, reason) = options.Format == DataFormat.Auto ? FromExtension(path, ext) : (options.Format, "set in DataLoadOptions.Format");
        switch (format)
        {
            case DataFormat.UserSequences or DataFormat.Pairs:
                bool strict = format == DataFormat.Pairs && (options.Format == DataFormat.Pairs || ext == ".pairs");
                return new FilePlan(path, format, reason, " ", 0, null, strict);
            case DataFormat.MovieLensDat:
                return PlanDelimited(path, format, reason, options.Delimiter ?? "::", options, readDomain);
            case DataFormat.RecBoleAtomic:
                return PlanDelimited(path, format, reason, options.Delimiter ?? "\t", options, readDomain);
            default:
                return PlanDelimited(path, format, reason, options.Delimiter ?? (ext == ".tsv" ? "\t" : ","), options, readDomain);
        }
    }

    private static (DataFormat Format, string Reason) FromExtension(string path, string ext)
    {
        switch (ext)
        {
            case ".csv":
            case ".tsv":
                return (DataFormat.Delimited, $"extension {ext}");
            case ".dat":
                return (DataFormat.MovieLensDat, "extension .dat");
            case ".inter":
                return (DataFormat.RecBoleAtomic, "extension .inter");
            case ".pairs":
                return (DataFormat.Pairs, "extension .pairs");
            case ".txt":
            case ".seq":
                var first = FirstLine(path);
                if (first.Contains("::", StringComparison.Ordinal))
                {
                    return (DataFormat.MovieLensDat, $"extension {ext}, first line holds '::'");
                }

                if (first.Contains('\t', StringComparison.Ordinal) && IsTypedHeader(first.Split('\t')))
                {
                    return (DataFormat.RecBoleAtomic, $"extension {ext}, first line is a typed RecBole header");
                }

                if (first.Contains(',', StringComparison.Ordinal))
                {
                    return (DataFormat.Delimited, $"extension {ext}, first line holds commas");
                }

                return (DataFormat.UserSequences, $"extension {ext}");
            default:
                throw new DataFormatException(path, 0,
                    $"unknown format: cannot tell it from the extension '{ext}'. Known formats: {KnownFormats}. " +
                    "Set DataLoadOptions.Format (and Delimiter, HasHeader or ColumnNames if needed), e.g. new DataLoadOptions { Format = DataFormat.Delimited, Delimiter = \"\\t\" }.");
        }
    }

    /// <summary>Whether a first row names a known or mapped user or item column (then it is a header).</summary>
    private static bool NamesAColumn(string[] first, DataLoadOptions options) =>
        ColumnMap.Find(first, false, options.UserColumn is null ? DatasetLoader.KnownUserColumns : [options.UserColumn]) >= 0
        || ColumnMap.Find(first, false, options.ItemColumn is null ? DatasetLoader.KnownItemColumns : [options.ItemColumn]) >= 0;

    private static bool IsTypedHeader(IReadOnlyList<string> names) =>
        names.All(n => n.LastIndexOf(':') is int c && c > 0 && RecBoleTypes.Contains(n[(c + 1)..].Trim(), StringComparer.OrdinalIgnoreCase));

    private static string FirstLine(string path)
    {
        using var lines = new LineReader(path);
        while (lines.TryReadLine(out var line))
        {
            if (!FieldText.IsBlank(line))
            {
                return line.ToString();
            }
        }

        throw Empty(path);
    }

    private static DataFormatException Empty(string path) => new(path, 0, "the file is empty (no line with data).");

    private static FilePlan PlanDelimited(string path, DataFormat format, string reason, string separator, DataLoadOptions options, bool readDomain)
    {
        if (format == DataFormat.Delimited && (separator.Length != 1 || separator[0] > 127 || separator[0] == '"'))
        {
            throw new ArgumentException($"DataLoadOptions.Delimiter '{separator}': a delimited (CSV) file takes one ASCII character other than the quote.", nameof(options));
        }

        string[] first;
        long firstLine;
        using (var rows = RowSource.Open(path, format, separator))
        {
            if (!rows.MoveNext())
            {
                throw Empty(path);
            }

            first = rows.FieldStrings();
            firstLine = rows.LineNumber;
        }

        bool typed = format == DataFormat.RecBoleAtomic;
        bool hasHeader = options.HasHeader ?? format switch
        {
            DataFormat.RecBoleAtomic => true,
            DataFormat.MovieLensDat => ColumnMap.Find(first, false, DatasetLoader.KnownUserColumns) >= 0 && ColumnMap.Find(first, false, DatasetLoader.KnownItemColumns) >= 0,
            _ => NamesAColumn(first, options) || !FieldText.AnyNumeric(first),
        };
        if (hasHeader && typed && !IsTypedHeader(first))
        {
            var bad = first.First(n => !IsTypedHeader([n]));
            throw new DataFormatException(path, firstLine,
                $"RecBole header field '{bad}' has no type: each column is 'name:type' with type {string.Join(", ", RecBoleTypes)} (header {FieldText.List(first)}).");
        }

        IReadOnlyList<string> names;
        if (options.ColumnNames is { } given)
        {
            if (given.Count != first.Length)
            {
                throw new DataFormatException(path, firstLine,
                    $"DataLoadOptions.ColumnNames has {given.Count} names {FieldText.List(given)} but the line has {first.Length} fields.");
            }

            names = given;
            typed = false;
        }
        else
        {
            names = hasHeader ? first : ColumnMap.Positional(first.Length);
            typed &= hasHeader;
        }

        var columns = ColumnMap.Resolve(path, hasHeader ? firstLine : 0, names, typed, options, readDomain);
        string headerReason = hasHeader ? "header" : "no header";
        return new FilePlan(path, format, $"{reason}, {headerReason}", separator, hasHeader ? firstLine : 0, columns, false);
    }
}
