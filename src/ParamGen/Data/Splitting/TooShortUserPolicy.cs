namespace ParamGen.Data;

/// <summary>What a split does with a user who has too few interactions for it.</summary>
public enum TooShortUserPolicy
{
    /// <summary>Leave the user out of every part and count it in <see cref="SplitReport.DroppedUsers"/> (the default;
    /// RecBole drops such users silently, ParamGen reports them).</summary>
    Drop = 0,

    /// <summary>Throw an <see cref="ArgumentException"/> naming the first such user, its length and the rule,
    /// before anything is returned.</summary>
    Throw = 1,
}
