using ParamGen.Backbones;
using ParamGen.Tensors.Random;

namespace ParamGen.Training;

/// <summary>
/// Maps backbone kinds (e.g. <c>sasrec</c>) to the code that describes and rebuilds them, so a checkpoint records
/// which backbone it holds and <see cref="TrainingCheckpoint.Load"/> (and the <c>paramgen</c> tool) can rebuild it.
/// Register your own backbone once, before training or loading:
/// <code>
/// BackboneRegistry.Register&lt;MyBackbone, MyOptions&gt;("my_backbone", b => b.Options, (items, options, generator) => new MyBackbone(items, options, generator));
/// </code>
/// </summary>
/// <remarks>Options records are stored with <c>System.Text.Json</c> (enums as names), so they must round-trip
/// through it. The registry is thread-safe.</remarks>
public static class BackboneRegistry
{
    private static readonly KindRegistry<ISequentialBackbone, (int NumItems, Generator Generator)> s_kinds = new("Backbone", nameof(BackboneRegistry));

    static BackboneRegistry()
    {
        Register<SasRec, SasRecOptions>("sasrec", b => b.Options, (items, options, generator) => new SasRec(items, options, generator));
        Register<Gru4Rec, Gru4RecOptions>("gru4rec", b => b.Options, (items, options, generator) => new Gru4Rec(items, options, generator));
    }

    /// <summary>The registered kinds, sorted.</summary>
    public static IReadOnlyList<string> Kinds => s_kinds.Kinds;

    /// <summary>Registers a backbone type under a kind (registering the same type and kind again replaces the factory).</summary>
    /// <typeparam name="TBackbone">The backbone type (matched exactly, not by base type).</typeparam>
    /// <typeparam name="TOptions">Its options record.</typeparam>
    /// <param name="kind">The kind: lower-case letters, digits and underscores.</param>
    /// <param name="optionsOf">Reads a backbone's options.</param>
    /// <param name="create">Builds a backbone from the number of items, the options and the generator that its initialisation and dropout draw from.</param>
    /// <exception cref="ArgumentException">The kind is malformed, or it or the type is already registered with another type or kind.</exception>
    public static void Register<TBackbone, TOptions>(string kind, Func<TBackbone, TOptions> optionsOf, Func<int, TOptions, Generator, TBackbone> create)
        where TBackbone : class, ISequentialBackbone
    {
        ArgumentNullException.ThrowIfNull(create);
        s_kinds.Register<TBackbone, TOptions>(kind, optionsOf, (options, args) => create(args.NumItems, options, args.Generator));
    }

    /// <summary>Describes a backbone whose type is registered.</summary>
    /// <param name="backbone">The backbone.</param>
    /// <returns>Its description, or null when its type is not registered.</returns>
    public static BackboneDescription? Describe(ISequentialBackbone backbone) =>
        s_kinds.Describe(backbone) is { } d ? new BackboneDescription(d.Kind, backbone.NumItems, d.Options) : null;

    /// <summary>Builds a backbone from its description (with freshly initialised weights).</summary>
    /// <param name="description">The description.</param>
    /// <param name="generator">The generator its initialisation and dropout draw from (default: a new one seeded 0).</param>
    /// <returns>The backbone.</returns>
    /// <exception cref="KeyNotFoundException">The kind is not registered; the message lists the registered kinds.</exception>
    /// <exception cref="InvalidDataException">The options do not deserialise.</exception>
    public static ISequentialBackbone Create(BackboneDescription description, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        return s_kinds.Create(description.Kind, description.Options, (description.NumItems, generator ?? new Generator(0)));
    }
}
