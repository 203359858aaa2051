using System.Buffers;
using ParamGen.Tensors.Random;

namespace ParamGen.Data;

/// <summary>
/// Draws negatives with probability proportional to <c>count^alpha</c>, where count is the item's number of
/// interactions in <see cref="Dataset"/>, among the items the user never interacted with (RecBole's
/// <c>popularity</c> sampler; word2vec uses alpha 0.75).
/// </summary>
/// <remarks>
/// <para>Alpha 0 is uniform over every item (items without interactions included); alpha 1 is proportional to
/// popularity; with alpha above 0 an item without interactions in the dataset is never drawn.</para>
/// <para>Proposals come from an alias table over the whole catalogue (constant time each) and are rejected when
/// they are in the user's history. After 64 rejections in a row the call switches to exact sampling from the
/// user's complement (a cumulative table over it, built once for the rest of the call), so draws stay exact and
/// bounded for users who have seen most of the popular items. Memory: 12 bytes per item for the table, 8 per
/// item for the weights, 4 per distinct user-item pair and 4 per user.</para>
/// </remarks>
public sealed class PopularityNegativeSampler : INegativeSampler
{
    private const string Name = nameof(PopularityNegativeSampler);
    private readonly UserItemSets _history;
    private readonly double[] _weights;
    private readonly int[] _available;
    private readonly AliasTable _table;

    /// <summary>Creates a sampler from the item counts of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The dataset whose counts weigh items and whose users' items are excluded (usually the full dataset).</param>
    /// <param name="alpha">The exponent on counts (default 1: proportional to popularity; 0: uniform). Finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is negative, infinite or NaN.</exception>
    public PopularityNegativeSampler(InteractionDataset dataset, double alpha = 1.0)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ItemPopularity.CheckAlpha(Name, alpha);
        Dataset = dataset;
        Alpha = alpha;
        _history = new UserItemSets(dataset);
        _weights = ItemPopularity.Weights(dataset, alpha);
        _available = ItemPopularity.AvailablePerUser(dataset, _history, _weights);
        _table = new AliasTable(_weights.AsSpan(1));
    }

    /// <inheritdoc/>
    public InteractionDataset Dataset { get; }

    /// <summary>The exponent on item counts.</summary>
    public double Alpha { get; }

    /// <summary>The probability of drawing <paramref name="item"/> for <paramref name="user"/>: its weight over the total weight of the user's complement (0 for a history item).</summary>
    /// <param name="user">A user id in [1, NumUsers].</param>
    /// <param name="item">An item id in [1, NumItems].</param>
    /// <returns>The probability of one draw being <paramref name="item"/>.</returns>
    public double Probability(int user, int item)
    {
        NegativeSamplerChecks.CheckUser(Name, Dataset, user);
        ArgumentOutOfRangeException.ThrowIfLessThan(item, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(item, Dataset.NumItems);
        var history = _history.Of(user);
        if (history.BinarySearch(item) >= 0)
        {
            return 0;
        }

        double total = 0;
        for (int i = 1; i < _weights.Length; i++)
        {
            total += _weights[i];
        }

        foreach (int h in history)
        {
            total -= _weights[h];
        }

        return _weights[item] / total;
    }

    /// <inheritdoc/>
    public void Sample(int user, int count, Span<int> destination, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        NegativeSamplerChecks.Check(Name, Dataset, user, count, destination.Length);
        var history = _history.Of(user);
        if (_available[user] == 0 && count > 0)
        {
            throw NegativeSamplerChecks.NoNegatives(Name, Dataset, user, history.Length, Alpha > 0 ? " and every other item has no interactions (weight 0)" : string.Empty);
        }

        int k = 0;
        for (; k < count; k++)
        {
            int item = 0;
            for (int attempt = 0; attempt < NegativeSamplerChecks.MaxRejections && item == 0; attempt++)
            {
                int proposal = _table.Draw(generator);
                item = history.BinarySearch(proposal) < 0 ? proposal : 0;
            }

            if (item == 0)
            {
                break;
            }

            destination[k] = item;
        }

        if (k < count)
        {
            SampleFromComplement(history, destination[k..count], generator);
        }
    }

    private void SampleFromComplement(ReadOnlySpan<int> history, Span<int> destination, Generator generator)
    {
        int numItems = Dataset.NumItems;
        var items = ArrayPool<int>.Shared.Rent(numItems);
        var cumulative = ArrayPool<double>.Shared.Rent(numItems);
        try
        {
            int m = 0, h = 0;
            double total = 0;
            for (int item = 1; item <= numItems; item++)
            {
                while (h < history.Length && history[h] < item)
                {
                    h++;
                }

                if ((h < history.Length && history[h] == item) || _weights[item] <= 0)
                {
                    continue;
                }

                total += _weights[item];
                items[m] = item;
                cumulative[m++] = total;
            }

            for (int k = 0; k < destination.Length; k++)
            {
                double u = generator.NextDouble() * total;
                int index = cumulative.AsSpan(0, m).BinarySearch(u);

                // The first entry whose running total exceeds u (an exact hit belongs to the next item).
                index = index >= 0 ? index + 1 : ~index;
                destination[k] = items[Math.Min(index, m - 1)];
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(items);
            ArrayPool<double>.Shared.Return(cumulative);
        }
    }
}
