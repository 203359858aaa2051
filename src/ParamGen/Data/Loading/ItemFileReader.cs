namespace ParamGen.Data;

/// <summary>
/// Reads item side files (MovieLens <c>movies.csv</c> / <c>movies.dat</c>, RecBole <c>.item</c>) and attaches their
/// categories and titles to a dataset's items by token.
/// </summary>
internal static class ItemFileReader
{
    /// <summary>The category value MovieLens writes for a movie without genres; read as no category.</summary>
    public const string NoGenresListed = "(no genres listed)";

    /// <summary>One side file: its path, the domain it describes, the prefix its item tokens get, and that domain's id (-1 = every item).</summary>
    public sealed record Source(string Path, string Domain, string? ItemPrefix, int DomainId);

    public static (ItemFeatures Features, IReadOnlyList<ItemFileLoadReport> Reports) Read(InteractionDataset dataset, IReadOnlyList<Source> sources, DataLoadOptions options)
    {
        var categories = new Vocabulary("category");
        var pairItems = new List<int>();
        var pairCategories = new List<int>();
        string?[]? titles = null;
        var firstLine = new long[dataset.Items.Count];
        var describedBy = new int[dataset.Items.Count];
        var reports = new List<ItemFileLoadReport>();
        char[] compose = new char[128];
        for (int s = 0; s < sources.Count; s++)
        {
            var source = sources[s];
            if (!File.Exists(source.Path))
            {
                throw new FileNotFoundException($"Item file '{source.Path}' does not exist.", source.Path);
            }

            var (format, separator, typed) = FormatOf(source.Path);
            using var rows = RowSource.Open(source.Path, format, separator);
            if (!rows.MoveNext())
            {
                throw new DataFormatException(source.Path, 0, "the item file is empty (no line with data).");
            }

            bool hasHeader = format != DataFormat.MovieLensDat;
            long headerLine = hasHeader ? rows.LineNumber : 0;
            string[] names = hasHeader ? rows.FieldStrings() : ["item", "title", "genres", .. ColumnMap.Positional(rows.FieldCount).Skip(3)];
            if (!hasHeader && names.Length != rows.FieldCount)
            {
                names = names[..rows.FieldCount];
            }

            int itemColumn = options.ItemColumn is { } ic && ColumnMap.Find(names, typed, [ic]) is int found && found >= 0
                ? found
                : Math.Max(0, ColumnMap.Find(names, typed, DatasetLoader.KnownItemColumns));
            int categoryColumn = Column(options.ItemCategoryColumn, DatasetLoader.KnownCategoryColumns, nameof(DataLoadOptions.ItemCategoryColumn));
            int titleColumn = Column(options.ItemTitleColumn, DatasetLoader.KnownTitleColumns, nameof(DataLoadOptions.ItemTitleColumn));
            char categorySeparator = options.CategorySeparator
                ?? (typed && categoryColumn >= 0 && names[categoryColumn].Trim().EndsWith(":token_seq", StringComparison.OrdinalIgnoreCase) ? ' ' : '|');
            if (titleColumn >= 0 && titles is null)
            {
                titles = new string?[dataset.Items.Count];
            }

            int read = 0, unmatched = 0;
            bool more = !hasHeader || rows.MoveNext();
            for (; more; more = rows.MoveNext())
            {
                long at = rows.LineNumber;
                if (rows.FieldCount != names.Length)
                {
                    throw new DataFormatException(source.Path, at, $"malformed line: expected {names.Length} fields ({string.Join(", ", names)}) but found {rows.FieldCount}.");
                }

                read++;
                var token = rows.Field(itemColumn);
                if (token.IsEmpty)
                {
                    throw new DataFormatException(source.Path, at, "the item id is empty.");
                }

                if (!dataset.Items.TryGetId(Compose(source.ItemPrefix, token, ref compose), out int item))
                {
                    unmatched++;
                    continue;
                }

                if (firstLine[item] != 0)
                {
                    string first = sources[describedBy[item] - 1].Path;
                    throw new DataFormatException(source.Path, at, $"item {FieldText.Quote(token)} is described twice (first at {first}:{firstLine[item]}).");
                }

                firstLine[item] = at;
                describedBy[item] = s + 1;
                if (categoryColumn >= 0)
                {
                    var rest = rows.Field(categoryColumn);
                    while (!rest.IsEmpty)
                    {
                        int cut = rest.IndexOf(categorySeparator);
                        var piece = (cut < 0 ? rest : rest[..cut]).Trim();
                        rest = cut < 0 ? default : rest[(cut + 1)..];
                        if (!piece.IsEmpty && !piece.SequenceEqual(NoGenresListed))
                        {
                            pairItems.Add(item);
                            pairCategories.Add(categories.GetOrAdd(piece));
                        }
                    }
                }

                if (titleColumn >= 0)
                {
                    var title = rows.Field(titleColumn).Trim();
                    titles![item] = title.IsEmpty ? null : title.ToString();
                }
            }

            if (hasHeader && read == 0)
            {
                throw new DataFormatException(source.Path, 0, $"the item file has a header {FieldText.List(names)} but no data rows.");
            }

            int withoutRow = 0;
            for (int i = 1; i < describedBy.Length; i++)
            {
                if ((source.DomainId < 0 || dataset.ItemDomains[i] == source.DomainId) && describedBy[i] != s + 1)
                {
                    withoutRow++;
                }
            }

            reports.Add(new ItemFileLoadReport(source.Path, source.Domain, rows.LinesRead, read, unmatched, withoutRow,
                categoryColumn >= 0 ? names[categoryColumn] : null, titleColumn >= 0 ? names[titleColumn] : null));

            int Column(string? option, IReadOnlyList<string> known, string optionName)
            {
                if (option is { Length: 0 })
                {
                    return -1;
                }

                int index = ColumnMap.Find(names, typed, option is null ? known : [option]);
                if (index < 0 && option is not null)
                {
                    throw new DataFormatException(source.Path, headerLine, $"missing column: '{option}' (DataLoadOptions.{optionName}) is not in the header {FieldText.List(names)}.");
                }

                return index;
            }
        }

        return (Build(dataset.Items.Count, categories, pairItems, pairCategories, titles), reports);
    }

    private static (DataFormat Format, string Separator, bool Typed) FormatOf(string path)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".csv" => (DataFormat.Delimited, ",", false),
            ".tsv" => (DataFormat.Delimited, "\t", false),
            ".item" => (DataFormat.RecBoleAtomic, "\t", true),
            ".dat" => (DataFormat.MovieLensDat, "::", false),
            _ => throw new DataFormatException(path, 0,
                $"unknown item file format '{ext}': item files are MovieLens movies.csv (.csv/.tsv with a header, '|'-separated genres), movies.dat ('item::title::genres') or a RecBole .item file."),
        };
    }

    private static ReadOnlySpan<char> Compose(string? prefix, ReadOnlySpan<char> token, ref char[] buffer)
    {
        if (prefix is null)
        {
            return token;
        }

        int length = prefix.Length + token.Length;
        if (buffer.Length < length)
        {
            buffer = new char[length * 2];
        }

        prefix.CopyTo(buffer);
        token.CopyTo(buffer.AsSpan(prefix.Length));
        return buffer.AsSpan(0, length);
    }

    private static ItemFeatures Build(int itemCount, Vocabulary categories, List<int> items, List<int> categoryIds, string?[]? titles)
    {
        var offsets = new int[itemCount + 1];
        foreach (int item in items)
        {
            offsets[item + 1]++;
        }

        for (int i = 1; i <= itemCount; i++)
        {
            offsets[i] += offsets[i - 1];
        }

        var next = offsets[..itemCount];
        var ids = new int[items.Count];
        for (int k = 0; k < items.Count; k++)
        {
            ids[next[items[k]]++] = categoryIds[k];
        }

        return new ItemFeatures(categories, offsets, ids, titles);
    }
}
