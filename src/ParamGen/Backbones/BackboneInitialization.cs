namespace ParamGen.Backbones;

/// <summary>How a built-in backbone draws its initial weights.</summary>
/// <remarks>
/// The built-in backbones default to <see cref="RecBole"/>. With PyTorch's N(0, 1) embeddings a model whose scores are
/// tied to its item embeddings starts with logits of standard deviation about sqrt(d) and learns very slowly: on the
/// bundled synthetic data a one-block pre-norm SASRec (d 32, Adam 3e-3, 8 epochs) reached test NDCG@10 0.018 in
/// PyTorch with its default initialisation against 0.198 with RecBole's (ParamGen shows a similar gap).
/// </remarks>
public enum BackboneInitialization
{
    /// <summary>
    /// Each layer's own PyTorch default, as a model assembled from <c>torch.nn</c> layers gets: embeddings ~ N(0, 1)
    /// (padding row zero), <c>Linear</c> weights and biases ~ U(±1/sqrt(fan_in)), attention in-projections ~ xavier_uniform
    /// with zero biases, GRU weights and biases ~ U(±1/sqrt(H)), layer norms one and zero. Choose it to reproduce a
    /// model assembled from <c>torch.nn</c> layers without its own initialisation.
    /// </summary>
    PyTorch,

    /// <summary>
    /// RecBole's <c>_init_weights</c>. SASRec: every embedding and linear weight (the attention projections included)
    /// ~ N(0, 0.02), linear biases zero, layer norms one and zero. GRU4Rec: the item embedding ~ xavier_normal, the
    /// GRU weight matrices ~ xavier_uniform (GRU biases and the projection keep PyTorch's defaults). The padding row
    /// stays zero in both. The default.
    /// </summary>
    RecBole,
}
