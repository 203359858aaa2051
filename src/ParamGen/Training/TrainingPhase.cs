namespace ParamGen.Training;

/// <summary>What a <see cref="TrainingProgress"/> report marks.</summary>
public enum TrainingPhase
{
    /// <summary>A training step has finished.</summary>
    Step,

    /// <summary>Validation of the epoch's model is starting.</summary>
    Validating,

    /// <summary>An epoch has finished (after its validation, when there was one); <see cref="TrainingProgress.Record"/> holds its summary.</summary>
    EpochCompleted,

    /// <summary>The final test evaluation is starting.</summary>
    Testing,
}
