using ParamGen.Adapters;
using ParamGen.Backbones;

namespace ParamGen.Generators;

/// <summary>Which slots of a backbone get a HAMUR (or per-domain) adapter, shared by both generators.</summary>
internal static class HamurSlots
{
    /// <summary>The name of the slot on the final states, which the default leaves empty when other slots exist.</summary>
    public const string UserState = "user_state";

    /// <summary>
    /// The slots to fill: <paramref name="requested"/> when given, else every slot but <c>user_state</c> (SASRec: after
    /// each block; GRU4Rec: the GRU output), or <c>user_state</c> when it is the backbone's only slot. Checks that every
    /// named slot exists, none is named twice, the chosen slots are empty, and no other slot holds a generated adapter
    /// (one generator writes all of a backbone's generated weights).
    /// </summary>
    /// <param name="backbone">The backbone.</param>
    /// <param name="requested">The option's slot list, or null.</param>
    /// <param name="generator">The generator's name, for messages.</param>
    /// <returns>The chosen slots, in the backbone's order.</returns>
    /// <exception cref="ArgumentException">A rule above is broken; the message lists the backbone's slots.</exception>
    public static IReadOnlyList<AdapterSlot> Resolve(ISequentialBackbone backbone, IReadOnlyList<string>? requested, string generator)
    {
        var all = backbone.Slots.All;
        string listing = all.Count == 0 ? "(none)" : string.Join(", ", all.Select(s => $"{s.Name} (width {s.Width})"));
        HashSet<string> chosen;
        if (requested is null)
        {
            chosen = [.. all.Where(s => s.Name != UserState).Select(s => s.Name)];
            if (chosen.Count == 0 && all.Any(s => s.Name == UserState))
            {
                chosen.Add(UserState);
            }
        }
        else
        {
            chosen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in requested)
            {
                if (name is null || !all.Any(s => s.Name == name))
                {
                    throw new ArgumentException($"{generator}: the backbone has no adapter slot '{name}'; its slots are: {listing}.", nameof(requested));
                }

                if (!chosen.Add(name))
                {
                    throw new ArgumentException($"{generator}: slot '{name}' is listed twice.", nameof(requested));
                }
            }
        }

        if (chosen.Count == 0)
        {
            throw new ArgumentException($"{generator}: no slot to adapt; the backbone's slots are: {listing}.", nameof(requested));
        }

        foreach (var slot in all)
        {
            if (chosen.Contains(slot.Name) && slot.Adapter is { } held)
            {
                throw new ArgumentException($"{generator}: slot '{slot.Name}' already holds a {held.GetType().Name}; detach it first or choose other slots (backbone slots: {listing}).", nameof(backbone));
            }

            if (!chosen.Contains(slot.Name) && slot.Adapter is { Source: AdapterWeightSource.Generated } other)
            {
                throw new ArgumentException($"{generator}: slot '{slot.Name}' holds a generated {other.GetType().Name} that this generator would not write; one generator writes all of a backbone's generated weights, so detach it first.", nameof(backbone));
            }
        }

        return [.. all.Where(s => chosen.Contains(s.Name))];
    }
}
