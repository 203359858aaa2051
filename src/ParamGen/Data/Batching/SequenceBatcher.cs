using System.Collections;
using ParamGen.Tensors.Random;

namespace ParamGen.Data;

/// <summary>
/// Cuts a list of <see cref="SequenceExample"/>s into <see cref="SequenceBatch"/>es, one epoch per enumeration,
/// as <c>torch.utils.data.DataLoader</c> with a <c>DistributedSampler</c>-style epoch.
/// </summary>
/// <remarks>
/// <para><b>Epochs.</b> Enumerating the batcher yields the batches of <see cref="CurrentEpoch"/> (0 until
/// <see cref="SetEpoch"/> is called), and enumerating it twice without changing the epoch yields the same order,
/// exactly like PyTorch's <c>DistributedSampler.set_epoch</c>. Call <see cref="SetEpoch"/> at the start of each
/// epoch, or enumerate <see cref="Epoch"/>(e), which leaves <see cref="CurrentEpoch"/> alone:</para>
/// <code>
/// var batcher = new SequenceBatcher(split.Dataset, split.Train, new SequenceBatchOptions { Shuffle = true, Seed = 42 });
/// for (int epoch = 0; epoch &lt; epochs; epoch++)
/// {
///     foreach (var batch in batcher.Epoch(epoch))
///     {
///         using var scope = TensorScope.Begin();
///         var logits = model.Forward(batch.ItemIds);   // [B, L, items + 1]
///         ...
///     }
/// }
/// </code>
/// <para><b>Order.</b> Without shuffling, examples come in the order given. With shuffling, epoch e uses a
/// permutation drawn from a <see cref="Generator"/> seeded by (seed, e) alone, so any epoch can be replayed
/// (e.g. after resuming from a checkpoint) without replaying the ones before it. Every example appears exactly
/// once per epoch; with <see cref="SequenceBatchOptions.DropLast"/> the examples of a short last batch are skipped.</para>
/// <para><b>Memory.</b> A batch allocates only what it hands out: its four tensors (<c>2·B·L + 2·B</c> floats),
/// three <c>int[B]</c>, one <c>SequenceExample[B]</c> and a few small objects. The epoch's permutation is one
/// <c>int[N]</c> kept by the batcher and reused by every epoch. Batches are built when the enumerator moves, on
/// the enumerating thread, so build them outside a step's <c>TensorScope</c> (as above) unless they should be
/// freed with it. Several enumerations may run at once (each takes its own permutation array).</para>
/// </remarks>
public sealed class SequenceBatcher : IEnumerable<SequenceBatch>
{
    private readonly SequenceExample[] _examples;
    private int[]? _spareOrder;

    /// <summary>Creates a batcher over examples of a dataset.</summary>
    /// <param name="dataset">The dataset the examples index.</param>
    /// <param name="examples">The examples (copied); each must have End in [2, the user's sequence length].</param>
    /// <param name="options">The options (default: batches of 256, window 50, no shuffling).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range.</exception>
    /// <exception cref="ArgumentException">There are no examples, or an example has an unknown user, an empty input (End &lt; 2) or runs past the user's sequence; the message names the example's index, user and End.</exception>
    public SequenceBatcher(InteractionDataset dataset, IEnumerable<SequenceExample> examples, SequenceBatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(examples);
        options ??= new SequenceBatchOptions();
        options.Validate();
        var list = examples.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException($"SequenceBatcher: no examples to batch from dataset '{dataset.Name}'.", nameof(examples));
        }

        for (int i = 0; i < list.Length; i++)
        {
            CheckExample(dataset, list[i], i);
        }

        Dataset = dataset;
        Options = options;
        Seed = options.Seed ?? (options.Shuffle ? Generator.Default.NextUInt64() : 0);
        _examples = list;
        BatchCount = options.DropLast ? list.Length / options.BatchSize : ((list.Length - 1) / options.BatchSize) + 1;
    }

    /// <summary>The dataset the examples index.</summary>
    public InteractionDataset Dataset { get; }

    /// <summary>The options.</summary>
    public SequenceBatchOptions Options { get; }

    /// <summary>The shuffling seed in use: <see cref="SequenceBatchOptions.Seed"/>, or the value drawn for it (0 without shuffling, when nothing is drawn).</summary>
    public ulong Seed { get; }

    /// <summary>Number of examples.</summary>
    public int NumExamples => _examples.Length;

    /// <summary>The examples, in the order given.</summary>
    public ReadOnlySpan<SequenceExample> Examples => _examples;

    /// <summary>
    /// Batches per epoch: <c>ceil(N / BatchSize)</c>, or <c>floor(N / BatchSize)</c> with
    /// <see cref="SequenceBatchOptions.DropLast"/> (then possibly 0).
    /// </summary>
    public int BatchCount { get; }

    /// <summary>The epoch that enumerating the batcher yields (default 0).</summary>
    public int CurrentEpoch { get; private set; }

    /// <summary>Chooses the epoch whose order the next enumerations of the batcher use.</summary>
    /// <param name="epoch">The epoch index, 0 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    public void SetEpoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        CurrentEpoch = epoch;
    }

    /// <summary>The batches of epoch <paramref name="epoch"/> (<see cref="CurrentEpoch"/> is not changed).</summary>
    /// <param name="epoch">The epoch index, 0 or more.</param>
    /// <returns>An enumerable of <see cref="BatchCount"/> batches.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    public IEnumerable<SequenceBatch> Epoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return Enumerate(epoch);
    }

    /// <summary>
    /// Writes the order in which epoch <paramref name="epoch"/> visits the examples: indices into
    /// <see cref="Examples"/>, all N of them (the batches take them in runs of BatchSize), shuffled with
    /// <see cref="SequenceBatchOptions.Shuffle"/> and then grouped with <see cref="SequenceBatchOptions.GroupByLength"/>.
    /// </summary>
    /// <param name="epoch">The epoch index, 0 or more.</param>
    /// <param name="order">Receives the N indices.</param>
    /// <exception cref="ArgumentException"><paramref name="order"/> is not N long.</exception>
    public void GetOrder(int epoch, Span<int> order)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (order.Length != _examples.Length)
        {
            throw new ArgumentException($"SequenceBatcher: the order has {_examples.Length} entries; the span has {order.Length}.", nameof(order));
        }

        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var generator = Options.Shuffle ? new Generator(StreamSeed.Derive(Seed, (ulong)epoch)) : null;
        if (generator is not null)
        {
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = generator.NextInt(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }

        if (Options.GroupByLength)
        {
            GroupByLength(order, generator);
        }
    }

    /// <summary>Sorts each pool of the order by input length (longest first, stable), then shuffles the full batches.</summary>
    private void GroupByLength(Span<int> order, Generator? generator)
    {
        int batchSize = Options.BatchSize, pool = checked(batchSize * Options.LengthGroupPool);
        var keys = new long[Math.Min(pool, order.Length)];
        for (int first = 0; first < order.Length; first += pool)
        {
            var part = order.Slice(first, Math.Min(pool, order.Length - first));
            var partKeys = keys.AsSpan(0, part.Length);
            for (int i = 0; i < part.Length; i++)
            {
                // Longest first; among equal lengths the earlier position first (a stable sort).
                partKeys[i] = -(((long)InputLength(part[i]) * part.Length) + (part.Length - 1 - i));
            }

            partKeys.Sort(part);
        }

        int full = order.Length / batchSize;
        if (generator is null || full < 2)
        {
            return;
        }

        var batches = new int[full];
        for (int b = 0; b < full; b++)
        {
            batches[b] = b;
        }

        for (int i = full - 1; i > 0; i--)
        {
            int j = generator.NextInt(i + 1);
            (batches[i], batches[j]) = (batches[j], batches[i]);
        }

        var grouped = order[..(full * batchSize)].ToArray();
        for (int b = 0; b < full; b++)
        {
            grouped.AsSpan(batches[b] * batchSize, batchSize).CopyTo(order.Slice(b * batchSize, batchSize));
        }
    }

    /// <summary>The input length of an example within the window.</summary>
    private int InputLength(int example) => Math.Min(_examples[example].InputLength, Options.MaxLength);

    /// <summary>The batches of <see cref="CurrentEpoch"/>.</summary>
    /// <returns>An enumerator of <see cref="BatchCount"/> batches.</returns>
    public IEnumerator<SequenceBatch> GetEnumerator() => Enumerate(CurrentEpoch).GetEnumerator();

    /// <inheritdoc/>
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static void CheckExample(InteractionDataset dataset, SequenceExample example, int index)
    {
        if ((uint)(example.User - 1) >= (uint)dataset.NumUsers)
        {
            throw new ArgumentException($"SequenceBatcher: example {index} has user id {example.User}, outside dataset '{dataset.Name}' (ids 1 .. {dataset.NumUsers}).", "examples");
        }

        int length = dataset.SequenceLength(example.User);
        if (example.End < 2 || example.End > length)
        {
            string problem = example.End < 2
                ? "has an empty input: End must be at least 2 (one input item and the target)"
                : $"runs past the user's {length} interactions";
            throw new ArgumentException($"SequenceBatcher: example {index} (user '{dataset.Users.GetToken(example.User)}', End {example.End}) {problem}.", "examples");
        }
    }

    private IEnumerable<SequenceBatch> Enumerate(int epoch)
    {
        var order = Interlocked.Exchange(ref _spareOrder, null) ?? new int[_examples.Length];
        try
        {
            GetOrder(epoch, order);
            int batchSize = Options.BatchSize;
            for (int first = 0, b = 0; b < BatchCount; b++, first += batchSize)
            {
                yield return Build(order.AsSpan(first, Math.Min(batchSize, order.Length - first)));
            }
        }
        finally
        {
            _spareOrder = order;
        }
    }

    private SequenceBatch Build(ReadOnlySpan<int> rows)
    {
        int window = Options.MaxLength;
        if (Options.TrimToLongest)
        {
            window = 1;
            foreach (int row in rows)
            {
                window = Math.Max(window, InputLength(row));
            }
        }

        var batch = SequenceBatch.Allocate(rows.Length, window);
        bool hasDomains = Dataset.HasDomains;
        for (int r = 0; r < rows.Length; r++)
        {
            var example = _examples[rows[r]];
            var sequence = Dataset.GetSequence(example.User)[..example.End];
            int domain = hasDomains ? Dataset.GetDomains(example.User)[example.End - 1] : 0;
            batch.FillRow(r, example, sequence, example.End - 1, domain);
        }

        return batch;
    }
}
