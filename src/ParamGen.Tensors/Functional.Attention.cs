namespace ParamGen.Tensors;

// Owner: sequence ops.
public static partial class Functional
{
    /// <summary>
    /// Scaled dot-product attention softmax(q k^T * scale + mask) v for <c>q [B, H, Lq, D]</c>, <c>k, v [B, H, Lk, D]</c>
    /// (any number of leading dims), as <c>F.scaled_dot_product_attention</c>.
    /// </summary>
    /// <param name="query">Queries <c>[..., Lq, D]</c>.</param>
    /// <param name="key">Keys <c>[..., Lk, D]</c>.</param>
    /// <param name="value">Values <c>[..., Lk, Dv]</c>.</param>
    /// <param name="attnMask">Optional additive mask broadcastable to <c>[..., Lq, Lk]</c> (use -inf to block).</param>
    /// <param name="keyPaddingMask">Optional <c>[B, Lk]</c> mask, non-zero where the key is padding (blocked for every query of that batch row).</param>
    /// <param name="isCausal">Block keys after the query position (query i sees keys 0..i + Lk - Lq).</param>
    /// <param name="dropoutP">Dropout on the attention weights (training only; 0 by default).</param>
    /// <param name="scale">Score scale; 1/sqrt(D) when null.</param>
    /// <param name="generator">Random source for dropout.</param>
    /// <remarks>A query whose keys are all blocked gets zero output (not NaN).</remarks>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null, Tensor? keyPaddingMask = null,
        bool isCausal = false, float dropoutP = 0f, float? scale = null, Random.Generator? generator = null) => throw new NotImplementedException();
}
