namespace ParamGen.Data;

/// <summary>
/// One training or evaluation example: the first <see cref="End"/> interactions of a user. The last of them is
/// the target; the ones before it are the input history. For all-position training the input positions are
/// trained to predict the item that follows each of them, up to and including the target.
/// </summary>
/// <param name="User">The user id (1-based).</param>
/// <param name="End">How many of the user's interactions, oldest first, the example covers (at least 2).</param>
public readonly record struct SequenceExample(int User, int End)
{
    /// <summary>Length of the input history: <c>End - 1</c>.</summary>
    public int InputLength => End - 1;

    /// <summary>The target item of this example in a dataset.</summary>
    /// <param name="dataset">The dataset the example indexes.</param>
    /// <returns>The item id at position <c>End - 1</c> of the user's sequence.</returns>
    public int Target(InteractionDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return dataset.GetSequence(User)[End - 1];
    }

    /// <summary>The input history of this example in a dataset (oldest first).</summary>
    /// <param name="dataset">The dataset the example indexes.</param>
    /// <returns>The first <c>End - 1</c> item ids of the user's sequence.</returns>
    public ReadOnlySpan<int> Input(InteractionDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return dataset.GetSequence(User)[..(End - 1)];
    }
}
