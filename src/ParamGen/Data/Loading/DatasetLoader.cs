namespace ParamGen.Data;

/// <summary>
/// Loads interaction files into an <see cref="InteractionDataset"/>: one-line-per-user sequences, pairs, delimited
/// files with a header (MovieLens <c>ratings.csv</c>), MovieLens <c>.dat</c> and RecBole atomic <c>.inter</c>, with
/// optional item side files, and several files merged as the domains of one dataset.
/// </summary>
/// <remarks>
/// <para>The format is detected from the extension and the first line (see <see cref="DataFormat.Auto"/>) or set in
/// <see cref="DataLoadOptions.Format"/>. For <c>.txt</c>/<c>.seq</c> files, one-line-per-user and pair layouts read
/// the same way (a <c>user item</c> line is a one-item sequence), so no guess can go wrong; the report says
/// <see cref="DataFormat.Pairs"/> when every line had exactly two tokens. Set <see cref="DataFormat.Pairs"/> to
/// require two tokens per line.</para>
/// <para>Files are streamed: plain formats are parsed as spans over a line buffer, delimited files with CsvHelper;
/// a token becomes a string only the first time it is seen. Any bad line throws <see cref="DataFormatException"/>
/// naming the file and 1-based line before anything is returned.</para>
/// <para><see cref="Load"/> returns the dataset; <see cref="LoadWithReport"/> returns it with a
/// <see cref="LoadReport"/> (lines, rows, header, counts, unmatched item rows).</para>
/// </remarks>
public static class DatasetLoader
{
    /// <summary>The separator between a domain and a token in namespaced ids: <c>Beauty/17</c>.</summary>
    public const char NamespaceSeparator = '/';

    /// <summary>Header names recognised as the user column, in order of preference (matched ignoring case).</summary>
    public static IReadOnlyList<string> KnownUserColumns { get; } = ["userId", "user_id", "user", "uid", "reviewerID", "customer_id"];

    /// <summary>Header names recognised as the item column.</summary>
    public static IReadOnlyList<string> KnownItemColumns { get; } = ["movieId", "itemId", "item_id", "item", "iid", "movie_id", "asin", "product_id", "business_id"];

    /// <summary>Header names recognised as the timestamp column (read as numbers).</summary>
    public static IReadOnlyList<string> KnownTimestampColumns { get; } = ["timestamp", "time", "ts", "unixReviewTime", "unix_time"];

    /// <summary>Header names recognised as the rating column.</summary>
    public static IReadOnlyList<string> KnownRatingColumns { get; } = ["rating", "ratings", "score", "overall", "stars"];

    /// <summary>Header names recognised as the domain column of a single file.</summary>
    public static IReadOnlyList<string> KnownDomainColumns { get; } = ["domain", "domain_id"];

    /// <summary>Header names recognised as an item file's category column.</summary>
    public static IReadOnlyList<string> KnownCategoryColumns { get; } = ["genres", "genre", "categories", "category", "class", "categories_list"];

    /// <summary>Header names recognised as an item file's title column.</summary>
    public static IReadOnlyList<string> KnownTitleColumns { get; } = ["title", "movie_title", "name", "item_name", "product_name"];

    /// <summary>Loads one interaction file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">How to read it; default <see cref="DataLoadOptions.Default"/> (auto-detect).</param>
    /// <returns>The dataset, named after the file (without extension).</returns>
    /// <exception cref="DataFormatException">The file is empty, header-only, of an unknown format, lacks a mapped column, or has a bad line.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static InteractionDataset Load(string path, DataLoadOptions? options = null) => LoadWithReport(path, options).Dataset;

    /// <summary>Loads one interaction file and reports what was read.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">How to read it; default <see cref="DataLoadOptions.Default"/>.</param>
    /// <returns>The dataset and its <see cref="LoadReport"/>.</returns>
    /// <exception cref="DataFormatException">See <see cref="Load"/>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static LoadResult LoadWithReport(string path, DataLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= DataLoadOptions.Default;
        options.Validate();
        var plan = FormatDetector.Plan(path, options, readDomain: true);
        string name = Path.GetFileNameWithoutExtension(path);
        var builder = new InteractionDatasetBuilder(name, plan.HasTimestamps, plan.HasRatings, plan.HasDomainColumn, EstimateRows(plan));
        var fileReport = InteractionFileReader.Read(plan, new RowSink(builder, path, null, null, -1), name);
        var dataset = builder.Build();
        IReadOnlyList<ItemFileLoadReport> itemReports = [];
        if (options.ItemFilePath is { } itemPath)
        {
            (var features, itemReports) = ItemFileReader.Read(dataset, [new ItemFileReader.Source(itemPath, name, null, -1)], options);
            dataset = dataset.WithItemFeatures(features);
        }

        return new LoadResult(dataset, new LoadReport([fileReport], itemReports, dataset, []));
    }

    /// <summary>Loads several files as the domains of one dataset, each domain named after its file (without extension).</summary>
    /// <param name="paths">The files, in domain order.</param>
    /// <param name="options">How to read them (one options object for all); default <see cref="DataLoadOptions.Default"/>.</param>
    /// <returns>The merged dataset (see <see cref="LoadDomainsWithReport"/>).</returns>
    public static InteractionDataset LoadDomains(IEnumerable<string> paths, DataLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return LoadDomainsWithReport(paths.Select(p => DomainSource.FromPath(p)), options).Dataset;
    }

    /// <summary>Loads several files as named domains of one dataset.</summary>
    /// <param name="files">(domain name, file) pairs, in domain order.</param>
    /// <param name="options">How to read them; default <see cref="DataLoadOptions.Default"/>.</param>
    /// <returns>The merged dataset (see <see cref="LoadDomainsWithReport"/>).</returns>
    public static InteractionDataset LoadDomains(IEnumerable<(string Name, string Path)> files, DataLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        return LoadDomainsWithReport(files.Select(f => new DomainSource(f.Name, f.Path)), options).Dataset;
    }

    /// <summary>Loads several files (each with an optional item side file) as the domains of one dataset.</summary>
    /// <param name="sources">The domains, in order.</param>
    /// <param name="options">How to read them; default <see cref="DataLoadOptions.Default"/>.</param>
    /// <returns>The merged dataset (see <see cref="LoadDomainsWithReport"/>).</returns>
    public static InteractionDataset LoadDomains(IEnumerable<DomainSource> sources, DataLoadOptions? options = null) =>
        LoadDomainsWithReport(sources, options).Dataset;

    /// <summary>
    /// Loads several files as the domains of one dataset and reports what was read.
    /// </summary>
    /// <remarks>
    /// <para>Domain k is source k: every row of a file gets that domain (a domain column inside the files is not
    /// read). User and item tokens are namespaced by domain (<c>Beauty/17</c>, see <see cref="NamespaceSeparator"/>)
    /// unless <see cref="DataLoadOptions.ShareUsersAcrossDomains"/> or
    /// <see cref="DataLoadOptions.ShareItemsAcrossDomains"/> is set. Item side files are matched by the file's own
    /// tokens (namespaced the same way); categories are shared across domains.</para>
    /// <para>A timestamp or rating column is kept only when every file has it (the report notes a dropped column).
    /// A shared user's interactions are ordered by timestamp; without timestamps, in source order.</para>
    /// </remarks>
    /// <param name="sources">The domains, in order; names must be distinct and non-empty.</param>
    /// <param name="options">How to read them; default <see cref="DataLoadOptions.Default"/>.</param>
    /// <returns>The merged dataset, named <c>A+B+...</c>, and its report.</returns>
    /// <exception cref="ArgumentException">No sources, a repeated or empty name, or options that do not apply (ItemFilePath, DomainColumn).</exception>
    /// <exception cref="DataFormatException">A file is empty, header-only, of an unknown format, lacks a column, or has a bad line.</exception>
    public static LoadResult LoadDomainsWithReport(IEnumerable<DomainSource> sources, DataLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        options ??= DataLoadOptions.Default;
        options.Validate();
        var list = sources.ToList();
        CheckDomainSources(list, options);
        var plans = list.Select(s => FormatDetector.Plan(s.Path, options, readDomain: false)).ToList();
        var notes = new List<string>();
        bool hasTimestamps = KeepColumn(plans, list, p => p.HasTimestamps, "timestamps", notes);
        bool hasRatings = KeepColumn(plans, list, p => p.HasRatings, "ratings", notes);
        string name = string.Join('+', list.Select(s => s.Name));
        var builder = new InteractionDatasetBuilder(name, hasTimestamps, hasRatings, hasDomains: true, (int)Math.Min(1 << 26, plans.Sum(p => (long)EstimateRows(p))));
        foreach (var source in list)
        {
            builder.DomainId(source.Name);
        }

        var fileReports = new List<FileLoadReport>();
        for (int k = 0; k < list.Count; k++)
        {
            string prefix = list[k].Name + NamespaceSeparator;
            var sink = new RowSink(builder, list[k].Path, options.ShareUsersAcrossDomains ? null : prefix, options.ShareItemsAcrossDomains ? null : prefix, k);
            fileReports.Add(InteractionFileReader.Read(plans[k], sink, list[k].Name));
        }

        var dataset = builder.Build();
        var itemSources = list.Select((s, k) => (s, k)).Where(p => p.s.ItemFilePath is not null)
            .Select(p => new ItemFileReader.Source(p.s.ItemFilePath!, p.s.Name, options.ShareItemsAcrossDomains ? null : p.s.Name + NamespaceSeparator, p.k))
            .ToList();
        IReadOnlyList<ItemFileLoadReport> itemReports = [];
        if (itemSources.Count > 0)
        {
            (var features, itemReports) = ItemFileReader.Read(dataset, itemSources, options);
            dataset = dataset.WithItemFeatures(features);
        }

        return new LoadResult(dataset, new LoadReport(fileReports, itemReports, dataset, notes));
    }

    private static void CheckDomainSources(List<DomainSource> list, DataLoadOptions options)
    {
        if (list.Count == 0)
        {
            throw new ArgumentException("LoadDomains needs at least one file.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in list)
        {
            ArgumentNullException.ThrowIfNull(source);
            if (string.IsNullOrWhiteSpace(source.Name) || string.IsNullOrEmpty(source.Path))
            {
                throw new ArgumentException($"LoadDomains: every domain needs a name and a path (got name '{source.Name}', path '{source.Path}').");
            }

            if (!seen.Add(source.Name))
            {
                throw new ArgumentException($"LoadDomains: the domain name '{source.Name}' is used twice; pass (name, path) pairs with distinct names.");
            }
        }

        if (options.ItemFilePath is not null)
        {
            throw new ArgumentException("LoadDomains: DataLoadOptions.ItemFilePath is for one file; give each domain its item file with DomainSource.ItemFilePath.");
        }

        if (options.DomainColumn is { Length: > 0 })
        {
            throw new ArgumentException("LoadDomains: each file is one domain, so DataLoadOptions.DomainColumn does not apply; use Load for a file with a domain column.");
        }
    }

    private static bool KeepColumn(List<FilePlan> plans, List<DomainSource> sources, Func<FilePlan, bool> has, string what, List<string> notes)
    {
        int with = plans.Count(has);
        if (with > 0 && with < plans.Count)
        {
            var without = sources.Where((_, k) => !has(plans[k])).Select(s => s.Name);
            notes.Add($"{what} dropped: {string.Join(", ", without)} has none, so the merged dataset has no {what}.");
        }

        return with == plans.Count;
    }

    /// <summary>A first guess of the row count from the file size, so the builder rarely grows (it grows as needed).</summary>
    private static int EstimateRows(FilePlan plan)
    {
        long bytes = new FileInfo(plan.Path).Length;
        long perRow = plan.Columns is null ? 6 : 24;
        return (int)Math.Clamp(bytes / perRow, 1024, 1 << 26);
    }
}
