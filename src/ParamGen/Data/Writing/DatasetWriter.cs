using ParamGen.Tensors.Serialization;
using System.Globalization;
using System.Text;
using CsvHelper;

namespace ParamGen.Data;

/// <summary>
/// Writes an <see cref="InteractionDataset"/> in the formats <see cref="DatasetLoader"/> reads, so that reading the
/// file back gives the same dataset: the same user and item tokens, sequences, timestamps, ratings and domains
/// (ids may be numbered differently when the original was not in first-seen order; compare by token).
/// </summary>
/// <remarks>
/// <para>Rows are written user by user (in user id order), each user's interactions oldest first. Users without
/// interactions cannot be written in any format and are left out.</para>
/// <para>What each format holds: <see cref="DataFormat.UserSequences"/> and <see cref="DataFormat.Pairs"/> hold order
/// only; <see cref="DataFormat.MovieLensDat"/> holds ratings, and timestamps after them (<c>user::item::rating::timestamp</c>);
/// <see cref="DataFormat.Delimited"/> (header <c>userId,itemId,rating,timestamp,domain</c>) and
/// <see cref="DataFormat.RecBoleAtomic"/> (header <c>user_id:token item_id:token rating:float timestamp:float domain:token</c>)
/// hold every column the dataset has. Writing a column into a format that cannot hold it throws unless
/// <c>dropUnsupportedColumns</c> is set; <see cref="WriteDomains"/> keeps domains in any format (one file per domain).</para>
/// <para>A token that the format cannot carry (whitespace in a user-sequence file, a tab in <c>.inter</c>, <c>::</c>
/// in <c>.dat</c>, a line break anywhere) throws <see cref="ArgumentException"/> naming it, before any file is
/// touched. Files are written to a temporary file and moved into place, so a failed write leaves no half file.</para>
/// </remarks>
public static class DatasetWriter
{
    /// <summary>Writes a dataset to one file.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="format">The format; default <see cref="DataFormat.Auto"/> = from the extension (<c>.txt</c>/<c>.seq</c>
    /// user sequences, <c>.pairs</c> pairs, <c>.csv</c> comma- and <c>.tsv</c> tab-delimited, <c>.dat</c>, <c>.inter</c>).</param>
    /// <param name="dropUnsupportedColumns">Whether to leave out timestamps, ratings or domains the format cannot hold
    /// (default false: throw).</param>
    /// <exception cref="ArgumentException">Unknown extension, a column the format cannot hold, or a token it cannot carry.</exception>
    public static void Write(InteractionDataset dataset, string path, DataFormat format = DataFormat.Auto, bool dropUnsupportedColumns = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(path);
        format = Resolve(format, path);
        var layout = RowLayout.For(dataset, format, domainColumn: dataset.HasDomains, dropUnsupportedColumns, path);
        var rows = new RowSelection(dataset, -1, null, null);
        CheckTokens(dataset, rows, layout, path);
        WriteAtomically(path, tmp => WriteRows(dataset, rows, layout, tmp, Separator(format, path)));
    }

    /// <summary>
    /// Writes each domain of a dataset to its own file <c>directory/&lt;domain&gt;.&lt;ext&gt;</c> (and, when the
    /// dataset has item features, <c>&lt;domain&gt;.item</c>), so that
    /// <see cref="DatasetLoader.LoadDomains(IEnumerable{DomainSource}, DataLoadOptions?)"/> on the returned sources reads
    /// the same dataset back. Tokens namespaced by their domain (<c>Beauty/17</c>) are written without the prefix,
    /// which loading adds again; tokens shared across domains are written as they are (load them with
    /// <see cref="DataLoadOptions.ShareUsersAcrossDomains"/> / <see cref="DataLoadOptions.ShareItemsAcrossDomains"/>).
    /// </summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="directory">The folder (created if missing).</param>
    /// <param name="format">The format of the interaction files (not <see cref="DataFormat.Auto"/>).</param>
    /// <param name="dropUnsupportedColumns">Whether to leave out timestamps or ratings the format cannot hold (default false: throw).</param>
    /// <returns>The domains in id order with their files, ready for <c>LoadDomains</c>.</returns>
    /// <exception cref="ArgumentException">A domain name that is not a file name, a domain whose tokens are only partly
    /// prefixed with its name, or a column or token the format cannot hold.</exception>
    public static IReadOnlyList<DomainSource> WriteDomains(InteractionDataset dataset, string directory, DataFormat format, bool dropUnsupportedColumns = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (format == DataFormat.Auto || !Enum.IsDefined(format))
        {
            throw new ArgumentException($"WriteDomains needs a concrete format, not {format}.", nameof(format));
        }

        var invalid = Path.GetInvalidFileNameChars();
        foreach (var name in dataset.DomainNames)
        {
            if (name.Length == 0 || name.IndexOfAny(invalid) >= 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name is "." or "..")
            {
                throw new ArgumentException($"WriteDomains: domain name '{name}' cannot be a file name.", nameof(dataset));
            }
        }

        string ext = Extension(format);
        var plans = new List<(RowSelection Rows, string Path, string? ItemPath)>();
        var layout = RowLayout.For(dataset, format, domainColumn: false, dropUnsupportedColumns, directory);
        for (int d = 0; d < dataset.NumDomains; d++)
        {
            string prefix = dataset.DomainNames[d] + DatasetLoader.NamespaceSeparator;
            var all = new RowSelection(dataset, dataset.HasDomains ? d : -1, null, null);
            var rows = new RowSelection(dataset, all.Domain, StripPrefix(dataset, all, prefix, users: true), StripPrefix(dataset, all, prefix, users: false));
            string path = Path.Combine(directory, dataset.DomainNames[d] + ext);
            CheckTokens(dataset, rows, layout, path);
            string? itemPath = dataset.ItemFeatures is null ? null : Path.Combine(directory, dataset.DomainNames[d] + ".item");
            plans.Add((rows, path, itemPath));
        }

        if (dataset.ItemFeatures is not null)
        {
            CheckItemFeatureText(dataset, ".item");
        }

        Directory.CreateDirectory(directory);
        var sources = new List<DomainSource>();
        for (int d = 0; d < plans.Count; d++)
        {
            var (rows, path, itemPath) = plans[d];
            if (rows.Count > 0)
            {
                WriteAtomically(path, tmp => WriteRows(dataset, rows, layout, tmp, Separator(format, path)));
                if (itemPath is not null)
                {
                    WriteAtomically(itemPath, tmp => WriteItemFile(dataset, tmp, ".item", item => !dataset.HasDomains || dataset.ItemDomains[item] == rows.Domain, rows.ItemPrefix));
                }

                sources.Add(new DomainSource(dataset.DomainNames[d], path, itemPath));
            }
        }

        return sources;
    }

    /// <summary>
    /// Writes the dataset's item features (categories and titles) as an item side file that
    /// <see cref="DataLoadOptions.ItemFilePath"/> reads back: a RecBole <c>.item</c> file
    /// (<c>item_id:token categories:token_seq title:token_seq</c>) or a MovieLens-style <c>.csv</c>
    /// (<c>itemId,title,genres</c> with <c>|</c>-separated genres). Items with neither categories nor a title are left out.
    /// </summary>
    /// <param name="dataset">A dataset with <see cref="InteractionDataset.ItemFeatures"/>.</param>
    /// <param name="path">The file (<c>.item</c> or <c>.csv</c>).</param>
    /// <exception cref="ArgumentException">No item features, another extension, or a category or title the format cannot carry.</exception>
    public static void WriteItemFeatures(InteractionDataset dataset, string path)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (dataset.ItemFeatures is null)
        {
            throw new ArgumentException($"Dataset '{dataset.Name}' has no item features to write.", nameof(dataset));
        }

        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not ".item" and not ".csv")
        {
            throw new ArgumentException($"WriteItemFeatures writes .item (RecBole) or .csv (MovieLens movies.csv style) files, not '{ext}'.", nameof(path));
        }

        CheckItemFeatureText(dataset, ext);
        var rule = TokenRule.For(ext == ".item" ? DataFormat.RecBoleAtomic : DataFormat.Delimited);
        for (int id = 1; id < dataset.Items.Count; id++)
        {
            rule.Check(dataset.Items.GetToken(id), "item", path, null);
        }

        WriteAtomically(path, tmp => WriteItemFile(dataset, tmp, ext, _ => true, null));
    }

    private static DataFormat Resolve(DataFormat format, string path)
    {
        if (format != DataFormat.Auto)
        {
            return Enum.IsDefined(format) ? format : throw new ArgumentException($"{(int)format} is not a DataFormat.", nameof(format));
        }

        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".txt" or ".seq" => DataFormat.UserSequences,
            ".pairs" => DataFormat.Pairs,
            ".csv" or ".tsv" => DataFormat.Delimited,
            ".dat" => DataFormat.MovieLensDat,
            ".inter" => DataFormat.RecBoleAtomic,
            var ext => throw new ArgumentException(
                $"Cannot tell the format from the extension '{ext}' of '{path}': use .txt/.seq (user sequences), .pairs, .csv, .tsv, .dat or .inter, or pass the format.", nameof(path)),
        };
    }

    private static string Extension(DataFormat format) => format switch
    {
        DataFormat.UserSequences => ".txt",
        DataFormat.Pairs => ".pairs",
        DataFormat.Delimited => ".csv",
        DataFormat.MovieLensDat => ".dat",
        _ => ".inter",
    };

    private static string Separator(DataFormat format, string path) => format switch
    {
        DataFormat.UserSequences or DataFormat.Pairs => " ",
        DataFormat.MovieLensDat => "::",
        DataFormat.RecBoleAtomic => "\t",
        _ => Path.GetExtension(path).Equals(".tsv", StringComparison.OrdinalIgnoreCase) ? "\t" : ",",
    };

    /// <summary>The prefix to strip from one domain's user (or item) tokens: all carry it → strip; none → keep; some → error.</summary>
    private static string? StripPrefix(InteractionDataset dataset, RowSelection rows, string prefix, bool users)
    {
        int with = 0, total = 0;
        var vocabulary = users ? dataset.Users : dataset.Items;
        foreach (int id in users ? rows.UserIds() : rows.ItemIds())
        {
            total++;
            with += vocabulary.GetToken(id).StartsWith(prefix, StringComparison.Ordinal) ? 1 : 0;
        }

        if (with > 0 && with < total)
        {
            throw new ArgumentException(
                $"WriteDomains: {with} of the {total} {vocabulary.Name} tokens of domain '{prefix[..^1]}' start with '{prefix}' and the others do not, so the files could not be read back the same way.");
        }

        return with > 0 ? prefix : null;
    }

    private static void CheckTokens(InteractionDataset dataset, RowSelection rows, RowLayout layout, string path)
    {
        var rule = TokenRule.For(layout.Format);
        foreach (int u in rows.UserIds())
        {
            rule.Check(dataset.Users.GetToken(u), "user", path, rows.UserPrefix);
        }

        foreach (int i in rows.ItemIds())
        {
            rule.Check(dataset.Items.GetToken(i), "item", path, rows.ItemPrefix);
        }

        if (layout.Domain)
        {
            foreach (var name in dataset.DomainNames)
            {
                rule.Check(name, "domain", path, null);
            }
        }
    }

    private static void CheckItemFeatureText(InteractionDataset dataset, string ext)
    {
        var features = dataset.ItemFeatures!;
        char separator = ext == ".item" ? ' ' : '|';
        for (int c = 1; c < features.Categories.Count; c++)
        {
            string token = features.Categories.GetToken(c);
            if (token.Length == 0 || token.Contains(separator, StringComparison.Ordinal) || token.AsSpan().IndexOfAny("\t\r\n") >= 0 || token != token.Trim()
                || token == ItemFileReader.NoGenresListed)
            {
                throw new ArgumentException($"Category '{token}' cannot be written to a {ext} item file (it holds the separator '{separator}', a tab or line break, or surrounding spaces).", nameof(dataset));
            }
        }

        for (int i = 1; i < features.NumItems && features.HasTitles; i++)
        {
            string? title = features.TitleOf(i);
            if (title is not null && (title.AsSpan().IndexOfAny("\t\r\n") >= 0 || title != title.Trim()))
            {
                throw new ArgumentException($"The title of item '{dataset.Items.GetToken(i)}' holds a tab, a line break or surrounding spaces and cannot be written.", nameof(dataset));
            }
        }
    }

    private static void WriteAtomically(string path, Action<string> write) => AtomicFile.Write(path, write);

    private static void WriteRows(InteractionDataset dataset, RowSelection rows, RowLayout layout, string path, string separator)
    {
        if (layout.Format == DataFormat.Delimited)
        {
            WriteCsv(dataset, rows, layout, path, separator[0]);
            return;
        }

        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        writer.NewLine = "\n";
        if (layout.Format == DataFormat.RecBoleAtomic)
        {
            writer.WriteLine(string.Join('\t', layout.Names(typed: true)));
        }

        Span<char> number = stackalloc char[32];
        var offsets = dataset.UserOffsets;
        var items = dataset.ItemColumn;
        var times = dataset.TimestampColumn;
        var ratings = dataset.RatingColumn;
        var domains = dataset.DomainColumn;
        for (int u = 1; u <= dataset.NumUsers; u++)
        {
            bool lineOpen = false;
            for (int r = offsets[u]; r < offsets[u + 1]; r++)
            {
                if (rows.Domain >= 0 && domains[r] != rows.Domain)
                {
                    continue;
                }

                if (layout.Format == DataFormat.UserSequences)
                {
                    if (!lineOpen)
                    {
                        writer.Write(Strip(dataset.Users.GetToken(u), rows.UserPrefix));
                        lineOpen = true;
                    }

                    writer.Write(' ');
                    writer.Write(Strip(dataset.Items.GetToken(items[r]), rows.ItemPrefix));
                    continue;
                }

                writer.Write(Strip(dataset.Users.GetToken(u), rows.UserPrefix));
                writer.Write(separator);
                writer.Write(Strip(dataset.Items.GetToken(items[r]), rows.ItemPrefix));
                if (layout.Rating)
                {
                    writer.Write(separator);
                    writer.Write(Format(ratings[r], number));
                }

                if (layout.Timestamp)
                {
                    writer.Write(separator);
                    writer.Write(Format(times[r], number));
                }

                if (layout.Domain)
                {
                    writer.Write(separator);
                    writer.Write(dataset.DomainNames[domains[r]]);
                }

                writer.Write('\n');
            }

            if (lineOpen)
            {
                writer.Write('\n');
            }
        }
    }

    private static void WriteCsv(InteractionDataset dataset, RowSelection rows, RowLayout layout, string path, char separator)
    {
        var options = new CsvWriterOptions { Separator = separator, NewLine = "\n", Quoting = CsvQuoting.WhenNeededOrWhitespace, FormatProvider = CultureInfo.InvariantCulture };
        using var csv = CsvWriter.ToFile(path, options);
        csv.WriteRecord(layout.Names(typed: false));
        Span<char> number = stackalloc char[32];
        var offsets = dataset.UserOffsets;
        var items = dataset.ItemColumn;
        var times = dataset.TimestampColumn;
        var ratings = dataset.RatingColumn;
        var domains = dataset.DomainColumn;
        for (int u = 1; u <= dataset.NumUsers; u++)
        {
            var user = Strip(dataset.Users.GetToken(u), rows.UserPrefix);
            for (int r = offsets[u]; r < offsets[u + 1]; r++)
            {
                if (rows.Domain >= 0 && domains[r] != rows.Domain)
                {
                    continue;
                }

                csv.WriteField(user);
                csv.WriteField(Strip(dataset.Items.GetToken(items[r]), rows.ItemPrefix));
                if (layout.Rating)
                {
                    csv.WriteField(Format(ratings[r], number));
                }

                if (layout.Timestamp)
                {
                    csv.WriteField(Format(times[r], number));
                }

                if (layout.Domain)
                {
                    csv.WriteField(dataset.DomainNames[domains[r]]);
                }

                csv.EndRecord();
            }
        }
    }

    private static void WriteItemFile(InteractionDataset dataset, string path, string ext, Func<int, bool> include, string? itemPrefix)
    {
        var features = dataset.ItemFeatures!;
        var categories = new StringBuilder();
        if (ext == ".csv")
        {
            using var csv = CsvWriter.ToFile(path, new CsvWriterOptions { NewLine = "\n", Quoting = CsvQuoting.WhenNeededOrWhitespace });
            csv.WriteRecord(["itemId", "title", "genres"]);
            for (int i = 1; i < features.NumItems; i++)
            {
                if (include(i) && Described(i))
                {
                    csv.WriteField(Strip(dataset.Items.GetToken(i), itemPrefix));
                    csv.WriteField(features.TitleOf(i) ?? string.Empty);
                    csv.WriteField(Join(i, '|'));
                    csv.EndRecord();
                }
            }

            return;
        }

        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        writer.Write(features.HasTitles ? "item_id:token\tcategories:token_seq\ttitle:token_seq\n" : "item_id:token\tcategories:token_seq\n");
        for (int i = 1; i < features.NumItems; i++)
        {
            if (include(i) && Described(i))
            {
                writer.Write(Strip(dataset.Items.GetToken(i), itemPrefix));
                writer.Write('\t');
                writer.Write(Join(i, ' '));
                if (features.HasTitles)
                {
                    writer.Write('\t');
                    writer.Write(features.TitleOf(i));
                }

                writer.Write('\n');
            }
        }

        bool Described(int item) => !features.CategoriesOf(item).IsEmpty || !string.IsNullOrEmpty(features.TitleOf(item));

        string Join(int item, char separator)
        {
            categories.Clear();
            foreach (int c in features.CategoriesOf(item))
            {
                if (categories.Length > 0)
                {
                    categories.Append(separator);
                }

                categories.Append(features.Categories.GetToken(c));
            }

            return categories.ToString();
        }
    }

    private static ReadOnlySpan<char> Strip(string token, string? prefix) => prefix is null ? token : token.AsSpan(prefix.Length);

    private static ReadOnlySpan<char> Format(double value, Span<char> buffer) =>
        value.TryFormat(buffer, out int n, "R", CultureInfo.InvariantCulture) ? buffer[..n] : value.ToString("R", CultureInfo.InvariantCulture);

    private static ReadOnlySpan<char> Format(float value, Span<char> buffer) =>
        value.TryFormat(buffer, out int n, "R", CultureInfo.InvariantCulture) ? buffer[..n] : value.ToString("R", CultureInfo.InvariantCulture);
}
