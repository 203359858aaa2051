namespace ParamGen.Generators;

/// <summary>What of the history HAMUR's instance representation holds besides the domain embedding.</summary>
public enum HamurHistory
{
    /// <summary>
    /// Nothing (default): the core depends on the domain alone. Leak-free under cross-entropy at every position: one
    /// core serves every position of a sequence, so a history summary would show each position the later items that
    /// are its own targets.
    /// </summary>
    None,

    /// <summary>
    /// The mean item embedding of the real items (the paper's instance-level input). Use it only when each sequence
    /// is trained at its last position: under the default loss at every position it leaks the targets (see <see cref="None"/>).
    /// </summary>
    Mean,
}
