using ParamGen.Tensors;

namespace ParamGen.Data;

/// <summary>
/// A batch of B sequence examples laid out for a sequential recommender, as float32 tensors holding integer
/// ids (the <c>ParamGen.Tensors</c> index convention) plus the small per-row arrays.
/// </summary>
/// <remarks>
/// <para>Row b is the example <c>Examples[b] = (u, End)</c>: its input is the user's items
/// <c>seq[0 .. End - 1)</c>, truncated to the most recent L = <see cref="MaxLength"/>, and right-aligned (left
/// padding with 0), so the most recent item is always at column L - 1:</para>
/// <code>
/// seq = [a b c d e], End = 5, L = 6:  ItemIds = [0 0 a b c d]   Targets = [0 0 b c d e]   LastTargets = e
/// seq = [a b c d e], End = 5, L = 3:  ItemIds = [b c d]         Targets = [c d e]         LastTargets = e
/// </code>
/// <para><see cref="Targets"/> holds, at each input position, the item that follows it (all-position training;
/// 0 at padding, so use ignore index 0 in cross-entropy); its last column equals <see cref="LastTargets"/>
/// (prefix / last-position training and evaluation).</para>
/// </remarks>
public sealed class SequenceBatch
{
    private readonly int[] _lengths;
    private readonly int[] _userIds;
    private readonly int[] _domainIds;
    private readonly SequenceExample[] _examples;

    private SequenceBatch(int maxLength, float[] itemIds, float[] targets, float[] lastTargets, float[] domains, int[] lengths, int[] userIds, int[] domainIds, SequenceExample[] examples)
    {
        int b = lengths.Length;
        MaxLength = maxLength;
        ItemIds = new Tensor(itemIds, b, maxLength);
        Targets = new Tensor(targets, b, maxLength);
        LastTargets = new Tensor(lastTargets, b);
        DomainIdTensor = new Tensor(domains, b);
        _lengths = lengths;
        _userIds = userIds;
        _domainIds = domainIds;
        _examples = examples;
    }

    /// <summary>Number of rows B.</summary>
    public int Size => _lengths.Length;

    /// <summary>The window L: columns of <see cref="ItemIds"/> and <see cref="Targets"/>.</summary>
    public int MaxLength { get; }

    /// <summary>Input item ids <c>[B, L]</c>: the most recent L input items, left-padded with 0.</summary>
    public Tensor ItemIds { get; }

    /// <summary>Next-item targets <c>[B, L]</c>: at each input position the item that follows it; 0 at padding.</summary>
    public Tensor Targets { get; }

    /// <summary>The example targets <c>[B]</c> (the item at position End - 1; equal to the last column of <see cref="Targets"/>).</summary>
    public Tensor LastTargets { get; }

    /// <summary>Domain ids <c>[B]</c> as a tensor, for domain embeddings; same values as <see cref="DomainIds"/>.</summary>
    public Tensor DomainIdTensor { get; }

    /// <summary>Input length of each row after truncation <c>[B]</c>, in [1, L]: the row's real items are its last Lengths[b] columns.</summary>
    public ReadOnlySpan<int> Lengths => _lengths;

    /// <summary>User id of each row <c>[B]</c> (0 in batches built by <see cref="FromHistories"/>).</summary>
    public ReadOnlySpan<int> UserIds => _userIds;

    /// <summary>Domain id of each row <c>[B]</c>: the domain of the target interaction (0 when the dataset has no domain column).</summary>
    public ReadOnlySpan<int> DomainIds => _domainIds;

    /// <summary>The example of each row <c>[B]</c>.</summary>
    public ReadOnlySpan<SequenceExample> Examples => _examples;

    /// <summary>
    /// A batch for inference on histories that are not (or not only) in a dataset, e.g. a new user's clicks:
    /// each whole history is the input, truncated to its most recent <paramref name="maxLength"/> items and
    /// left-padded. The next item is unknown, so <see cref="LastTargets"/> and the last column of
    /// <see cref="Targets"/> are 0; the other target positions hold the history's own next items. User ids are 0
    /// and each row's example is <c>(0, history length + 1)</c>.
    /// </summary>
    /// <param name="histories">One history per row, oldest item first; each non-empty, ids at least 1.</param>
    /// <param name="maxLength">The window L (default 50, as <see cref="SequenceBatchOptions.MaxLength"/>). At least 1.</param>
    /// <param name="domainIds">The domain of each row (default null: all 0); non-negative.</param>
    /// <param name="numItems">When given, item ids must be at most this (the model's catalogue size).</param>
    /// <returns>The batch.</returns>
    /// <exception cref="ArgumentException">The list is empty, a history is empty or null, an id is out of range, or the domain list has a different length; the message names the row and position.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below 1.</exception>
    public static SequenceBatch FromHistories(IReadOnlyList<int[]> histories, int maxLength = 50, IReadOnlyList<int>? domainIds = null, int? numItems = null)
    {
        ArgumentNullException.ThrowIfNull(histories);
        new SequenceBatchOptions { BatchSize = Math.Max(histories.Count, 1), MaxLength = maxLength }.Validate();
        if (histories.Count == 0)
        {
            throw new ArgumentException("SequenceBatch.FromHistories: no histories were given.", nameof(histories));
        }

        if (domainIds is not null && domainIds.Count != histories.Count)
        {
            throw new ArgumentException($"SequenceBatch.FromHistories: {domainIds.Count} domain ids for {histories.Count} histories.", nameof(domainIds));
        }

        int maxItem = numItems ?? int.MaxValue;
        for (int b = 0; b < histories.Count; b++)
        {
            var history = histories[b];
            if (history is null || history.Length == 0)
            {
                throw new ArgumentException($"SequenceBatch.FromHistories: history {b} is {(history is null ? "null" : "empty")}; every row needs at least one item.", nameof(histories));
            }

            for (int t = 0; t < history.Length; t++)
            {
                if (history[t] < 1 || history[t] > maxItem)
                {
                    throw new ArgumentException($"SequenceBatch.FromHistories: history {b} has item id {history[t]} at position {t}; ids must be in [1, {(numItems is null ? "int.MaxValue" : maxItem)}] (0 is padding).", nameof(histories));
                }
            }

            if (domainIds is not null && domainIds[b] < 0)
            {
                throw new ArgumentException($"SequenceBatch.FromHistories: domain id {domainIds[b]} of row {b} is negative.", nameof(domainIds));
            }
        }

        var batch = Allocate(histories.Count, maxLength);
        for (int b = 0; b < histories.Count; b++)
        {
            var history = histories[b];
            int domain = domainIds?[b] ?? 0;
            batch.FillRow(b, new SequenceExample(0, history.Length + 1), history, history.Length, domain);
        }

        return batch;
    }

    /// <summary>A batch of one history; see <see cref="FromHistories"/>.</summary>
    /// <param name="history">The history, oldest first; non-empty, ids at least 1.</param>
    /// <param name="maxLength">The window L (default 50).</param>
    /// <param name="domainId">The row's domain (default 0).</param>
    /// <param name="numItems">When given, item ids must be at most this.</param>
    /// <returns>A batch with one row.</returns>
    public static SequenceBatch FromHistory(ReadOnlySpan<int> history, int maxLength = 50, int domainId = 0, int? numItems = null) =>
        FromHistories([history.ToArray()], maxLength, [domainId], numItems);

    /// <summary>A batch of <paramref name="size"/> zeroed rows whose arrays are owned by the batch.</summary>
    internal static SequenceBatch Allocate(int size, int maxLength) =>
        new(maxLength, new float[size * maxLength], new float[size * maxLength], new float[size], new float[size],
            new int[size], new int[size], new int[size], new SequenceExample[size]);

    /// <summary>
    /// Writes row <paramref name="row"/> (zeroed): the input is <c>sequence[0 .. inputLength)</c> and each input
    /// position's target the item after it, where <c>sequence</c> holds the items up to and including the target
    /// (or, for an unknown target, only the input).
    /// </summary>
    internal void FillRow(int row, SequenceExample example, ReadOnlySpan<int> sequence, int inputLength, int domain)
    {
        int l = MaxLength, length = Math.Min(inputLength, l), start = inputLength - length, pad = l - length;
        var ids = ItemIds.Span.Slice((row * l) + pad, length);
        var targets = Targets.Span.Slice((row * l) + pad, length);
        for (int t = 0; t < length; t++)
        {
            ids[t] = sequence[start + t];
        }

        // The target after the last input is sequence[inputLength]; a history without one leaves it 0.
        int known = Math.Min(length, sequence.Length - start - 1);
        for (int t = 0; t < known; t++)
        {
            targets[t] = sequence[start + t + 1];
        }

        LastTargets.Span[row] = known == length ? sequence[inputLength] : 0;
        DomainIdTensor.Span[row] = domain;
        _lengths[row] = length;
        _userIds[row] = example.User;
        _domainIds[row] = domain;
        _examples[row] = example;
    }
}
