using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Nn;

namespace ParamGen.Generators;

/// <summary>
/// A backbone whose generated adapters are fed by a generator: each batch the generator writes the adapter weights
/// and the backbone encodes with them. It is an <see cref="ISequentialRecommender"/>, so the <c>Trainer</c>, the
/// <c>Evaluator</c> and the <c>Recommender</c> use it as they use a plain backbone; gradients reach the generator
/// through the generated weights (end-to-end training), or freeze the backbone (<see cref="FreezeBackbone"/>) so only
/// the generator and the adapters' own parameters learn.
/// </summary>
/// <remarks>
/// <para>State keys: the backbone's under <c>backbone.</c> (its slots hold the generator's adapters), the
/// generator's under <c>generator.</c>.</para>
/// <para><b>Serving cache.</b> After <see cref="EnableCache"/>, evaluation-mode encoding (no gradient) reuses the rows
/// of samples whose <see cref="IParameterGenerator.CacheKey"/> was seen before, and generates only when some sample
/// is new. The cache assumes fixed weights: call <see cref="ClearCache"/> after changing them. Training mode never
/// reads or fills it.</para>
/// </remarks>
public sealed class GeneratedRecommender : ISequentialRecommender
{
    private readonly Lock _cacheLock = new();
    private Dictionary<string, float[]>? _cache;
    private int _cacheCapacity;

    /// <summary>Joins a backbone and the generator built for it.</summary>
    /// <param name="backbone">The backbone; its generated slots must be exactly those of the generator's layout.</param>
    /// <param name="generator">The generator.</param>
    /// <exception cref="ArgumentException">The generator's layout does not match the backbone's generated slots (a
    /// slot missing, extra, or with other shapes); the message lists both.</exception>
    public GeneratedRecommender(ISequentialBackbone backbone, IParameterGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(generator);
        var expected = ParameterLayout.For(backbone.Slots);
        if (expected.ToString() != generator.Layout.ToString())
        {
            throw new ArgumentException($"The generator's layout does not match the backbone's generated slots.\n  generator: {generator.Layout}\n  backbone:  {expected}", nameof(generator));
        }

        Backbone = backbone;
        Generator = generator;
        Module = new Container(backbone.Module, generator.Module);
    }

    /// <inheritdoc/>
    public ISequentialBackbone Backbone { get; }

    /// <summary>The generator feeding the backbone's slots.</summary>
    public IParameterGenerator Generator { get; }

    /// <summary>Backbone and generator as one module (keys <c>backbone.*</c>, <c>generator.*</c>).</summary>
    public Module Module { get; }

    /// <summary>Number of groups (domains) the model serves.</summary>
    public int GroupCount => Generator.GroupCount;

    /// <summary>Number of rows held in the serving cache (0 when it is off).</summary>
    public int CachedRows
    {
        get
        {
            lock (_cacheLock)
            {
                return _cache?.Count ?? 0;
            }
        }
    }

    /// <inheritdoc/>
    public Tensor Encode(SequenceBatch batch) => Backbone.Encode(batch, Weights(batch)); // [B, L, d]

    /// <inheritdoc/>
    public Tensor EncodeLast(SequenceBatch batch) => Backbone.EncodeLast(batch, Weights(batch)); // [B, d]

    /// <summary>The generated weights for a batch, bound to the layout (from the cache where allowed).</summary>
    /// <param name="batch">The batch.</param>
    /// <returns>The weights the backbone encodes the batch with.</returns>
    /// <exception cref="ArgumentException">A row's domain id is not one the model knows; the message names the row.</exception>
    public GeneratedWeights Weights(SequenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var context = new GeneratorContext(batch, Backbone, GroupCount);
        var keys = _cache is not null && !Module.Training && !Grad.IsEnabled ? CacheKeys(context) : null;
        if (keys is not null && TryAssemble(keys) is { } cached)
        {
            return Generator.Layout.Bind(cached, null, context.Samples);
        }

        var packed = Generator.Generate(context); // [B, P] or [G, P]
        var rows = Generator.RowIndex(context);
        if (keys is not null)
        {
            Store(keys, packed, rows);
        }

        return Generator.Layout.Bind(packed, rows, context.Samples);
    }

    /// <summary>Turns the serving cache on (evaluation mode only; see remarks).</summary>
    /// <param name="capacity">Most rows kept (default 100,000); when full, the cache is emptied and refilled.</param>
    public void EnableCache(int capacity = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        lock (_cacheLock)
        {
            _cache = new Dictionary<string, float[]>(StringComparer.Ordinal);
            _cacheCapacity = capacity;
        }
    }

    /// <summary>Empties the serving cache (keep it on).</summary>
    public void ClearCache()
    {
        lock (_cacheLock)
        {
            _cache?.Clear();
        }
    }

    /// <summary>Turns the serving cache off and drops its rows.</summary>
    public void DisableCache()
    {
        lock (_cacheLock)
        {
            _cache = null;
        }
    }

    /// <summary>
    /// Freezes the backbone's own parameters (embeddings, blocks) so only the generator and the adapters in the
    /// slots learn; <paramref name="frozen"/> false unfreezes them.
    /// </summary>
    /// <param name="frozen">Freeze (default true) or unfreeze.</param>
    /// <returns>Number of parameters whose flag changed.</returns>
    public int FreezeBackbone(bool frozen = true)
    {
        var adapters = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var p in Backbone.Slots.Parameters())
        {
            adapters.Add(p);
        }

        int changed = 0;
        foreach (var p in Backbone.Module.Parameters())
        {
            if (!adapters.Contains(p) && p.RequiresGrad == frozen)
            {
                p.RequiresGrad = !frozen;
                changed++;
            }
        }

        return changed;
    }

    /// <summary>Each sample's cache key (null where the generator gives none), built once per call.</summary>
    private string?[] CacheKeys(GeneratorContext context)
    {
        var keys = new string?[context.Rows];
        for (int b = 0; b < keys.Length; b++)
        {
            keys[b] = Generator.CacheKey(context, b);
        }

        return keys;
    }

    private Tensor? TryAssemble(string?[] keys)
    {
        int p = Generator.Layout.Size;
        lock (_cacheLock)
        {
            if (_cache is null)
            {
                return null;
            }

            var packed = Tensor.Zeros(keys.Length, p);
            var span = packed.Span;
            for (int b = 0; b < keys.Length; b++)
            {
                if (keys[b] is not { } key || !_cache.TryGetValue(key, out var row))
                {
                    return null;
                }

                row.CopyTo(span.Slice(b * p, p));
            }

            return packed;
        }
    }

    private void Store(string?[] keys, Tensor packed, int[]? rows)
    {
        int p = Generator.Layout.Size;
        var source = packed.AsReadOnlySpan();
        lock (_cacheLock)
        {
            if (_cache is null)
            {
                return;
            }

            for (int b = 0; b < keys.Length; b++)
            {
                if (keys[b] is not { } key || _cache.ContainsKey(key))
                {
                    continue;
                }

                if (_cache.Count >= _cacheCapacity)
                {
                    _cache.Clear();
                }

                int r = rows is null ? b : rows[b];
                _cache[key] = source.Slice(r * p, p).ToArray();
            }
        }
    }

    private sealed class Container : Module
    {
        public Container(Module backbone, Module generator)
        {
            RegisterModule("backbone", backbone);
            RegisterModule("generator", generator);
        }
    }
}
