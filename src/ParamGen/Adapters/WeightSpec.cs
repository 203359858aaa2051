namespace ParamGen.Adapters;

/// <summary>
/// A named weight of an adapter and its shape, e.g. <c>down [d, r]</c>. The shape is per sample: generated
/// weights add a leading row dimension.
/// </summary>
/// <param name="Name">The weight's name within its adapter (<c>down</c>, <c>down_bias</c>, ...).</param>
/// <param name="Shape">Its shape, without the sample dimension.</param>
public sealed record WeightSpec(string Name, int[] Shape)
{
    /// <summary>Number of floats the weight takes: the product of <see cref="Shape"/>.</summary>
    public int NumElements => ShapeProduct.Of(Shape);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}]";
}
