using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Nn;

/// <summary>
/// One transformer encoder layer (self-attention, then a two-layer feed-forward network, each with a residual
/// connection and layer norm), as <c>torch.nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout,
/// activation, layer_norm_eps, batch_first=True, norm_first)</c>.
/// </summary>
/// <remarks>
/// <para>Post-norm (default, the original transformer): <c>x = norm1(x + sa(x)); x = norm2(x + ff(x))</c>.
/// Pre-norm (<c>normFirst</c>): <c>x = x + sa(norm1(x)); x = x + ff(norm2(x))</c>.</para>
/// <para>State keys are PyTorch's: <c>self_attn.in_proj_weight</c>, <c>self_attn.in_proj_bias</c>,
/// <c>self_attn.out_proj.weight</c>, <c>self_attn.out_proj.bias</c>, <c>linear1.*</c>, <c>linear2.*</c>,
/// <c>norm1.*</c>, <c>norm2.*</c>; the dropout layers hold no state.</para>
/// </remarks>
public sealed class TransformerBlock : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    /// <param name="dModel">The model width d.</param>
    /// <param name="nHead">The number of attention heads; must divide <paramref name="dModel"/>.</param>
    /// <param name="dimFeedforward">The hidden width of the feed-forward network (default 2048, as PyTorch).</param>
    /// <param name="dropout">Dropout probability on the attention weights, after each sub-layer and inside the
    /// feed-forward network (default 0.1).</param>
    /// <param name="activation">The feed-forward activation (default <see cref="TransformerActivation.Relu"/>).</param>
    /// <param name="layerNormEps">The layer norms' eps (default 1e-5).</param>
    /// <param name="normFirst">Pre-norm when true; post-norm (default false) otherwise.</param>
    /// <param name="generator">The random source for initialisation and dropout; <see cref="Generator.Default"/> when null.</param>
    /// <param name="attentionDropout">Dropout probability on the attention weights when it should differ from
    /// <paramref name="dropout"/> (RecBole's <c>attn_dropout_prob</c>); null (the default) uses <paramref name="dropout"/>, as PyTorch.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, <paramref name="nHead"/> does not divide
    /// <paramref name="dModel"/>, or a dropout probability is outside [0, 1].</exception>
    public TransformerBlock(int dModel, int nHead, int dimFeedforward = 2048, float dropout = 0.1f, TransformerActivation activation = TransformerActivation.Relu,
        float layerNormEps = 1e-5f, bool normFirst = false, Generator? generator = null, float? attentionDropout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimFeedforward, 1);
        if (activation is not (TransformerActivation.Relu or TransformerActivation.Gelu))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), $"Unknown transformer activation {activation}.");
        }

        Activation = activation;
        NormFirst = normFirst;
        SelfAttn = RegisterModule("self_attn", new MultiHeadAttention(dModel, nHead, attentionDropout ?? dropout, bias: true, generator));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, generator: generator));
        FfDropout = RegisterModule("dropout", new Dropout(dropout, generator));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, generator: generator));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps));
        Dropout1 = RegisterModule("dropout1", new Dropout(dropout, generator));
        Dropout2 = RegisterModule("dropout2", new Dropout(dropout, generator));
    }

    /// <summary>The feed-forward activation.</summary>
    public TransformerActivation Activation { get; }

    /// <summary>Whether the block is pre-norm.</summary>
    public bool NormFirst { get; }

    /// <summary>The self-attention layer.</summary>
    public MultiHeadAttention SelfAttn { get; }

    /// <summary>The first feed-forward layer <c>d -> dimFeedforward</c>.</summary>
    public Linear Linear1 { get; }

    /// <summary>The second feed-forward layer <c>dimFeedforward -> d</c>.</summary>
    public Linear Linear2 { get; }

    /// <summary>The layer norm around the attention sub-layer.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>The layer norm around the feed-forward sub-layer.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>Dropout inside the feed-forward network (PyTorch's <c>dropout</c>).</summary>
    public Dropout FfDropout { get; }

    /// <summary>Dropout on the attention sub-layer's output.</summary>
    public Dropout Dropout1 { get; }

    /// <summary>Dropout on the feed-forward sub-layer's output.</summary>
    public Dropout Dropout2 { get; }

    /// <summary>Applies the block to <paramref name="input"/> <c>[B, L, d]</c> with no mask.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null, null, false);

    /// <summary>Applies the block to <paramref name="src"/> <c>[B, L, d]</c>.</summary>
    /// <param name="src">The sequence <c>[B, L, d]</c>.</param>
    /// <param name="srcMask">Optional additive attention mask <c>[L, L]</c> or <c>[B·heads, L, L]</c> (0 keeps, -inf blocks).</param>
    /// <param name="srcKeyPaddingMask">Optional <c>[B, L]</c> mask, non-zero at padding positions.</param>
    /// <param name="isCausal">Block attention to later positions (default false).</param>
    /// <returns>The transformed sequence <c>[B, L, d]</c>.</returns>
    /// <exception cref="ArgumentException">A shape does not fit; the message names the shapes.</exception>
    public Tensor Forward(Tensor src, Tensor? srcMask = null, Tensor? srcKeyPaddingMask = null, bool isCausal = false)
    {
        ArgumentNullException.ThrowIfNull(src);
        var x = src;                                                                // [B, L, d]
        if (NormFirst)
        {
            // Each residual step is one fused op: x + dropout(sublayer(norm(x))).
            var h = Norm1.Forward(x);                                                  // [B, L, d]
            x = Functional.AddDropout(x, SelfAttn.Forward(h, h, h, srcKeyPaddingMask, srcMask, isCausal), Dropout1.ActiveP, Dropout1.Generator);
            var ff = Linear2.Forward(FeedForwardHidden(Norm2.Forward(x)));            // [B, L, d]
            x = Functional.AddDropout(x, ff, Dropout2.ActiveP, Dropout2.Generator);
        }
        else
        {
            // Each residual step is one fused op: LayerNorm(x + dropout(sublayer(x))).
            var sa = SelfAttn.Forward(x, x, x, srcKeyPaddingMask, srcMask, isCausal);   // [B, L, d]
            x = Functional.AddDropoutLayerNorm(x, sa, Dropout1.ActiveP, Dropout1.Generator, Norm1.Weight, Norm1.Bias, Norm1.Eps);
            var ff = Linear2.Forward(FeedForwardHidden(x));                           // [B, L, d]
            x = Functional.AddDropoutLayerNorm(x, ff, Dropout2.ActiveP, Dropout2.Generator, Norm2.Weight, Norm2.Bias, Norm2.Eps);
        }

        return x;
    }

    /// <summary>dropout(act(linear1(x))) as one fused op.</summary>
    private Tensor FeedForwardHidden(Tensor x)
        => Functional.LinearActivationDropout(x, Linear1.Weight, Linear1.Bias, Activation, FfDropout.ActiveP, FfDropout.Generator); // [B, L, ff]
}
