using ParamGen.Tensors;

namespace ParamGen.Adapters;

/// <summary>
/// A generator's output for one batch, bound to a <see cref="ParameterLayout"/>: the packed tensor and its
/// per-slot views. Made by <see cref="ParameterLayout.Bind"/>.
/// </summary>
public sealed class GeneratedWeights
{
    private readonly Dictionary<string, SlotWeights> _bySlot;

    internal GeneratedWeights(ParameterLayout layout, Tensor packed, Dictionary<string, SlotWeights> bySlot, int rows, SampleInfo? samples)
    {
        Samples = samples;
        Layout = layout;
        Packed = packed;
        _bySlot = bySlot;
        Rows = rows;
    }

    /// <summary>The layout the weights follow.</summary>
    public ParameterLayout Layout { get; }

    /// <summary>The generator's output <c>[N, P]</c>.</summary>
    public Tensor Packed { get; }

    /// <summary>The samples served (groups, real lengths), when the binder gave them; null otherwise.</summary>
    public SampleInfo? Samples { get; }

    /// <summary>Number of samples served.</summary>
    public int Rows { get; }

    /// <summary>The weights of one slot, or null when the layout does not cover it (its adapter is static or absent).</summary>
    /// <param name="slot">The slot name.</param>
    /// <returns>The slot's views or null.</returns>
    public SlotWeights? ForSlot(string slot) => _bySlot.GetValueOrDefault(slot);
}
