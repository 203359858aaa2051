namespace ParamGen.Data;

/// <summary>Options shared by the splits (all that <see cref="LeaveOneOutSplit"/> takes).</summary>
public record SplitOptions
{
    /// <summary>What to do with users too short for the split. Default <see cref="TooShortUserPolicy.Drop"/>:
    /// they get no example and are listed in <see cref="SplitReport.DroppedUsers"/>.</summary>
    public TooShortUserPolicy TooShortUsers { get; init; } = TooShortUserPolicy.Drop;

    /// <summary>
    /// RecBole-style prefix augmentation of the training part: one training example per prefix, (u, e) for
    /// e = 2 .. the user's last training position, instead of a single all-position example (u, last).
    /// Default false (one all-position example per user, which trains on the same targets).
    /// </summary>
    public bool PrefixAugmentation { get; init; }

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public virtual void Validate()
    {
        if (!Enum.IsDefined(TooShortUsers))
        {
            throw new ArgumentOutOfRangeException(nameof(TooShortUsers), TooShortUsers, "SplitOptions.TooShortUsers must be Drop or Throw.");
        }
    }
}
