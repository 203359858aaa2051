namespace ParamGen.Data;

/// <summary>
/// Which filters <see cref="DatasetFilters.Apply"/> runs. The defaults run none; each property switches one on.
/// </summary>
/// <remarks>
/// The steps run in this order, each on what the previous one left: rating threshold, removal of consecutive
/// repeats, k-core (users and items, iterated to a fixed point), minimum sequence length. The minimum sequence
/// length is a single pass over users after the k-core and does not re-run it, so an item can end below
/// <see cref="MinItemInteractions"/> when its users are dropped; use <see cref="MinUserInteractions"/> when
/// users and items must both hold at the end.
/// </remarks>
public sealed record FilterOptions
{
    /// <summary>Keep interactions whose rating is at least this value (RecBole's <c>val_interval</c> on the
    /// rating column). Default null: no threshold. Needs a dataset with ratings.</summary>
    public float? MinRating { get; init; }

    /// <summary>Drop an interaction when the same user's previous interaction (after the rating threshold) is
    /// the same item, keeping the first of each run. Default false.</summary>
    public bool RemoveConsecutiveRepeats { get; init; }

    /// <summary>K-core lower bound on users: keep users with at least this many interactions, recounted after
    /// each round until users and items both hold (RecBole's <c>user_inter_num_interval = [k, inf)</c>).
    /// Default 0: no bound (0 and 1 are equivalent).</summary>
    public int MinUserInteractions { get; init; }

    /// <summary>K-core lower bound on items (RecBole's <c>item_inter_num_interval = [k, inf)</c>), iterated with
    /// <see cref="MinUserInteractions"/>. Default 0: no bound.</summary>
    public int MinItemInteractions { get; init; }

    /// <summary>Drop users with fewer interactions than this, once, after the k-core (e.g. 3 for a leave-one-out
    /// split). Default 0: no minimum.</summary>
    public int MinSequenceLength { get; init; }

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is negative or the rating threshold is not a finite number.</exception>
    public void Validate()
    {
        if (MinRating is float t && !float.IsFinite(t))
        {
            throw new ArgumentOutOfRangeException(nameof(MinRating), t, "FilterOptions.MinRating must be a finite number.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MinUserInteractions);
        ArgumentOutOfRangeException.ThrowIfNegative(MinItemInteractions);
        ArgumentOutOfRangeException.ThrowIfNegative(MinSequenceLength);
    }
}
