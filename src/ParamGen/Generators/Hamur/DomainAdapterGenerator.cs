using System.Globalization;
using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;

namespace ParamGen.Generators;

/// <summary>
/// One static adapter per domain, the same cell as HAMUR's (<see cref="DomainAdapter"/>) without the hypernetwork:
/// HAMUR's baseline "shared backbone + domain-specific adapters". It runs on the framework's per-group path: the
/// generated weights are a learned table <c>[D, P]</c> (<see cref="Weights"/>), one row per domain, and
/// <see cref="RowIndex"/> picks each sample's row by its domain.
/// </summary>
/// <remarks>
/// <para>State keys (under <c>generator.</c>): <c>weights [D, P]</c>; the cells' domain-norm buffers are under
/// <c>backbone.adapters.{slot}.norm.*</c>. Slots: as <see cref="HamurOptions.Slots"/>.</para>
/// <para>Each domain's row is initialised on its own (<see cref="DomainAdapter"/>), so a new model is close to the
/// plain backbone in every domain.</para>
/// </remarks>
public sealed class DomainAdapterGenerator : Module, IParameterGenerator
{
    private readonly ISequentialBackbone _backbone;
    private readonly Parameter _weights;
    private readonly DomainAdapter[] _adapters;

    /// <summary>Builds the per-domain adapters for a backbone, attaching them to the chosen slots.</summary>
    /// <param name="backbone">The backbone.</param>
    /// <param name="options">Options (default <see cref="DomainAdapterOptions"/>).</param>
    /// <param name="domainCount">Number of domains, at least 1.</param>
    /// <param name="generator">Seeded initialisation source (default <see cref="Generator.Default"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option or <paramref name="domainCount"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A slot named in the options does not exist (the message lists the backbone's
    /// slots), is named twice or already holds an adapter, or another slot holds a generated adapter. Nothing is attached.</exception>
    public DomainAdapterGenerator(ISequentialBackbone backbone, DomainAdapterOptions? options, int domainCount, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        Options = options ?? new DomainAdapterOptions();
        Options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(domainCount, 1);
        var slots = HamurSlots.Resolve(backbone, Options.Slots, nameof(DomainAdapterGenerator));
        var g = generator ?? Generator.Default;
        _backbone = backbone;
        GroupCount = domainCount;
        _adapters = [.. slots.Select(s => new DomainAdapter(s.Width, Options.Bottleneck, domainCount, Options.NormMomentum, Options.NormEps))];
        for (int i = 0; i < slots.Count; i++)
        {
            backbone.Slots.Attach(slots[i].Name, _adapters[i]);
        }

        SlotNames = [.. slots.Select(s => s.Name)];
        Layout = ParameterLayout.For(backbone.Slots);
        int p = Layout.Size;
        _weights = RegisterParameter("weights", new Parameter(Tensor.Zeros(domainCount, p)))!;
        var table = _weights.Span;
        for (int d = 0; d < domainCount; d++)
        {
            for (int i = 0; i < slots.Count; i++)
            {
                int offset = Layout[SlotNames[i], "down"].Offset;
                _adapters[i].Initialize(table.Slice((d * p) + offset, _adapters[i].WeightCount), g);
            }
        }
    }

    /// <summary>The options.</summary>
    public DomainAdapterOptions Options { get; }

    /// <inheritdoc/>
    public Module Module => this;

    /// <inheritdoc/>
    public ParameterLayout Layout { get; }

    /// <inheritdoc/>
    public int GroupCount { get; }

    /// <summary>The adapted slots, in the backbone's order.</summary>
    public IReadOnlyList<string> SlotNames { get; }

    /// <summary>The adapter cells, one per adapted slot, in <see cref="SlotNames"/> order.</summary>
    public IReadOnlyList<DomainAdapter> Adapters => _adapters;

    /// <summary>The learned table <c>[D, P]</c>: row d holds domain d's weights for every adapted slot, in layout order.</summary>
    public Parameter Weights => _weights;

    /// <summary>The table of every domain's weights, <c>[D, P]</c> (the parameter itself; each sample reads its domain's row).</summary>
    /// <param name="context">The batch.</param>
    /// <returns><see cref="Weights"/>.</returns>
    /// <exception cref="ArgumentException">The context is for another backbone, or a domain id is outside [0, <see cref="GroupCount"/>).</exception>
    public Tensor Generate(GeneratorContext context)
    {
        DomainContext.Check(context, _backbone, GroupCount, nameof(DomainAdapterGenerator));
        return _weights; // [D, P]
    }

    /// <summary>Each sample's row of the table: its domain id.</summary>
    /// <param name="context">The batch.</param>
    /// <returns>The domain ids <c>[B]</c>.</returns>
    /// <exception cref="ArgumentException">As <see cref="Generate"/>.</exception>
    public int[]? RowIndex(GeneratorContext context)
    {
        DomainContext.Check(context, _backbone, GroupCount, nameof(DomainAdapterGenerator));
        return context.Groups.ToArray();
    }

    /// <summary>A sample's weights depend only on its domain: the key is the domain id.</summary>
    /// <param name="context">The batch.</param>
    /// <param name="row">The sample.</param>
    /// <returns>The domain id as text.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="row"/> is outside the batch.</exception>
    public string? CacheKey(GeneratorContext context, int row)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, context.Rows);
        return context.Groups[row].ToString(CultureInfo.InvariantCulture);
    }
}
