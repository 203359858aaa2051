namespace ParamGen.Generators;

/// <summary>Options of <see cref="HamurGenerator"/> (HAMUR, CIKM 2023). Defaults follow the paper where it gives them.</summary>
public sealed record HamurOptions
{
    /// <summary>Adapter bottleneck width m (default 32).</summary>
    public int Bottleneck { get; init; } = 32;

    /// <summary>Size k of the generated core Z (k x k) (default 32).</summary>
    public int CoreRank { get; init; } = 32;

    /// <summary>Hidden widths of the hypernetwork MLP, each Linear + BatchNorm + ReLU (default one layer of 64).</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [64];

    /// <summary>Width of the learned domain embedding in the instance representation (default 16).</summary>
    public int DomainEmbeddingSize { get; init; } = 16;

    /// <summary>Per-domain factors (the paper, default) or shared ones (the reference code).</summary>
    public HamurFactors Factors { get; init; } = HamurFactors.PerDomain;

    /// <summary>Slots that get a HAMUR adapter; null (default): every slot but <c>user_state</c> (SASRec: after each block; GRU4Rec: the GRU output), or <c>user_state</c> when it is the only one.</summary>
    public IReadOnlyList<string>? Slots { get; init; }

    /// <summary>Momentum of the domain norm's running statistics (default 0.1).</summary>
    public float NormMomentum { get; init; } = 0.1f;

    /// <summary>Added to the domain norm's variance (default 1e-5).</summary>
    public float NormEps { get; init; } = 1e-5f;
}
