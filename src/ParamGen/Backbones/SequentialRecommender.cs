using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;

namespace ParamGen.Backbones;

/// <summary>A backbone on its own as an <see cref="ISequentialRecommender"/> (static or empty adapter slots).</summary>
/// <param name="backbone">The backbone.</param>
public sealed class SequentialRecommender(ISequentialBackbone backbone) : ISequentialRecommender
{
    /// <inheritdoc/>
    public ISequentialBackbone Backbone { get; } = backbone ?? throw new ArgumentNullException(nameof(backbone));

    /// <inheritdoc/>
    public Module Module => Backbone.Module;

    /// <inheritdoc/>
    public Tensor Encode(SequenceBatch batch) => Backbone.Encode(batch);

    /// <summary>The state at the last position <c>[B, d]</c>, through the backbone's <see cref="ISequentialBackbone.EncodeLast"/> (which may skip work the other positions need).</summary>
    /// <param name="batch">The batch.</param>
    /// <returns>States <c>[B, d]</c>.</returns>
    public Tensor EncodeLast(SequenceBatch batch) => Backbone.EncodeLast(batch);
}
