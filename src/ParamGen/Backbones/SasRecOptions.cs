using System.Text.Json.Serialization;
using ParamGen.Tensors.Nn;

namespace ParamGen.Backbones;

/// <summary>
/// The architecture of a <see cref="SasRec"/> backbone. The defaults are the configuration the SASRec literature and
/// RecBole report on Amazon and MovieLens data (d 64, 2 blocks, 2 heads, FFN 256, length 50), in the pre-norm
/// arrangement, with RecBole's initialisation.
/// </summary>
public sealed record SasRecOptions
{
    /// <summary>The model width d: item and position embeddings, block width, final states (default 64, as SASRec and RecBole).</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>The number of transformer blocks (default 2, as SASRec and RecBole).</summary>
    public int Blocks { get; init; } = 2;

    /// <summary>The number of attention heads; must divide <see cref="HiddenSize"/> (default 2, as RecBole; the SASRec paper uses 1).</summary>
    public int Heads { get; init; } = 2;

    /// <summary>The hidden width of each block's feed-forward network; null (the default) means 4 · <see cref="HiddenSize"/>
    /// (256 at d 64, RecBole's <c>inner_size</c>, and the usual transformer ratio).</summary>
    public int? FeedForwardSize { get; init; }

    /// <summary>
    /// Dropout probability on the input embeddings, on each block's residual branches and inside the feed-forward
    /// networks (default 0.2, the SASRec paper's value for dense data such as MovieLens-1M; sparse data such as Amazon
    /// Beauty prefer 0.3 to 0.5, and the Beauty parity run uses 0.3).
    /// </summary>
    public float Dropout { get; init; } = 0.2f;

    /// <summary>Dropout probability on the attention weights; null (the default) means <see cref="Dropout"/>, as
    /// <c>torch.nn.TransformerEncoderLayer</c> (RecBole's <c>attn_dropout_prob</c> when set).</summary>
    public float? AttentionDropout { get; init; }

    /// <summary>The longest history read, and the number of learned positions (default 50, the usual value for Amazon data).</summary>
    public int MaxLength { get; init; } = 50;

    /// <summary>
    /// Pre-norm blocks (<c>x + f(LayerNorm(x))</c>) followed by a final layer norm when true (the default); post-norm
    /// blocks (<c>LayerNorm(x + f(x))</c>, the original transformer, RecBole's SASRec) when false. Pre-norm is the
    /// default because it trains stably at any depth without learning-rate warm-up, and the PyTorch reference run
    /// the parity target is measured against is pre-norm.
    /// </summary>
    public bool PreNorm { get; init; } = true;

    /// <summary>Multiply item embeddings by sqrt(d) before adding the positions, as the original SASRec code and the
    /// transformer paper (default false: RecBole and the PyTorch reference do not, and with a layer norm on the input
    /// the scale matters little).</summary>
    public bool ScaleEmbeddings { get; init; }

    /// <summary>Score against the input item embeddings (default true, as SASRec, RecBole and the reference: half the
    /// item parameters, and better on sparse data); false gives a separate output table <c>output_embedding.weight</c>.</summary>
    public bool TieOutputEmbeddings { get; init; } = true;

    /// <summary>The feed-forward activation (default GELU, as RecBole and the reference; the SASRec paper uses ReLU).</summary>
    public TransformerActivation Activation { get; init; } = TransformerActivation.Gelu;

    /// <summary>The layer norms' eps (default 1e-5, PyTorch's; RecBole uses 1e-12).</summary>
    public float LayerNormEps { get; init; } = 1e-5f;

    /// <summary>How the weights are initialised (default <see cref="BackboneInitialization.RecBole"/>: N(0, 0.02) for every
    /// embedding and linear weight, which trains far faster than PyTorch's N(0, 1) embeddings with tied output scores;
    /// <see cref="BackboneInitialization.PyTorch"/> gives each layer's PyTorch default).</summary>
    public BackboneInitialization Initialization { get; init; } = BackboneInitialization.RecBole;

    /// <summary>The feed-forward width in effect: <see cref="FeedForwardSize"/>, else 4 · <see cref="HiddenSize"/>.</summary>
    [JsonIgnore]
    public int EffectiveFeedForwardSize => FeedForwardSize ?? (4 * HiddenSize);

    /// <summary>The attention dropout in effect: <see cref="AttentionDropout"/>, else <see cref="Dropout"/>.</summary>
    [JsonIgnore]
    public float EffectiveAttentionDropout => AttentionDropout ?? Dropout;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range, or <see cref="Heads"/> does not divide
    /// <see cref="HiddenSize"/>; the message names the option.</exception>
    public void Validate()
    {
        const string owner = nameof(SasRecOptions);
        OptionCheck.Require(HiddenSize >= 1, owner, nameof(HiddenSize), HiddenSize, "must be at least 1");
        OptionCheck.Require(Blocks >= 0, owner, nameof(Blocks), Blocks, "must be non-negative");
        OptionCheck.Require(Heads >= 1, owner, nameof(Heads), Heads, "must be at least 1");
        OptionCheck.Require(HiddenSize % Heads == 0, owner, nameof(Heads), Heads, $"must divide HiddenSize ({HiddenSize})");
        OptionCheck.Require(FeedForwardSize is not int ff || ff >= 1, owner, nameof(FeedForwardSize), FeedForwardSize, "must be at least 1 (or null for 4 x HiddenSize)");
        OptionCheck.RequireDropout(owner, nameof(Dropout), Dropout);
        if (AttentionDropout is float a)
        {
            OptionCheck.RequireDropout(owner, nameof(AttentionDropout), a);
        }

        OptionCheck.Require(MaxLength >= 1, owner, nameof(MaxLength), MaxLength, "must be at least 1");
        OptionCheck.Require(Activation is TransformerActivation.Relu or TransformerActivation.Gelu, owner, nameof(Activation), Activation, "is not a known activation");
        OptionCheck.Require(LayerNormEps >= 0f && float.IsFinite(LayerNormEps), owner, nameof(LayerNormEps), LayerNormEps, "must be finite and non-negative");
        OptionCheck.Require(Enum.IsDefined(Initialization), owner, nameof(Initialization), Initialization, "is not a known scheme");
    }
}
