using ParamGen.Tensors;
using ParamGen.Tensors.Nn;

namespace ParamGen.Adapters;

/// <summary>
/// A module that fills an <see cref="AdapterSlot"/>: it maps states of the slot's width to states of the same
/// width, <c>[B, L, d] -> [B, L, d]</c> or <c>[B, d] -> [B, d]</c>.
/// </summary>
/// <remarks>
/// An adapter declares the named shapes of its weights (<see cref="WeightSpecs"/>). With
/// <see cref="AdapterWeightSource.Static"/> it owns them as parameters named after the specs; with
/// <see cref="AdapterWeightSource.Generated"/> it reads them per sample from the <see cref="SlotWeights"/> passed to
/// <see cref="Forward"/> (views into a generator's <c>[N, P]</c> output, see <see cref="ParameterLayout"/>). The
/// static parameters and a generated row hold the same numbers in the same order, so trained static weights can
/// serve as a generator's target (<see cref="ExportWeights"/>) and a generated row can be baked into a static
/// adapter (<see cref="ImportWeights"/>).
/// </remarks>
public abstract class Adapter : Module
{
    /// <summary>Creates the adapter.</summary>
    /// <param name="width">The slot width d it fits.</param>
    /// <param name="source">Where its weights come from.</param>
    protected Adapter(int width, AdapterWeightSource source)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Width = width;
        Source = source;
    }

    /// <summary>The width d of the states it maps.</summary>
    public int Width { get; }

    /// <summary>Whether its weights are its own parameters or generated per batch.</summary>
    public AdapterWeightSource Source { get; }

    /// <summary>The named weights of this adapter, in layout order (what a generator writes when <see cref="Source"/> is Generated).</summary>
    public abstract IReadOnlyList<WeightSpec> WeightSpecs { get; }

    /// <summary>Number of floats one sample's weights take: the sum of the specs' sizes.</summary>
    public int WeightCount => WeightSpecs.Sum(s => s.NumElements);

    /// <summary>Applies the adapter.</summary>
    /// <param name="x">States <c>[B, L, d]</c> or <c>[B, d]</c>.</param>
    /// <param name="weights">This slot's generated weights (one row per sample) when <see cref="Source"/> is Generated; ignored (may be null) when Static.</param>
    /// <returns>States of the same shape.</returns>
    /// <exception cref="ArgumentException">The last dimension of <paramref name="x"/> is not <see cref="Width"/>, or generated weights are
    /// missing or do not cover the batch; the message names the adapter and the shapes.</exception>
    public abstract Tensor Forward(Tensor x, SlotWeights? weights);

    /// <summary>The static weights flattened in <see cref="WeightSpecs"/> order: one row of the parameter space for this adapter.</summary>
    /// <returns><see cref="WeightCount"/> floats (a copy).</returns>
    /// <exception cref="InvalidOperationException">The adapter is Generated (it owns no such weights).</exception>
    public float[] ExportWeights()
    {
        var row = new float[WeightCount];
        int at = 0;
        foreach (var (spec, p) in StaticWeights())
        {
            p.AsReadOnlySpan().CopyTo(row.AsSpan(at, spec.NumElements));
            at += spec.NumElements;
        }

        return row;
    }

    /// <summary>Overwrites the static weights from a flattened row in <see cref="WeightSpecs"/> order (e.g. a generated row).</summary>
    /// <param name="row">Exactly <see cref="WeightCount"/> floats.</param>
    /// <exception cref="InvalidOperationException">The adapter is Generated.</exception>
    /// <exception cref="ArgumentException">The row has the wrong length; nothing changes.</exception>
    public void ImportWeights(ReadOnlySpan<float> row)
    {
        var weights = StaticWeights();
        if (row.Length != WeightCount)
        {
            throw new ArgumentException($"{Describe()} takes {WeightCount} floats ({string.Join(", ", WeightSpecs)}); got {row.Length}.", nameof(row));
        }

        int at = 0;
        foreach (var (spec, p) in weights)
        {
            row.Slice(at, spec.NumElements).CopyTo(p.Span);
            at += spec.NumElements;
        }
    }

    /// <summary>Checks that <paramref name="x"/> is <c>[B, L, d]</c> or <c>[B, d]</c> with d = <see cref="Width"/>.</summary>
    /// <param name="x">The states.</param>
    /// <exception cref="ArgumentException">The shape does not fit; the message names the adapter and the shape.</exception>
    protected void CheckInput(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank is not (2 or 3) || x.Shape[-1] != Width)
        {
            throw new ArgumentException($"{Describe()} maps states [B, L, {Width}] or [B, {Width}]; got {x.Shape}.", nameof(x));
        }
    }

    /// <summary>
    /// Checks the generated weights for a batch of states: present, one row per sample, and a view of each
    /// <see cref="WeightSpecs"/> entry with its shape.
    /// </summary>
    /// <param name="x">The states <c>[B, ...]</c>.</param>
    /// <param name="weights">The slot's generated weights.</param>
    /// <returns>The weights, not null.</returns>
    /// <exception cref="ArgumentException">Missing, of another batch size, or from a layout that does not match this adapter.</exception>
    protected SlotWeights RequireWeights(Tensor x, SlotWeights? weights)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (weights is null)
        {
            throw new ArgumentException($"{Describe()} needs generated weights for the batch, but none were passed (bind the generator's output with ParameterLayout.Bind and pass it to Encode).", nameof(weights));
        }

        if (weights.Rows != x.Shape[0])
        {
            throw new ArgumentException($"Generated weights for slot '{weights.Slot}' serve {weights.Rows} samples but the states {x.Shape} hold {x.Shape[0]}.", nameof(weights));
        }

        foreach (var spec in WeightSpecs)
        {
            if (!weights.Names.Contains(spec.Name) || !weights[spec.Name].Shape.AsSpan().SequenceEqual(spec.Shape))
            {
                throw new ArgumentException($"Generated weights for slot '{weights.Slot}' do not match {Describe()}: it needs {string.Join(", ", WeightSpecs)}; the layout gives {string.Join(", ", weights.Names.Select(n => $"{n} [{string.Join(", ", weights[n].Shape)}]"))}. Rebuild the layout after changing adapters.", nameof(weights));
            }
        }

        return weights;
    }

    /// <summary>"BottleneckAdapter (width 64, Generated)" for messages.</summary>
    /// <returns>The description.</returns>
    protected string Describe() => $"{GetType().Name} (width {Width}, {Source})";

    private List<(WeightSpec Spec, Parameter Parameter)> StaticWeights()
    {
        if (Source != AdapterWeightSource.Static)
        {
            throw new InvalidOperationException($"{Describe()} has no static weights: a generator writes them.");
        }

        var own = NamedParameters(recurse: false).ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);
        var list = new List<(WeightSpec, Parameter)>();
        foreach (var spec in WeightSpecs)
        {
            if (!own.TryGetValue(spec.Name, out var p) || !p.Shape.AsSpan().SequenceEqual(spec.Shape))
            {
                throw new InvalidOperationException($"{Describe()} declares weight {spec} but has no parameter of that name and shape.");
            }

            list.Add((spec, p));
        }

        return list;
    }
}
