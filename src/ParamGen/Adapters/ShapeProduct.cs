namespace ParamGen.Adapters;

/// <summary>The number of floats a per-sample weight shape holds (one rule for specs, layout entries and views).</summary>
internal static class ShapeProduct
{
    /// <summary>The product of <paramref name="shape"/>, checked for overflow.</summary>
    public static int Of(int[] shape)
    {
        int n = 1;
        foreach (int d in shape)
        {
            n = checked(n * d);
        }

        return n;
    }
}
