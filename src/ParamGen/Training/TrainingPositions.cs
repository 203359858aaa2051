namespace ParamGen.Training;

/// <summary>Which positions of a training sequence carry the loss (<see cref="TrainerOptions.Positions"/>).</summary>
public enum TrainingPositions
{
    /// <summary>
    /// Every input position predicts the item that follows it (the default; SASRec's and RecBole's cross-entropy at
    /// every position). One example per training sequence.
    /// </summary>
    All,

    /// <summary>
    /// Only the last position: every prefix of a training sequence becomes an example of its own whose target is the
    /// item after it (RecBole's prefix augmentation), so every target is still trained once, and nothing computed
    /// from an example's input can reveal its target. Required by generators that condition on the whole history
    /// (<see cref="Generators.IParameterGenerator.ConditionsOnHistory"/>): at every position such a history would hold
    /// the later items, which are that position's targets.
    /// </summary>
    Last,
}
