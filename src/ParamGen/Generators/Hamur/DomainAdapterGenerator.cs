using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;

namespace ParamGen.Generators;

/// <summary>One static adapter per domain, the same cell as HAMUR's without the hypernetwork (being written).</summary>
public sealed class DomainAdapterGenerator : Module, IParameterGenerator
{
    /// <summary>Builds the per-domain adapters for a backbone.</summary>
    /// <param name="backbone">The backbone.</param>
    /// <param name="options">Options (default <see cref="DomainAdapterOptions"/>).</param>
    /// <param name="domainCount">Number of domains.</param>
    /// <param name="generator">Seeded initialisation source.</param>
    public DomainAdapterGenerator(ISequentialBackbone backbone, DomainAdapterOptions? options, int domainCount, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        Options = options ?? new DomainAdapterOptions();
        GroupCount = domainCount;
        Layout = ParameterLayout.For(backbone.Slots);
        _ = generator;
        throw new NotImplementedException("Per-domain adapters are being written (helper D).");
    }

    /// <summary>The options.</summary>
    public DomainAdapterOptions Options { get; }

    /// <inheritdoc/>
    public Module Module => this;

    /// <inheritdoc/>
    public ParameterLayout Layout { get; }

    /// <inheritdoc/>
    public int GroupCount { get; }

    /// <inheritdoc/>
    public Tensor Generate(GeneratorContext context) => throw new NotImplementedException();
}
