using ParamGen.Backbones;
using ParamGen.Training;
using ParamGen.Tensors.Random;

namespace ParamGen.Generators;

/// <summary>
/// Generator kinds by name, so a checkpoint names its generator (<see cref="GeneratorDescription"/>) and
/// <see cref="TrainingCheckpoint.Load"/> and the <c>paramgen</c> tool rebuild it. The library's generators are
/// registered already; register your own once at start-up.
/// </summary>
public static class GeneratorRegistry
{
    private static readonly KindRegistry<IParameterGenerator, (ISequentialBackbone Backbone, int Groups, Generator Generator)> s_kinds = new("Generator", nameof(GeneratorRegistry));

    static GeneratorRegistry()
    {
        BuiltInGenerators.Register();
    }

    /// <summary>The registered kinds, sorted.</summary>
    public static IReadOnlyList<string> Kinds => s_kinds.Kinds;

    /// <summary>Registers a generator type under a kind.</summary>
    /// <typeparam name="TGenerator">The generator type.</typeparam>
    /// <typeparam name="TOptions">Its options record (serialised to JSON in checkpoints).</typeparam>
    /// <param name="kind">Lower-case name (letters, digits, underscores), e.g. <c>hamur</c>.</param>
    /// <param name="optionsOf">Reads a generator's options.</param>
    /// <param name="create">Builds a generator for a backbone (attaching its adapters) from options, a group count and a seeded generator.</param>
    /// <exception cref="ArgumentException">The kind is malformed or already registered for another type (or the type under another kind).</exception>
    public static void Register<TGenerator, TOptions>(string kind, Func<TGenerator, TOptions> optionsOf,
        Func<ISequentialBackbone, TOptions, int, Generator, TGenerator> create)
        where TGenerator : class, IParameterGenerator
    {
        ArgumentNullException.ThrowIfNull(create);
        s_kinds.Register<TGenerator, TOptions>(kind, optionsOf, (options, args) => create(args.Backbone, options, args.Groups, args.Generator));
    }

    /// <summary>Describes a generator of a registered type, or returns null for an unregistered one.</summary>
    /// <param name="generator">The generator.</param>
    /// <returns>Its description, or null.</returns>
    public static GeneratorDescription? Describe(IParameterGenerator generator) =>
        s_kinds.Describe(generator) is { } d ? new GeneratorDescription(d.Kind, generator.GroupCount, d.Options) : null;

    /// <summary>Builds a generator from its description for a backbone (attaching its adapters to the backbone's slots).</summary>
    /// <param name="description">Kind, group count and options.</param>
    /// <param name="backbone">The backbone it feeds (built from its own description, slots empty).</param>
    /// <param name="generator">The seeded generator initial weights draw from (default: seed 0).</param>
    /// <returns>The generator.</returns>
    /// <exception cref="KeyNotFoundException">The kind is not registered; the message lists the registered kinds.</exception>
    /// <exception cref="InvalidDataException">The stored options do not fit the type.</exception>
    public static IParameterGenerator Create(GeneratorDescription description, ISequentialBackbone backbone, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(backbone);
        return s_kinds.Create(description.Kind, description.Options, (backbone, description.GroupCount, generator ?? new Generator(0)));
    }
}
