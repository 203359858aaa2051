namespace ParamGen.Data;

/// <summary>How one item side file was read and matched to the dataset's items.</summary>
/// <param name="Path">The file.</param>
/// <param name="Domain">The domain whose items it describes (the dataset name for a single file).</param>
/// <param name="LinesRead">Lines read, the header and blank lines included.</param>
/// <param name="Rows">Item rows read.</param>
/// <param name="UnmatchedRows">Rows whose item token is not an item of the interactions (not loaded).</param>
/// <param name="ItemsWithoutRow">Items of the interactions (of this domain) that no row describes.</param>
/// <param name="CategoryColumn">The category column used, or null when none.</param>
/// <param name="TitleColumn">The title column used, or null when none.</param>
public sealed record ItemFileLoadReport(string Path, string Domain, long LinesRead, int Rows, int UnmatchedRows, int ItemsWithoutRow,
    string? CategoryColumn, string? TitleColumn);
