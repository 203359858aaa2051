namespace ParamGen.Adapters;

/// <summary>Where one adapter weight sits in the parameter space.</summary>
/// <param name="Slot">The slot name.</param>
/// <param name="Weight">The weight name within the slot's adapter.</param>
/// <param name="Offset">Its first column in a <c>[N, P]</c> row.</param>
/// <param name="Shape">Its per-sample shape.</param>
public sealed record LayoutEntry(string Slot, string Weight, int Offset, int[] Shape)
{
    /// <summary>Number of floats: the product of <see cref="Shape"/>.</summary>
    public int NumElements => ShapeProduct.Of(Shape);

    /// <summary>The dotted key <c>slot.weight</c>.</summary>
    public string Key => $"{Slot}.{Weight}";
}
