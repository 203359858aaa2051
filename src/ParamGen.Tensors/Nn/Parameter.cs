namespace ParamGen.Tensors.Nn;

/// <summary>
/// A tensor registered as a learnable parameter of a <see cref="Module"/>: a leaf that requires a gradient
/// unless created frozen, as <c>torch.nn.Parameter</c>.
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>Wraps <paramref name="data"/>'s storage (no copy) as a parameter.</summary>
    /// <param name="data">The initial values; its storage is shared.</param>
    /// <param name="requiresGrad">Whether the parameter learns (default true).</param>
    public Parameter(Tensor data, bool requiresGrad = true)
        : base(Validate(data).Buffer, data.Offset, data.Shape)
    {
        RequiresGrad = requiresGrad;
    }

    private static Tensor Validate(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data;
    }

    /// <summary>Copies <paramref name="source"/>'s values into this parameter without touching the graph.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Shape != Shape)
        {
            throw new ArgumentException($"Cannot copy a tensor of shape {source.Shape} into parameter{(Name is null ? string.Empty : $" '{Name}'")} of shape {Shape}.", nameof(source));
        }

        source.AsReadOnlySpan().CopyTo(Span);
    }
}
