namespace ParamGen.Adapters;

/// <summary>The generated weights of one slot for a batch: one <see cref="ParameterView"/> per weight name.</summary>
public sealed class SlotWeights
{
    private readonly Dictionary<string, ParameterView> _views;

    internal SlotWeights(string slot, Dictionary<string, ParameterView> views, int rows, SampleInfo? samples)
    {
        Samples = samples;
        Slot = slot;
        _views = views;
        Rows = rows;
    }

    /// <summary>The slot these weights are for.</summary>
    public string Slot { get; }

    /// <summary>Number of samples (batch rows) served.</summary>
    public int Rows { get; }

    /// <summary>The samples served (groups, real lengths), when the binder gave them; null otherwise.</summary>
    public SampleInfo? Samples { get; }

    /// <summary>Names of the weights present.</summary>
    public IEnumerable<string> Names => _views.Keys;

    /// <summary>The view of one weight.</summary>
    /// <param name="name">A weight name declared by the slot's adapter.</param>
    /// <exception cref="KeyNotFoundException">The name is not in the layout of this slot; the message lists the names that are.</exception>
    public ParameterView this[string name] => _views.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException(
        $"Slot '{Slot}' has no generated weight '{name}'; it has: {string.Join(", ", _views.Keys)}.");
}
