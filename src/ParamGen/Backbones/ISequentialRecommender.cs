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
}
