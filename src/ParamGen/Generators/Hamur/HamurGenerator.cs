using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;

namespace ParamGen.Generators;

/// <summary>HAMUR's domain-shared hypernetwork (being written).</summary>
public sealed class HamurGenerator : Module, IParameterGenerator
{
    /// <summary>Builds HAMUR for a backbone, attaching its adapters to the chosen slots.</summary>
    /// <param name="backbone">The backbone.</param>
    /// <param name="options">Options (default <see cref="HamurOptions"/>).</param>
    /// <param name="domainCount">Number of domains.</param>
    /// <param name="generator">Seeded initialisation source.</param>
    public HamurGenerator(ISequentialBackbone backbone, HamurOptions? options, int domainCount, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        Options = options ?? new HamurOptions();
        GroupCount = domainCount;
        Layout = ParameterLayout.For(backbone.Slots);
        _ = generator;
        throw new NotImplementedException("HAMUR is being written (helper D).");
    }

    /// <summary>The options.</summary>
    public HamurOptions Options { get; }

    /// <inheritdoc/>
    public Module Module => this;

    /// <inheritdoc/>
    public ParameterLayout Layout { get; }

    /// <inheritdoc/>
    public int GroupCount { get; }

    /// <inheritdoc/>
    public Tensor Generate(GeneratorContext context) => throw new NotImplementedException();
}
