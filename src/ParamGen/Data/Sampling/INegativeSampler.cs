using ParamGen.Tensors.Random;

namespace ParamGen.Data;

/// <summary>
/// Draws negative items for a user: items the user never interacted with anywhere in <see cref="Dataset"/>
/// (the whole sequence, not only the part before some position), as BPR and binary cross-entropy training
/// of sequential recommenders need.
/// </summary>
/// <remarks>
/// <para>Pass the dataset whose interactions must never come back as negatives, usually the full dataset
/// (<c>DatasetSplit.Dataset</c>), so that a user's validation and test items are excluded as well.</para>
/// <para>Draws are independent (with replacement): the same negative can appear twice in one call. For a fixed
/// set of distinct negatives per user use <see cref="SampledEvaluationNegatives"/>.</para>
/// <para>Implementations are immutable and thread-safe: all randomness comes from the
/// <see cref="Generator"/> passed to <see cref="Sample"/>, so each thread can use its own.</para>
/// </remarks>
public interface INegativeSampler
{
    /// <summary>The dataset whose users' interactions are excluded.</summary>
    InteractionDataset Dataset { get; }

    /// <summary>
    /// Writes <paramref name="count"/> negatives for <paramref name="user"/> into
    /// <c>destination[0 .. count)</c>; every one is an item id in [1, NumItems] the user never interacted with.
    /// </summary>
    /// <param name="user">A user id of <see cref="Dataset"/>, in [1, NumUsers].</param>
    /// <param name="count">How many negatives to draw (0 or more; may exceed the number of distinct negatives, draws repeat).</param>
    /// <param name="destination">Receives the negatives; at least <paramref name="count"/> long.</param>
    /// <param name="generator">The random source.</param>
    /// <exception cref="ArgumentOutOfRangeException">The user id is unknown, or <paramref name="count"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="count"/>.</exception>
    /// <exception cref="InvalidOperationException">No negative exists: the user interacted with every item that can be drawn. Thrown before anything is written.</exception>
    void Sample(int user, int count, Span<int> destination, Generator generator);
}
