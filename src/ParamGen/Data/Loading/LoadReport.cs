using System.Globalization;
using System.Text;

namespace ParamGen.Data;

/// <summary>
/// What <see cref="DatasetLoader"/> read: per file the format, lines, rows and header; per item side file the rows
/// and how many matched no item; and the resulting counts.
/// </summary>
public sealed class LoadReport
{
    /// <summary>Creates a report.</summary>
    /// <param name="files">One entry per interaction file, in domain order.</param>
    /// <param name="itemFiles">One entry per item side file.</param>
    /// <param name="dataset">The loaded dataset (for the counts).</param>
    /// <param name="notes">Remarks such as a column dropped because not every merged file has it.</param>
    public LoadReport(IReadOnlyList<FileLoadReport> files, IReadOnlyList<ItemFileLoadReport> itemFiles, InteractionDataset dataset, IReadOnlyList<string> notes)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(itemFiles);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(notes);
        Files = files;
        ItemFiles = itemFiles;
        Notes = notes;
        Users = dataset.NumUsers;
        Items = dataset.NumItems;
        Interactions = dataset.NumInteractions;
        Domains = dataset.NumDomains;
    }

    /// <summary>The interaction files, in domain order.</summary>
    public IReadOnlyList<FileLoadReport> Files { get; }

    /// <summary>The item side files (empty when none).</summary>
    public IReadOnlyList<ItemFileLoadReport> ItemFiles { get; }

    /// <summary>Remarks, e.g. a column dropped because not every merged file has it.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Users in the dataset.</summary>
    public int Users { get; }

    /// <summary>Items in the dataset.</summary>
    public int Items { get; }

    /// <summary>Interactions in the dataset.</summary>
    public int Interactions { get; }

    /// <summary>Domains in the dataset (1 without a domain column).</summary>
    public int Domains { get; }

    /// <summary>Total lines read over the interaction files.</summary>
    public long LinesRead => Files.Sum(f => f.LinesRead);

    /// <summary>Total side rows that matched no item.</summary>
    public int UnmatchedItemRows => ItemFiles.Sum(f => f.UnmatchedRows);

    /// <summary>A few lines for a log or console.</summary>
    /// <returns>The report as text.</returns>
    public override string ToString()
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.Append(c, $"{Users:N0} users, {Items:N0} items, {Interactions:N0} interactions, {Domains} domain(s)").AppendLine();
        foreach (var f in Files)
        {
            s.Append(c, $"  {f.Path} [{f.Domain}]: {f.Format} ({f.FormatReason}); {f.LinesRead:N0} lines, {f.Rows:N0} rows");
            s.Append(f.SkippedHeader ? ", header skipped" : string.Empty);
            s.Append(f.BlankLines > 0 ? string.Create(c, $", {f.BlankLines:N0} blank lines") : string.Empty).AppendLine();
        }

        foreach (var f in ItemFiles)
        {
            s.Append(c, $"  {f.Path} [{f.Domain}]: {f.Rows:N0} item rows, {f.UnmatchedRows:N0} matched no item, {f.ItemsWithoutRow:N0} items without a row").AppendLine();
        }

        foreach (var note in Notes)
        {
            s.Append("  note: ").AppendLine(note);
        }

        return s.ToString();
    }
}
