namespace ParamGen.Training;

/// <summary>
/// The run record a training checkpoint carries (as JSON in its metadata): the options, what the model is, which
/// data it was trained on, and the history so far. It is what <see cref="Trainer.Resume"/> continues from.
/// </summary>
internal sealed record TrainingRecord
{
    /// <summary>The version of this record's layout.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The layout version the record was written with.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>The run's options.</summary>
    public required TrainerOptions Trainer { get; init; }

    /// <summary>The backbone's description, or null when its type is not in <see cref="BackboneRegistry"/>.</summary>
    public BackboneDescription? Backbone { get; init; }

    public Generators.GeneratorDescription? Generator { get; init; }

    /// <summary>The recommender's and backbone's type names, for messages.</summary>
    public required string ModelType { get; init; }

    /// <summary>The dataset the run trained on.</summary>
    public required DatasetSummary Dataset { get; init; }

    /// <summary>Epochs finished.</summary>
    public int EpochsDone { get; init; }

    /// <summary>Optimizer steps taken.</summary>
    public long Steps { get; init; }

    /// <summary>The best epoch (1-based), or null.</summary>
    public int? BestEpoch { get; init; }

    /// <summary>The best score, or null.</summary>
    public double? BestScore { get; init; }

    /// <summary>Every finished epoch.</summary>
    public required IReadOnlyList<EpochRecord> History { get; init; }
}
