using ParamGen.Tensors.Random;

namespace ParamGen.Data;

/// <summary>
/// The fixed negatives of the sampled evaluation protocol: for every user, <see cref="Count"/> distinct items
/// (100 by default) the user never interacted with anywhere in the dataset, against which the held-out item is
/// ranked (HR@K, NDCG@K over 1 + Count candidates).
/// </summary>
/// <remarks>
/// <para><b>Reproducible.</b> User u's negatives are drawn from a random stream seeded by (seed, u) alone, so they
/// do not depend on the thread count, on the order users are processed or asked for, or on which other users
/// exist; they do depend on the dataset's item ids and on each user's history. Build them from the full
/// dataset (<c>DatasetSplit.Dataset</c>), so that the user's validation and test items are excluded too.</para>
/// <para><b>Sampling.</b> Distinct items, uniform (or with probability proportional to count^alpha, drawn one
/// after another without replacement), by rejection of history items and of items already drawn; after 64
/// rejections in a row a user's remaining negatives are drawn exactly from the items still available.</para>
/// <para><b>Storage.</b> One <c>int</c> array <c>[NumUsers, Count]</c>, row u - 1 for user u, in draw order.</para>
/// </remarks>
public sealed class SampledEvaluationNegatives
{
    private const string Name = nameof(SampledEvaluationNegatives);
    private readonly int[] _negatives;
    private readonly InteractionDataset _dataset;
    private readonly UserItemSets _history;
    private readonly double[]? _weights;
    private readonly AliasTable? _table;

    private SampledEvaluationNegatives(InteractionDataset dataset, SampledEvaluationOptions options, UserItemSets history, double[]? weights)
    {
        _dataset = dataset;
        Options = options;
        _history = history;
        _weights = weights;
        _table = weights is null ? null : new AliasTable(weights.AsSpan(1));
        _negatives = new int[checked(dataset.NumUsers * options.Count)];
    }

    /// <summary>The options the negatives were drawn with.</summary>
    public SampledEvaluationOptions Options { get; }

    /// <summary>Negatives per user.</summary>
    public int Count => Options.Count;

    /// <summary>Number of users (rows).</summary>
    public int NumUsers => _dataset.NumUsers;

    /// <summary>All negatives, <c>[NumUsers, Count]</c> row-major; row u - 1 belongs to user u.</summary>
    public ReadOnlySpan<int> AsSpan() => _negatives;

    /// <summary>Draws the negatives of every user of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The dataset whose users' histories are excluded (usually the full dataset).</param>
    /// <param name="options">The options (default: 100 uniform negatives, seed 0).</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <returns>The negatives.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range.</exception>
    /// <exception cref="ArgumentException">
    /// A user has fewer than <see cref="SampledEvaluationOptions.Count"/> items to draw from (the message names the
    /// first such user); thrown before any drawing.
    /// </exception>
    public static SampledEvaluationNegatives Create(InteractionDataset dataset, SampledEvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new SampledEvaluationOptions();
        options.Validate();
        var history = new UserItemSets(dataset);
        var weights = options.PopularityAlpha == 0 ? null : ItemPopularity.Weights(dataset, options.PopularityAlpha);
        var available = ItemPopularity.AvailablePerUser(dataset, history, weights ?? ItemPopularity.Weights(dataset, 0));
        for (int u = 1; u <= dataset.NumUsers; u++)
        {
            if (available[u] < options.Count)
            {
                string weightNote = weights is null ? string.Empty : $" with a positive weight (items without interactions weigh 0 when {nameof(options.PopularityAlpha)} > 0)";
                throw new ArgumentException(
                    $"{Name}: user '{dataset.Users.GetToken(u)}' (id {u}) of dataset '{dataset.Name}' interacted with {history.Of(u).Length} of the {dataset.NumItems} items and has only {available[u]} items left{weightNote}, fewer than the {options.Count} negatives asked for. Lower {nameof(options.Count)} or filter such users out.",
                    nameof(options));
            }
        }

        var result = new SampledEvaluationNegatives(dataset, options, history, weights);
        var parallel = new ParallelOptions
        {
            CancellationToken = cancellationToken,
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? -1,
        };
        Parallel.For(1, dataset.NumUsers + 1, parallel, () => new Worker(dataset.NumItems), (u, _, worker) =>
        {
            result.SampleUser(u, result._negatives.AsSpan((u - 1) * options.Count, options.Count), worker);
            return worker;
        }, _ => { });
        return result;
    }

    /// <summary>The negatives of one user.</summary>
    /// <param name="user">A user id in [1, NumUsers].</param>
    /// <returns><see cref="Count"/> distinct item ids the user never interacted with, in draw order.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The user id is unknown.</exception>
    public ReadOnlySpan<int> For(int user)
    {
        NegativeSamplerChecks.CheckUser(Name, _dataset, user);
        return _negatives.AsSpan((user - 1) * Count, Count);
    }

    /// <summary>Draws user <paramref name="user"/>'s negatives again, on its own; equals <see cref="For"/>.</summary>
    internal void Resample(int user, Span<int> destination)
    {
        NegativeSamplerChecks.Check(Name, _dataset, user, Count, destination.Length);
        SampleUser(user, destination[..Count], new Worker(_dataset.NumItems));
    }

    private void SampleUser(int user, Span<int> destination, Worker worker)
    {
        var generator = worker.Generator.ManualSeed(StreamSeed.Derive(Options.Seed, (ulong)user));
        var marked = worker.Marked;
        var history = _history.Of(user);
        foreach (int item in history)
        {
            marked[item] = true;
        }

        int numItems = _dataset.NumItems, k = 0, rejections = 0;
        while (k < destination.Length && rejections < NegativeSamplerChecks.MaxRejections)
        {
            int proposal = _table is null ? generator.NextInt(numItems) + 1 : _table.Draw(generator);
            if (marked[proposal])
            {
                rejections++;
                continue;
            }

            marked[proposal] = true;
            destination[k++] = proposal;
            rejections = 0;
        }

        if (k < destination.Length)
        {
            SampleFromRest(destination[k..], worker, generator);
        }

        foreach (int item in history)
        {
            marked[item] = false;
        }

        foreach (int item in destination)
        {
            marked[item] = false;
        }
    }

    /// <summary>
    /// Draws distinct items exactly from the unmarked items with positive weight: a partial Fisher-Yates shuffle
    /// when uniform; else Efraimidis-Spirakis keys <c>log(U) / w</c>, whose largest keys in descending order are
    /// distributed as successive weighted draws without replacement.
    /// </summary>
    private void SampleFromRest(Span<int> destination, Worker worker, Generator generator)
    {
        var items = worker.Items ??= new int[_dataset.NumItems];
        int m = 0;
        for (int item = 1; item <= _dataset.NumItems; item++)
        {
            if (!worker.Marked[item] && (_weights is null || _weights[item] > 0))
            {
                items[m++] = item;
            }
        }

        if (_weights is null)
        {
            for (int j = 0; j < destination.Length; j++)
            {
                int r = j + generator.NextInt(m - j);
                (items[j], items[r]) = (items[r], items[j]);
                destination[j] = items[j];
            }

            return;
        }

        var keys = worker.Keys ??= new double[_dataset.NumItems];
        for (int j = 0; j < m; j++)
        {
            keys[j] = Math.Log(1.0 - generator.NextDouble()) / _weights[items[j]];
        }

        Array.Sort(keys, items, 0, m);
        for (int j = 0; j < destination.Length; j++)
        {
            destination[j] = items[m - 1 - j];
        }
    }

    /// <summary>One thread's scratch: item marks (history and drawn), the generator, and fallback buffers.</summary>
    private sealed class Worker(int numItems)
    {
        public Generator Generator { get; } = new(0);

        public bool[] Marked { get; } = new bool[numItems + 1];

        public int[]? Items { get; set; }

        public double[]? Keys { get; set; }
    }
}
