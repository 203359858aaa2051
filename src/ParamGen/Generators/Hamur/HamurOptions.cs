using System.Text.Json.Serialization;

namespace ParamGen.Generators;

/// <summary>Options of <see cref="HamurGenerator"/> (HAMUR, CIKM 2023). Defaults follow the paper where it gives them.</summary>
public sealed record HamurOptions : IJsonOnDeserializing
{
    private HamurHiddenNorm _hiddenNorm = HamurHiddenNorm.Auto;

    /// <summary>Adapter bottleneck width m (default 32), at least 1.</summary>
    public int Bottleneck { get; init; } = 32;

    /// <summary>Size k of the generated core Z (k x k) (default 32), at least 1.</summary>
    public int CoreRank { get; init; } = 32;

    /// <summary>Hidden widths of the hypernetwork MLP, each Linear + BatchNorm (see <see cref="HiddenNorm"/>) + ReLU (default one layer of 64); each at
    /// least 1. Empty: the hypernetwork is a single Linear.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [64];

    /// <summary>
    /// The normalisation after each hidden Linear of the hypernetwork: <see cref="HamurHiddenNorm.Auto"/> (default:
    /// batch norm, as the paper, when the input holds the history; none for the domain alone), batch norm, or none.
    /// Options read from JSON that has no <c>hidden_norm</c> (checkpoints made before the choice existed, when batch
    /// norm was the only one) read as <see cref="HamurHiddenNorm.Batch"/>.
    /// </summary>
    public HamurHiddenNorm HiddenNorm { get => _hiddenNorm; init => _hiddenNorm = value; }

    /// <summary>Width of the learned domain embedding in the instance representation (default 16), at least 1.</summary>
    public int DomainEmbeddingSize { get; init; } = 16;

    /// <summary>Per-domain factors (the paper, default) or shared ones (the reference code).</summary>
    public HamurFactors Factors { get; init; } = HamurFactors.PerDomain;

    /// <summary>Slots that get a HAMUR adapter; null (default): every slot but <c>user_state</c> (SASRec: after each block; GRU4Rec: the GRU output), or <c>user_state</c> when it is the only one.</summary>
    public IReadOnlyList<string>? Slots { get; init; }

    /// <summary>History summary in the instance representation: none (default, leak-free under the loss at every position) or the mean item embedding.</summary>
    public HamurHistory History { get; init; } = HamurHistory.None;

    /// <summary>
    /// With a <see cref="History"/> summary, whether it stops the gradient into the item embeddings (default false: the
    /// hypernetwork's loss also trains the embeddings it reads, as in the paper). True reads them as constants, so only the
    /// backbone's own use shapes them; the hypernetwork still learns. No effect with <see cref="HamurHistory.None"/>.
    /// </summary>
    public bool DetachHistory { get; init; }

    /// <summary>Momentum of the domain norm's running statistics (default 0.1), in [0, 1].</summary>
    public float NormMomentum { get; init; } = 0.1f;

    /// <summary>Added to the domain norm's variance (default 1e-5), non-negative.</summary>
    public float NormEps { get; init; } = 1e-5f;

    /// <summary>The normalisation the hypernetwork uses: <see cref="HiddenNorm"/>, with <see cref="HamurHiddenNorm.Auto"/>
    /// resolved by <see cref="History"/> (<see cref="HamurHistory.None"/>: none; otherwise batch norm).</summary>
    /// <returns><see cref="HamurHiddenNorm.Batch"/> or <see cref="HamurHiddenNorm.None"/>.</returns>
    public HamurHiddenNorm ResolveHiddenNorm() => HiddenNorm switch
    {
        HamurHiddenNorm.Auto => History == HamurHistory.None ? HamurHiddenNorm.None : HamurHiddenNorm.Batch,
        _ => HiddenNorm,
    };

    /// <summary>Before JSON fills the options: a <c>hidden_norm</c> the JSON lacks means batch norm (see <see cref="HiddenNorm"/>).</summary>
    void IJsonOnDeserializing.OnDeserializing() => _hiddenNorm = HamurHiddenNorm.Batch;

    /// <summary>Checks every value and throws naming the first bad one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its documented range.</exception>
    public void Validate()
    {
        Check(nameof(Bottleneck), Bottleneck >= 1, Bottleneck, "must be at least 1");
        Check(nameof(CoreRank), CoreRank >= 1, CoreRank, "must be at least 1");
        Check(nameof(DomainEmbeddingSize), DomainEmbeddingSize >= 1, DomainEmbeddingSize, "must be at least 1");
        Check(nameof(HiddenSizes), HiddenSizes is not null && HiddenSizes.All(h => h >= 1), HiddenSizes is null ? "null" : $"[{string.Join(", ", HiddenSizes)}]", "must be a list of widths, each at least 1");
        Check(nameof(Factors), Enum.IsDefined(Factors), Factors, "is not a known choice");
        Check(nameof(HiddenNorm), Enum.IsDefined(HiddenNorm), HiddenNorm, "is not a known choice");
        Check(nameof(NormMomentum), NormMomentum is >= 0f and <= 1f, NormMomentum, "must lie in [0, 1]");
        Check(nameof(NormEps), NormEps >= 0f && float.IsFinite(NormEps), NormEps, "must be finite and non-negative");
    }

    private static void Check(string name, bool ok, object value, string rule) =>
        OptionCheck.Require(ok, nameof(HamurOptions), name, value, rule);
}
