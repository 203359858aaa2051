using ParamGen.Tensors;

namespace ParamGen.Adapters;

/// <summary>
/// The parameter space of a backbone's generated adapters: every weight of every slot whose adapter is
/// <see cref="AdapterWeightSource.Generated"/>, flattened in slot order and then weight order into one row of
/// <see cref="Size"/> floats. Generators write <c>[B, P]</c> (a row per sample) or <c>[G, P]</c> (a row per domain
/// or task, chosen per sample by a row index); <see cref="Bind"/> turns that tensor into per-slot views without copying.
/// </summary>
public sealed class ParameterLayout
{
    private readonly List<LayoutEntry> _entries = [];
    private readonly HashSet<string> _slots = [];

    private ParameterLayout()
    {
    }

    /// <summary>The entries in order (offsets increase).</summary>
    public IReadOnlyList<LayoutEntry> Entries => _entries;

    /// <summary>P: floats per row.</summary>
    public int Size { get; private set; }

    /// <summary>The slots covered, in order.</summary>
    public IEnumerable<string> Slots => _entries.Select(e => e.Slot).Distinct();

    /// <summary>The layout of the generated adapters currently in <paramref name="slots"/>.</summary>
    /// <param name="slots">A backbone's slots.</param>
    /// <returns>The layout (empty, <see cref="Size"/> 0, when no slot holds a generated adapter).</returns>
    public static ParameterLayout For(AdapterSlots slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
        var layout = new ParameterLayout();
        foreach (var slot in slots.All)
        {
            if (slot.Adapter is { Source: AdapterWeightSource.Generated } adapter)
            {
                layout._slots.Add(slot.Name);
                foreach (var spec in adapter.WeightSpecs)
                {
                    var entry = new LayoutEntry(slot.Name, spec.Name, layout.Size, [.. spec.Shape]);
                    layout._entries.Add(entry);
                    layout.Size = checked(layout.Size + entry.NumElements);
                }
            }
        }

        return layout;
    }

    /// <summary>The entry of a weight.</summary>
    /// <param name="slot">The slot name.</param>
    /// <param name="weight">The weight name.</param>
    /// <exception cref="KeyNotFoundException">Not in the layout; the message lists the keys.</exception>
    public LayoutEntry this[string slot, string weight] =>
        _entries.Find(e => e.Slot == slot && e.Weight == weight)
        ?? throw new KeyNotFoundException($"The parameter layout has no '{slot}.{weight}'; it has: {string.Join(", ", _entries.Select(e => e.Key))}.");

    /// <summary>
    /// Wraps a generator's output as per-slot views (no copy).
    /// </summary>
    /// <param name="packed">Generated weights <c>[N, P]</c>.</param>
    /// <param name="rowIndex">For <c>[G, P]</c> output, the row each sample uses (<c>[B]</c>, values in [0, G); copied); null when row b is sample b.</param>
    /// <param name="samples">Optional description of the samples (group of each, real lengths) for adapters that keep
    /// group-wise state; default none.</param>
    /// <returns>The weights, by slot.</returns>
    /// <exception cref="ArgumentException"><paramref name="packed"/> is not <c>[N, P]</c> with this layout's P, a row index
    /// is out of range, or <paramref name="samples"/> does not describe the samples served.</exception>
    public GeneratedWeights Bind(Tensor packed, int[]? rowIndex = null, SampleInfo? samples = null)
    {
        ArgumentNullException.ThrowIfNull(packed);
        if (packed.Rank != 2 || packed.Shape[1] != Size)
        {
            throw new ArgumentException($"Generated weights {packed.Shape} do not match the parameter layout: expected [N, {Size}] for {string.Join(", ", _entries.Select(e => e.Key))}.", nameof(packed));
        }

        if (rowIndex is not null)
        {
            for (int b = 0; b < rowIndex.Length; b++)
            {
                if ((uint)rowIndex[b] >= (uint)packed.Shape[0])
                {
                    throw new ArgumentException($"Row index {rowIndex[b]} of sample {b} is outside the {packed.Shape[0]} generated rows.", nameof(rowIndex));
                }
            }
        }

        rowIndex = rowIndex is null ? null : (int[])rowIndex.Clone(); // the views must not change if the caller reuses its array
        int rows = rowIndex?.Length ?? packed.Shape[0];
        samples?.Check(rows);
        var bySlot = new Dictionary<string, SlotWeights>();
        foreach (var group in _entries.GroupBy(e => e.Slot))
        {
            var views = group.ToDictionary(e => e.Weight, e => new ParameterView(packed, e.Offset, e.Shape, rowIndex));
            bySlot[group.Key] = new SlotWeights(group.Key, views, rows, samples);
        }

        return new GeneratedWeights(this, packed, bySlot, rows, samples);
    }

    /// <inheritdoc/>
    public override string ToString() => $"ParameterLayout P = {Size}: {string.Join(", ", _entries.Select(e => $"{e.Key} [{string.Join(", ", e.Shape)}] @{e.Offset}"))}";
}
