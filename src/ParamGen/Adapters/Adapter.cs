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
/// <see cref="Forward"/> (views into a generator's <c>[N, P]</c> output, see <see cref="ParameterLayout"/>).
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
}
