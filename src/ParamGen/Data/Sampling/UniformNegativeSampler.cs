using ParamGen.Tensors.Random;

namespace ParamGen.Data;

/// <summary>
/// Draws negatives uniformly from the items a user never interacted with in <see cref="Dataset"/> (RecBole's
/// <c>uniform</c> sampler, SASRec's training negatives).
/// </summary>
/// <remarks>
/// A draw proposes a uniform item and rejects it when it is in the user's history; after
/// 64 rejections in a row (a user who has seen most of the catalogue) it picks uniformly among the remaining items
/// directly, so every draw is exact and bounded. Memory: 4 bytes per distinct user-item pair plus 4 per user.
/// </remarks>
public sealed class UniformNegativeSampler : INegativeSampler
{
    private const string Name = nameof(UniformNegativeSampler);
    private readonly UserItemSets _history;

    /// <summary>Creates a sampler that excludes, for each user, every item of that user in <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The dataset (usually the full one, so validation and test items are excluded too).</param>
    public UniformNegativeSampler(InteractionDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        Dataset = dataset;
        _history = new UserItemSets(dataset);
    }

    /// <inheritdoc/>
    public InteractionDataset Dataset { get; }

    /// <inheritdoc/>
    public void Sample(int user, int count, Span<int> destination, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        NegativeSamplerChecks.Check(Name, Dataset, user, count, destination.Length);
        var history = _history.Of(user);
        int numItems = Dataset.NumItems, available = numItems - history.Length;
        if (available == 0 && count > 0)
        {
            throw NegativeSamplerChecks.NoNegatives(Name, Dataset, user, history.Length, string.Empty);
        }

        for (int k = 0; k < count; k++)
        {
            int item = 0;
            for (int attempt = 0; attempt < NegativeSamplerChecks.MaxRejections; attempt++)
            {
                int proposal = generator.NextInt(numItems) + 1;
                if (history.BinarySearch(proposal) < 0)
                {
                    item = proposal;
                    break;
                }
            }

            destination[k] = item != 0 ? item : NegativeSamplerChecks.KthNotIn(history, generator.NextInt(available));
        }
    }
}
