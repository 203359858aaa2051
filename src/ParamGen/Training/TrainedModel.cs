using ParamGen.Backbones;
using ParamGen.Data;

namespace ParamGen.Training;

/// <summary>A recommender rebuilt from a checkpoint folder by <see cref="TrainingCheckpoint.Load"/>, with what the run recorded.</summary>
public sealed record TrainedModel
{
    /// <summary>The recommender, in evaluation mode.</summary>
    public required ISequentialRecommender Recommender { get; init; }

    /// <summary>The item vocabulary (id to token), or null when the folder has none.</summary>
    public Vocabulary? Items { get; init; }

    /// <summary>The options the run trained with.</summary>
    public required TrainerOptions Options { get; init; }

    /// <summary>The backbone's kind, catalogue size and options.</summary>
    public required BackboneDescription Backbone { get; init; }

    /// <summary>The epochs finished when the loaded file was written (for <c>best.safetensors</c>: the best epoch).</summary>
    public int Epoch { get; init; }

    /// <summary>The optimizer steps taken when the loaded file was written.</summary>
    public long Steps { get; init; }

    /// <summary>The best validated epoch (1-based), or null.</summary>
    public int? BestEpoch { get; init; }

    /// <summary>The best validation score, or null.</summary>
    public double? BestScore { get; init; }

    /// <summary>The per-epoch history up to the loaded file.</summary>
    public required IReadOnlyList<EpochRecord> History { get; init; }

    /// <summary>The file the weights came from.</summary>
    public required string Path { get; init; }
}
