namespace ParamGen.Data;

/// <summary>How one interaction file was read.</summary>
/// <param name="Path">The file.</param>
/// <param name="Domain">The domain its rows went to: the file's domain when merged, else the dataset name.</param>
/// <param name="Format">The format used (detected or set).</param>
/// <param name="FormatReason">Why that format: the option, or what auto-detection saw.</param>
/// <param name="LinesRead">Lines read, blank ones and the header included.</param>
/// <param name="Rows">Interactions read from the file.</param>
/// <param name="SkippedHeader">Whether a header row was skipped.</param>
/// <param name="BlankLines">Empty or whitespace-only lines skipped.</param>
/// <param name="Columns">The column names used (the header's, or the positional names); empty for user-sequence and pair files.</param>
public sealed record FileLoadReport(string Path, string Domain, DataFormat Format, string FormatReason, long LinesRead, long Rows,
    bool SkippedHeader, long BlankLines, IReadOnlyList<string> Columns);
