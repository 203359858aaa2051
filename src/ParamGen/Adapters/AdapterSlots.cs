using ParamGen.Tensors;
using ParamGen.Tensors.Nn;

namespace ParamGen.Adapters;

/// <summary>
/// The adapter slots of a backbone, as a child module (registered as <c>adapters</c>), so the adapters' own
/// parameters appear in the backbone's <see cref="Module.StateDict"/> under <c>adapters.{slot}.{weight}</c>.
/// </summary>
/// <remarks>Slot names use lower-case letters, digits and underscores (they become state-dict path parts).</remarks>
public sealed class AdapterSlots : Module
{
    private readonly List<AdapterSlot> _slots = [];

    /// <summary>All declared slots in declaration order (the order of <see cref="ParameterLayout"/>).</summary>
    public IReadOnlyList<AdapterSlot> All => _slots;

    /// <summary>The names of all declared slots.</summary>
    public IEnumerable<string> Names => _slots.Select(s => s.Name);

    /// <summary>The slot of a name.</summary>
    /// <param name="name">A declared slot name.</param>
    /// <exception cref="KeyNotFoundException">No slot has that name; the message lists the declared ones.</exception>
    public AdapterSlot this[string name] => Find(name) ?? throw new KeyNotFoundException(
        $"No adapter slot '{name}'; this backbone declares: {(_slots.Count == 0 ? "(none)" : string.Join(", ", Names))}.");

    /// <summary>Declares a slot (backbones call this in their constructor).</summary>
    /// <param name="name">Unique name: lower-case letters, digits, underscores.</param>
    /// <param name="width">Width of the states passing through.</param>
    /// <param name="description">Where it sits, in words.</param>
    /// <returns>The new, empty slot.</returns>
    /// <exception cref="ArgumentException">The name is malformed or taken, or the width is below 1.</exception>
    public AdapterSlot Declare(string name, int width, string description)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"Adapter slot name '{name}' must use only lower-case letters, digits and underscores.", nameof(name));
        }

        if (Find(name) is not null)
        {
            throw new ArgumentException($"Adapter slot '{name}' is declared twice.", nameof(name));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var slot = new AdapterSlot(name, width, description);
        _slots.Add(slot);
        return slot;
    }

    /// <summary>Puts an adapter into a slot, replacing any adapter already there.</summary>
    /// <param name="name">The slot.</param>
    /// <param name="adapter">The adapter; its width must equal the slot's.</param>
    /// <exception cref="KeyNotFoundException">No such slot.</exception>
    /// <exception cref="ArgumentException">The widths differ; nothing changes.</exception>
    public void Attach(string name, Adapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        var slot = this[name];
        if (adapter.Width != slot.Width)
        {
            throw new ArgumentException($"Adapter {adapter.GetType().Name} has width {adapter.Width} but slot '{name}' carries width {slot.Width}.", nameof(adapter));
        }

        Detach(name);
        RegisterModule(name, adapter);
        slot.Adapter = adapter;
    }

    /// <summary>Empties a slot.</summary>
    /// <param name="name">The slot.</param>
    /// <returns>The adapter that was there, or null.</returns>
    /// <exception cref="KeyNotFoundException">No such slot.</exception>
    public Adapter? Detach(string name)
    {
        var slot = this[name];
        var old = slot.Adapter;
        if (old is not null)
        {
            RemoveModule(name);
            slot.Adapter = null;
        }

        return old;
    }

    /// <summary>
    /// Passes states through a slot: unchanged (the same tensor object, no work) when the slot is empty, else
    /// through its adapter with the slot's generated weights.
    /// </summary>
    /// <param name="name">The slot.</param>
    /// <param name="x">States <c>[B, L, d]</c> or <c>[B, d]</c>.</param>
    /// <param name="weights">Generated weights for the batch, or null when no generator is involved.</param>
    /// <returns>The states after the slot.</returns>
    /// <exception cref="KeyNotFoundException">No such slot.</exception>
    /// <exception cref="ArgumentException">The slot holds a generated adapter but <paramref name="weights"/> is null or its layout does not cover the slot.</exception>
    public Tensor Apply(string name, Tensor x, GeneratedWeights? weights = null)
    {
        var slot = this[name];
        if (slot.Adapter is not { } adapter)
        {
            return x;
        }

        var slotWeights = weights?.ForSlot(name);
        if (adapter.Source == AdapterWeightSource.Generated && slotWeights is null)
        {
            throw new ArgumentException(weights is null
                ? $"Slot '{name}' holds a generated {adapter.GetType().Name}, but no generated weights were passed."
                : $"Slot '{name}' holds a generated {adapter.GetType().Name}, but the generated weights' layout does not cover it ({weights.Layout}); rebuild the layout after attaching adapters.", nameof(weights));
        }

        return adapter.Forward(x, slotWeights);
    }

    private AdapterSlot? Find(string name)
    {
        foreach (var s in _slots)
        {
            if (s.Name == name)
            {
                return s;
            }
        }

        return null;
    }
}
