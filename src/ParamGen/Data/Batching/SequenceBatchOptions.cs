namespace ParamGen.Data;

/// <summary>
/// Settings of a <see cref="SequenceBatcher"/>: batch size, sequence window, shuffling.
/// </summary>
public sealed record SequenceBatchOptions
{
    /// <summary>Examples per batch (default 256). At least 1.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>
    /// The window L (default 50): each input keeps its most recent L items, and every batch tensor is
    /// <c>[B, L]</c> whatever the lengths in the batch. At least 1.
    /// </summary>
    public int MaxLength { get; init; } = 50;

    /// <summary>
    /// Whether each epoch visits the examples in a new random order (default false: the order given, as
    /// <c>torch.utils.data.DataLoader</c>). Set it for training; leave it off for evaluation.
    /// </summary>
    public bool Shuffle { get; init; }

    /// <summary>
    /// The shuffling seed (default null: when <see cref="Shuffle"/> is set, one value drawn from
    /// <see cref="Tensors.Random.Generator.Default"/> when the batcher is created, so seeding the default generator
    /// makes runs repeatable; without shuffling nothing is drawn). Epoch e's order depends only on (seed, e).
    /// </summary>
    public ulong? Seed { get; init; }

    /// <summary>Whether to skip the last batch when it has fewer than <see cref="BatchSize"/> examples (default false).</summary>
    public bool DropLast { get; init; }

    /// <summary>
    /// Whether batches hold examples of similar lengths (default false), as Hugging Face's <c>group_by_length</c>:
    /// the epoch's order (shuffled or not) is cut into pools of <see cref="LengthGroupPool"/> batches, each pool is
    /// sorted by input length (longest first, ties keeping their order) and cut into batches, and then the full
    /// batches of the epoch are shuffled (with <see cref="Shuffle"/>), so a run still sees lengths in a random order.
    /// With <see cref="TrimToLongest"/> this removes most of the padding of data whose lengths vary widely.
    /// </summary>
    public bool GroupByLength { get; init; }

    /// <summary>Batches per pool of <see cref="GroupByLength"/> (default 50, as Hugging Face's megabatches). At least 1.</summary>
    public int LengthGroupPool { get; init; } = 50;

    /// <summary>
    /// Whether each batch's window is the longest input in it, capped at <see cref="MaxLength"/> (default false:
    /// every batch is <c>[B, MaxLength]</c>). Only for models whose states ignore left padding
    /// (<see cref="Backbones.ISequentialBackbone.IgnoresLeftPadding"/>): the rows stay right-aligned, so such a
    /// model computes the same states from fewer positions.
    /// </summary>
    public bool TrimToLongest { get; init; }

    /// <summary>Checks every value and throws naming the first bad one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its documented range, or a [BatchSize, MaxLength] tensor would be too large.</exception>
    public void Validate()
    {
        if (BatchSize < 1)
        {
            throw Bad(nameof(BatchSize), BatchSize, "must be at least 1");
        }

        if (MaxLength < 1)
        {
            throw Bad(nameof(MaxLength), MaxLength, "must be at least 1");
        }

        if (LengthGroupPool < 1)
        {
            throw Bad(nameof(LengthGroupPool), LengthGroupPool, "must be at least 1");
        }

        if ((long)BatchSize * MaxLength > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, $"{nameof(SequenceBatchOptions)}: BatchSize {BatchSize} x MaxLength {MaxLength} elements do not fit one tensor.");
        }
    }

    private static ArgumentOutOfRangeException Bad(string property, object value, string rule) =>
        OptionCheck.Invalid(nameof(SequenceBatchOptions), property, value, rule);
}
