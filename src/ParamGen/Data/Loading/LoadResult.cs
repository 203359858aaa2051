namespace ParamGen.Data;

/// <summary>A loaded dataset and the report of how it was read.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Report">What was read: format, lines, rows, header, counts, unmatched side rows.</param>
public sealed record LoadResult(InteractionDataset Dataset, LoadReport Report);
