namespace ParamGen.Data;

/// <summary>
/// A dataset divided into training, validation and test examples. Every example indexes
/// <see cref="Dataset"/>; the examples of each part are ordered by user, then by <see cref="SequenceExample.End"/>.
/// </summary>
/// <param name="Dataset">The dataset the examples index: the split's input, unchanged (dropped users keep their ids but have no example).</param>
/// <param name="Train">Training examples.</param>
/// <param name="Valid">Validation examples (their inputs never hold a test interaction).</param>
/// <param name="Test">Test examples (no training example covers a validation or test interaction).</param>
/// <param name="Report">Counts: users dropped as too short, users without a training example, examples per part.</param>
public sealed record DatasetSplit(InteractionDataset Dataset, IReadOnlyList<SequenceExample> Train,
    IReadOnlyList<SequenceExample> Valid, IReadOnlyList<SequenceExample> Test, SplitReport Report);
