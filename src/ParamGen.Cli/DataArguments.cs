using System.CommandLine;
using ParamGen.Data;

namespace ParamGen.Cli;

/// <summary>The options every data-reading command shares: files, format, column mapping and filters.</summary>
internal sealed class DataArguments
{
    public Option<string[]> Data { get; } = new("--data")
    {
        Description = "Interaction file; repeat it to merge several files as domains of one dataset (each file one domain).",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<DataFormat> Format { get; } = new("--format")
    {
        Description = "File format (default: detected from the extension and the first line).",
        DefaultValueFactory = _ => DataFormat.Auto,
    };

    public Option<string?> ItemFile { get; } = new("--item-file") { Description = "Item side file (MovieLens movies.csv or RecBole .item) with categories." };

    public Option<string?> UserColumn { get; } = new("--user-column") { Description = "Header name of the user column (default: a known name such as userId or user_id)." };

    public Option<string?> ItemColumn { get; } = new("--item-column") { Description = "Header name of the item column." };

    public Option<string?> TimeColumn { get; } = new("--time-column") { Description = "Header name of the timestamp column ('' for none)." };

    public Option<string?> RatingColumn { get; } = new("--rating-column") { Description = "Header name of the rating column ('' for none)." };

    public Option<string?> DomainColumn { get; } = new("--domain-column") { Description = "Header name of a domain column." };

    public Option<float?> MinRating { get; } = new("--min-rating") { Description = "Keep interactions rated at least this." };

    public Option<int> MinUser { get; } = new("--min-user") { Description = "k-core: keep users with at least this many interactions (default 0: off).", DefaultValueFactory = _ => 0 };

    public Option<int> MinItem { get; } = new("--min-item") { Description = "k-core: keep items with at least this many interactions (default 0: off).", DefaultValueFactory = _ => 0 };

    public Option<bool> RemoveRepeats { get; } = new("--remove-repeats") { Description = "Drop consecutive repeats of the same item." };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Data, Format, ItemFile, UserColumn, ItemColumn, TimeColumn, RatingColumn, DomainColumn, MinRating, MinUser, MinItem, RemoveRepeats })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Loads and filters the dataset the options describe.</summary>
    public LoadedData Load(ParseResult parsed)
    {
        var paths = parsed.GetValue(Data) ?? [];
        if (paths.Length == 0)
        {
            throw new CliUsageException("--data needs at least one file.");
        }

        foreach (var path in paths)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"{path}: no such file.");
            }
        }

        var options = new DataLoadOptions
        {
            Format = parsed.GetValue(Format),
            ItemFilePath = parsed.GetValue(ItemFile),
            UserColumn = parsed.GetValue(UserColumn),
            ItemColumn = parsed.GetValue(ItemColumn),
            TimestampColumn = parsed.GetValue(TimeColumn),
            RatingColumn = parsed.GetValue(RatingColumn),
            DomainColumn = parsed.GetValue(DomainColumn),
        };
        var loaded = paths.Length == 1
            ? DatasetLoader.LoadWithReport(paths[0], options)
            : DatasetLoader.LoadDomainsWithReport(paths.Select(p => new DomainSource(Path.GetFileNameWithoutExtension(p), p)), options);
        var filters = new FilterOptions
        {
            MinRating = parsed.GetValue(MinRating),
            MinUserInteractions = parsed.GetValue(MinUser),
            MinItemInteractions = parsed.GetValue(MinItem),
            RemoveConsecutiveRepeats = parsed.GetValue(RemoveRepeats),
        };
        var (dataset, filterReport) = DatasetFilters.Apply(loaded.Dataset, filters);
        return new LoadedData(dataset, loaded.Report, filterReport, options, filters);
    }
}

/// <summary>A dataset as loaded and filtered by <see cref="DataArguments"/>.</summary>
internal sealed record LoadedData(InteractionDataset Dataset, LoadReport LoadReport, FilterReport FilterReport, DataLoadOptions LoadOptions, FilterOptions FilterOptions);
