using ParamGen.Evaluation;

namespace ParamGen.Training;

/// <summary>What <see cref="Trainer.Fit"/> returns: the history of the run, its best epoch and the test metrics.</summary>
public sealed record TrainingResult
{
    /// <summary>Every epoch of the run in order (a resumed run includes the epochs before the resumption).</summary>
    public required IReadOnlyList<EpochRecord> Epochs { get; init; }

    /// <summary>The early-stopping metric (<see cref="TrainerOptions.EarlyStoppingMetric"/>).</summary>
    public required string Metric { get; init; }

    /// <summary>The epoch (1-based) with the best validation score, or null when no epoch was validated.</summary>
    public int? BestEpoch { get; init; }

    /// <summary>The best validation score, or null when no epoch was validated.</summary>
    public double? BestScore { get; init; }

    /// <summary>Whether the run stopped before <see cref="TrainerOptions.Epochs"/> because the score stopped improving.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>Whether the best epoch's weights were restored into the model at the end (else the model holds the last epoch's).</summary>
    public bool RestoredBest { get; init; }

    /// <summary>Optimizer steps taken since the run began (resumed runs included).</summary>
    public long Steps { get; init; }

    /// <summary>The final model's metrics on the split's test examples, or null when not asked for (<see cref="TrainerOptions.EvaluateTest"/>).</summary>
    public EvaluationResult? Test { get; init; }

    /// <summary>Wall-clock seconds of this call (training, validation, checkpoints and test).</summary>
    public double Seconds { get; init; }
}
