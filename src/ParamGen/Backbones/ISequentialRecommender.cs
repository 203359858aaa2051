using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;

namespace ParamGen.Backbones;

/// <summary>
/// What training, evaluation and serving run: a backbone, possibly with a generator that writes its adapter
/// weights for each batch. <see cref="SequentialRecommender"/> is the backbone alone; composite recommenders
/// (backbone + generator) implement the same contract.
/// </summary>
public interface ISequentialRecommender
{
    /// <summary>The backbone (scoring goes through its item embeddings).</summary>
    ISequentialBackbone Backbone { get; }

    /// <summary>Everything trainable and saved: the backbone and any generator, as one module tree.</summary>
    Module Module { get; }

    /// <summary>Encodes a batch into final states <c>[B, L, d]</c>, generating adapter weights first when there is a generator.</summary>
    /// <param name="batch">The batch.</param>
    /// <returns>States <c>[B, L, d]</c>.</returns>
    Tensor Encode(SequenceBatch batch);

    /// <summary>
    /// Encodes a batch into the state of its last position <c>[B, d]</c>, the state that predicts each row's next
    /// item (what evaluation and serving score). The default takes the last column of <see cref="Encode"/>; a
    /// recommender whose backbone can compute the last position alone more cheaply overrides it.
    /// </summary>
    /// <param name="batch">The batch (left-padded, so column L - 1 holds every row's most recent item).</param>
    /// <returns>States <c>[B, d]</c>.</returns>
    Tensor EncodeLast(SequenceBatch batch) => Encode(batch).Select(1, -1);
}
