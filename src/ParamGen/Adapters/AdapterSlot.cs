namespace ParamGen.Adapters;

/// <summary>
/// A named insertion point of known width in a backbone (e.g. <c>block0.out</c>, <c>user_state</c>). Empty, it
/// is the identity and costs nothing; filled, its <see cref="Adapter"/> maps the states that pass through it.
/// </summary>
public sealed class AdapterSlot
{
    internal AdapterSlot(string name, int width, string description)
    {
        Name = name;
        Width = width;
        Description = description;
    }

    /// <summary>The slot's name, unique within its backbone.</summary>
    public string Name { get; }

    /// <summary>The width d of the states passing through it.</summary>
    public int Width { get; }

    /// <summary>Where the slot sits, in words (for listings and errors).</summary>
    public string Description { get; }

    /// <summary>The adapter in the slot, or null when empty (identity).</summary>
    public Adapter? Adapter { get; internal set; }

    /// <summary>Whether an adapter fills the slot.</summary>
    public bool IsEmpty => Adapter is null;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (width {Width}{(Adapter is null ? ", empty" : $", {Adapter.GetType().Name}")})";
}
