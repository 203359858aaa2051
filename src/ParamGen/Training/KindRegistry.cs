using System.Text.Json;
using System.Text.Json.Nodes;

namespace ParamGen.Training;

/// <summary>
/// Types by kind name, with their options as JSON: the one table behind <see cref="BackboneRegistry"/> and
/// <c>GeneratorRegistry</c>, so a checkpoint can name what it saved and rebuild it.
/// </summary>
/// <typeparam name="TBase">What is registered (a backbone, a generator).</typeparam>
/// <typeparam name="TArgs">What building one takes besides its options.</typeparam>
/// <param name="what">The word used in messages ("Backbone", "Generator").</param>
/// <param name="registry">The public registry's name, for messages.</param>
internal sealed class KindRegistry<TBase, TArgs>(string what, string registry)
    where TBase : class
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _byKind = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, Entry> _byType = [];

    /// <summary>The registered kinds, sorted.</summary>
    public IReadOnlyList<string> Kinds
    {
        get
        {
            lock (_lock)
            {
                return [.. _byKind.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Registers <typeparamref name="T"/> under <paramref name="kind"/>.</summary>
    public void Register<T, TOptions>(string kind, Func<T, TOptions> optionsOf, Func<TOptions, TArgs, T> create)
        where T : class, TBase
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(optionsOf);
        ArgumentNullException.ThrowIfNull(create);
        if (!kind.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"{what} kind '{kind}' must use only lower-case letters, digits and underscores.", nameof(kind));
        }

        var entry = new Entry(
            kind,
            typeof(T),
            x => JsonSerializer.SerializeToNode(optionsOf((T)x), TrainingJson.Options) as JsonObject
                ?? throw new InvalidOperationException($"{what} kind '{kind}': the options of {typeof(T).Name} do not serialise to a JSON object."),
            (json, args) => create(json.Deserialize<TOptions>(TrainingJson.Options)
                ?? throw new InvalidDataException($"{what} kind '{kind}': the stored options are null."), args));
        lock (_lock)
        {
            if (_byKind.TryGetValue(kind, out var byKind) && byKind.Type != typeof(T))
            {
                throw new ArgumentException($"{what} kind '{kind}' is already registered for {byKind.Type.FullName}.", nameof(kind));
            }

            if (_byType.TryGetValue(typeof(T), out var byType) && byType.Kind != kind)
            {
                throw new ArgumentException($"{typeof(T).FullName} is already registered as {what.ToLowerInvariant()} kind '{byType.Kind}'.", nameof(kind));
            }

            _byKind[kind] = entry;
            _byType[typeof(T)] = entry;
        }
    }

    /// <summary>The kind and options of a registered object, or null for an unregistered type.</summary>
    public (string Kind, JsonObject Options)? Describe(TBase value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Entry? entry;
        lock (_lock)
        {
            _byType.TryGetValue(value.GetType(), out entry);
        }

        return entry is null ? null : (entry.Kind, entry.Describe(value));
    }

    /// <summary>Builds a registered kind from stored options.</summary>
    /// <exception cref="KeyNotFoundException">The kind is not registered; the message lists the registered kinds.</exception>
    /// <exception cref="InvalidDataException">The stored options do not fit the type.</exception>
    public TBase Create(string kind, JsonObject options, TArgs args)
    {
        Entry? entry;
        lock (_lock)
        {
            _byKind.TryGetValue(kind, out entry);
        }

        if (entry is null)
        {
            var kinds = Kinds;
            throw new KeyNotFoundException($"{what} kind '{kind}' is not registered; registered kinds: {(kinds.Count == 0 ? "(none)" : string.Join(", ", kinds))}. Call {registry}.Register first.");
        }

        try
        {
            return entry.Create(options, args);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what} kind '{kind}': the stored options do not fit {entry.Type.Name}: {e.Message}", e);
        }
    }

    private sealed record Entry(string Kind, Type Type, Func<TBase, JsonObject> Describe, Func<JsonObject, TArgs, TBase> Create);
}
