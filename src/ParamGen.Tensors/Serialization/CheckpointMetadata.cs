using System.Text.Json.Nodes;

namespace ParamGen.Tensors.Serialization;

/// <summary>The training-progress scalars a <see cref="Checkpoint"/> records besides tensors.</summary>
public sealed record CheckpointMetadata
{
    /// <summary>The epoch (default 0).</summary>
    public int Epoch { get; init; }

    /// <summary>The global optimizer step (default 0).</summary>
    public long Step { get; init; }

    /// <summary>The best validation score so far, or null (the default) when there is none.</summary>
    public double? BestScore { get; init; }

    /// <summary>The run's options as JSON (e.g. a serialised training options record), or null (the default).
    /// Stored as given and returned as a fresh node on load.</summary>
    public JsonNode? Options { get; init; }
}
