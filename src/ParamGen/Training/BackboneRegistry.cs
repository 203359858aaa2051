using System.Text.Json;
using System.Text.Json.Nodes;
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
    private static readonly Lock s_lock = new();
    private static readonly Dictionary<string, Entry> s_byKind = new(StringComparer.Ordinal);
    private static readonly Dictionary<Type, Entry> s_byType = [];

    /// <summary>The built-in backbones are always registered: <c>sasrec</c> (<see cref="SasRec"/>) and <c>gru4rec</c> (<see cref="Gru4Rec"/>).</summary>
    static BackboneRegistry()
    {
        Register<SasRec, SasRecOptions>("sasrec", b => b.Options, (items, options, generator) => new SasRec(items, options, generator));
        Register<Gru4Rec, Gru4RecOptions>("gru4rec", b => b.Options, (items, options, generator) => new Gru4Rec(items, options, generator));
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
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(optionsOf);
        ArgumentNullException.ThrowIfNull(create);
        if (!kind.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"Backbone kind '{kind}' must use only lower-case letters, digits and underscores.", nameof(kind));
        }

        var entry = new Entry(
            kind,
            typeof(TBackbone),
            b => JsonSerializer.SerializeToNode(optionsOf((TBackbone)b), TrainingJson.Options) as JsonObject
                ?? throw new InvalidOperationException($"Backbone kind '{kind}': the options of {typeof(TBackbone).Name} do not serialise to a JSON object."),
            (items, json, generator) => create(items, json.Deserialize<TOptions>(TrainingJson.Options)
                ?? throw new InvalidDataException($"Backbone kind '{kind}': the stored options are null."), generator));
        lock (s_lock)
        {
            if (s_byKind.TryGetValue(kind, out var byKind) && byKind.Type != typeof(TBackbone))
            {
                throw new ArgumentException($"Backbone kind '{kind}' is already registered for {byKind.Type.FullName}.", nameof(kind));
            }

            if (s_byType.TryGetValue(typeof(TBackbone), out var byType) && byType.Kind != kind)
            {
                throw new ArgumentException($"{typeof(TBackbone).FullName} is already registered as backbone kind '{byType.Kind}'.", nameof(kind));
            }

            s_byKind[kind] = entry;
            s_byType[typeof(TBackbone)] = entry;
        }
    }

    /// <summary>Describes a backbone whose type is registered.</summary>
    /// <param name="backbone">The backbone.</param>
    /// <returns>Its description, or null when its type is not registered.</returns>
    public static BackboneDescription? Describe(ISequentialBackbone backbone)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        Entry? entry;
        lock (s_lock)
        {
            s_byType.TryGetValue(backbone.GetType(), out entry);
        }

        return entry is null ? null : new BackboneDescription(entry.Kind, backbone.NumItems, entry.Describe(backbone));
    }

    /// <summary>Builds a backbone from its description (with freshly initialised weights).</summary>
    /// <param name="description">The description.</param>
    /// <param name="generator">The generator its initialisation and dropout draw from (default: a new one seeded 0).</param>
    /// <returns>The backbone.</returns>
    /// <exception cref="KeyNotFoundException">The kind is not registered; the message lists the registered kinds.</exception>
    /// <exception cref="InvalidDataException">The options do not deserialise.</exception>
    public static ISequentialBackbone Create(BackboneDescription description, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        Entry? entry;
        lock (s_lock)
        {
            s_byKind.TryGetValue(description.Kind, out entry);
        }

        if (entry is null)
        {
            var kinds = Kinds;
            throw new KeyNotFoundException($"Backbone kind '{description.Kind}' is not registered; registered kinds: {(kinds.Count == 0 ? "(none)" : string.Join(", ", kinds))}. Call BackboneRegistry.Register first.");
        }

        try
        {
            return entry.Create(description.NumItems, description.Options, generator ?? new Generator(0));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Backbone kind '{description.Kind}': the stored options do not fit {entry.Type.Name}: {e.Message}", e);
        }
    }

    private sealed record Entry(string Kind, Type Type, Func<ISequentialBackbone, JsonObject> Describe, Func<int, JsonObject, Generator, ISequentialBackbone> Create);
}
