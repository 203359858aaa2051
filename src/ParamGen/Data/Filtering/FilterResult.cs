namespace ParamGen.Data;

/// <summary>The outcome of filtering: the new, compacted dataset and what each step removed.</summary>
/// <param name="Dataset">The filtered dataset, ids compacted (see <see cref="InteractionDataset.Subset(ReadOnlySpan{bool})"/>).</param>
/// <param name="Report">The counts removed and remaining, per step.</param>
public sealed record FilterResult(InteractionDataset Dataset, FilterReport Report);
