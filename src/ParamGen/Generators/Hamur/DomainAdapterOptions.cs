namespace ParamGen.Generators;

/// <summary>Options of <see cref="DomainAdapterGenerator"/>: one static adapter per domain (HAMUR's baseline without a hypernetwork).</summary>
public sealed record DomainAdapterOptions
{
    /// <summary>Adapter bottleneck width m (default 32, as HAMUR's).</summary>
    public int Bottleneck { get; init; } = 32;

    /// <summary>Slots that get an adapter; null (default): the same rule as <see cref="HamurOptions.Slots"/>.</summary>
    public IReadOnlyList<string>? Slots { get; init; }

    /// <summary>Momentum of the domain norm's running statistics (default 0.1).</summary>
    public float NormMomentum { get; init; } = 0.1f;

    /// <summary>Added to the domain norm's variance (default 1e-5).</summary>
    public float NormEps { get; init; } = 1e-5f;
}
