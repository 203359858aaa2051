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
    /// The mean item embedding of the real items (the paper's instance-level input). Train it with
    /// <see cref="Training.TrainingPositions.Last"/> (every prefix an example, the loss at its last position): under
    /// the loss at every position it would leak the targets (see <see cref="None"/>), and the trainer refuses that.
    /// </summary>
    Mean,
}
