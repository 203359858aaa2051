using System.Text.Json;
using System.Text.Json.Nodes;
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
    private static readonly Lock s_lock = new();
    private static readonly Dictionary<string, Entry> s_byKind = new(StringComparer.Ordinal);
    private static readonly Dictionary<Type, Entry> s_byType = [];

    static GeneratorRegistry()
    {
        BuiltInGenerators.Register();
    }

    /// <summary>The registered kinds, sorted.</summary>
    public static IReadOnlyList<string> Kinds
    {
        get
        {
            lock (s_lock)
            {
                return [.. s_byKind.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

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
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(optionsOf);
        ArgumentNullException.ThrowIfNull(create);
        if (!kind.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"Generator kind '{kind}' must use only lower-case letters, digits and underscores.", nameof(kind));
        }

        var entry = new Entry(
            kind,
            typeof(TGenerator),
            g => JsonSerializer.SerializeToNode(optionsOf((TGenerator)g), TrainingJson.Options) as JsonObject
                ?? throw new InvalidOperationException($"Generator kind '{kind}': the options of {typeof(TGenerator).Name} do not serialise to a JSON object."),
            (backbone, json, groups, rng) => create(backbone, json.Deserialize<TOptions>(TrainingJson.Options)
                ?? throw new InvalidDataException($"Generator kind '{kind}': the stored options are null."), groups, rng));
        lock (s_lock)
        {
            if (s_byKind.TryGetValue(kind, out var byKind) && byKind.Type != typeof(TGenerator))
            {
                throw new ArgumentException($"Generator kind '{kind}' is already registered for {byKind.Type.FullName}.", nameof(kind));
            }

            if (s_byType.TryGetValue(typeof(TGenerator), out var byType) && byType.Kind != kind)
            {
                throw new ArgumentException($"{typeof(TGenerator).FullName} is already registered as generator kind '{byType.Kind}'.", nameof(kind));
            }

            s_byKind[kind] = entry;
            s_byType[typeof(TGenerator)] = entry;
        }
    }

    /// <summary>Describes a generator of a registered type, or returns null for an unregistered one.</summary>
    /// <param name="generator">The generator.</param>
    /// <returns>Its description, or null.</returns>
    public static GeneratorDescription? Describe(IParameterGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        Entry? entry;
        lock (s_lock)
        {
            s_byType.TryGetValue(generator.GetType(), out entry);
        }

        return entry is null ? null : new GeneratorDescription(entry.Kind, generator.GroupCount, entry.Describe(generator));
    }

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
        Entry? entry;
        lock (s_lock)
        {
            s_byKind.TryGetValue(description.Kind, out entry);
        }

        if (entry is null)
        {
            var kinds = Kinds;
            throw new KeyNotFoundException($"Generator kind '{description.Kind}' is not registered; registered kinds: {(kinds.Count == 0 ? "(none)" : string.Join(", ", kinds))}. Call GeneratorRegistry.Register first.");
        }

        try
        {
            return entry.Create(backbone, description.Options, description.GroupCount, generator ?? new Generator(0));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Generator kind '{description.Kind}': the stored options do not fit {entry.Type.Name}: {e.Message}", e);
        }
    }

    private sealed record Entry(string Kind, Type Type, Func<IParameterGenerator, JsonObject> Describe,
        Func<ISequentialBackbone, JsonObject, int, Generator, IParameterGenerator> Create);
}
