namespace ParamGen.Generators;

/// <summary>Options of <see cref="DomainAdapterGenerator"/>: one static adapter per domain (HAMUR's baseline without a hypernetwork).</summary>
public sealed record DomainAdapterOptions
{
    /// <summary>Adapter bottleneck width m (default 32, as HAMUR's), at least 1.</summary>
    public int Bottleneck { get; init; } = 32;

    /// <summary>Slots that get an adapter; null (default): the same rule as <see cref="HamurOptions.Slots"/>.</summary>
    public IReadOnlyList<string>? Slots { get; init; }

    /// <summary>Momentum of the domain norm's running statistics (default 0.1), in [0, 1].</summary>
    public float NormMomentum { get; init; } = 0.1f;

    /// <summary>Added to the domain norm's variance (default 1e-5), non-negative.</summary>
    public float NormEps { get; init; } = 1e-5f;

    /// <summary>Checks every value and throws naming the first bad one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its documented range.</exception>
    public void Validate()
    {
        const string owner = nameof(DomainAdapterOptions);
        OptionCheck.Require(Bottleneck >= 1, owner, nameof(Bottleneck), Bottleneck, "must be at least 1");
        OptionCheck.Require(NormMomentum is >= 0f and <= 1f, owner, nameof(NormMomentum), NormMomentum, "must lie in [0, 1]");
        OptionCheck.Require(NormEps >= 0f && float.IsFinite(NormEps), owner, nameof(NormEps), NormEps, "must be finite and non-negative");
    }
}
