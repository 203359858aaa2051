using ParamGen.Backbones;

namespace ParamGen.Generators;

/// <summary>The checks both domain generators (<see cref="HamurGenerator"/>, <see cref="DomainAdapterGenerator"/>) run on a context.</summary>
internal static class DomainContext
{
    /// <summary>Checks that the context is for <paramref name="backbone"/> and every domain id lies in [0, <paramref name="domains"/>).</summary>
    /// <param name="context">The context.</param>
    /// <param name="backbone">The backbone the generator was built for.</param>
    /// <param name="domains">The generator's number of domains.</param>
    /// <param name="generator">The generator's name, for messages.</param>
    /// <exception cref="ArgumentException">Another backbone, or a domain id out of range; the message names the row.</exception>
    public static void Check(GeneratorContext context, ISequentialBackbone backbone, int domains, string generator)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!ReferenceEquals(context.Backbone, backbone))
        {
            throw new ArgumentException($"{generator} was built for another backbone ({backbone.GetType().Name}, slots {string.Join(", ", backbone.Slots.Names)}) than the context's ({context.Backbone.GetType().Name}).", nameof(context));
        }

        var groups = context.Groups;
        for (int b = 0; b < groups.Length; b++)
        {
            if ((uint)groups[b] >= (uint)domains)
            {
                throw new ArgumentException($"Batch row {b} has domain id {groups[b]}, but {generator} knows {domains} domain(s) (ids 0..{domains - 1}); it was not trained with that domain.", nameof(context));
            }
        }
    }
}
