using System.Numerics.Tensors;

namespace ParamGen.Tensors.Kernels;

/// <summary>A binary elementwise operator with span kernels for the three broadcast patterns of a row.</summary>
internal interface IBinaryOp
{
    static abstract string Name { get; }

    /// <summary>
    /// Whether every element is one correctly rounded IEEE operation on every path (vector or scalar), so a result
    /// does not depend on where the element falls in a span and the op may be split over threads freely.
    /// </summary>
    static virtual bool Exact => false;

    /// <summary>dst[i] = op(x[i], y[i]).</summary>
    static abstract void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst);

    /// <summary>dst[i] = op(x[i], y).</summary>
    static abstract void Apply(ReadOnlySpan<float> x, float y, Span<float> dst);

    /// <summary>dst[i] = op(x, y[i]).</summary>
    static abstract void Apply(float x, ReadOnlySpan<float> y, Span<float> dst);
}

internal readonly struct AddOp : IBinaryOp
{
    public static string Name => "Add";

    public static bool Exact => true;

    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Add(x, y, dst);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> dst) => TensorPrimitives.Add(x, y, dst);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Add(y, x, dst);
}

internal readonly struct SubOp : IBinaryOp
{
    public static string Name => "Sub";

    public static bool Exact => true;

    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Subtract(x, y, dst);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> dst) => TensorPrimitives.Subtract(x, y, dst);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Subtract(x, y, dst);
}

internal readonly struct MulOp : IBinaryOp
{
    public static string Name => "Mul";

    public static bool Exact => true;

    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Multiply(x, y, dst);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> dst) => TensorPrimitives.Multiply(x, y, dst);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Multiply(y, x, dst);
}

internal readonly struct DivOp : IBinaryOp
{
    public static string Name => "Div";

    public static bool Exact => true;

    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Divide(x, y, dst);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> dst) => TensorPrimitives.Divide(x, y, dst);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Divide(x, y, dst);
}

internal readonly struct MaxOp : IBinaryOp
{
    public static string Name => "Maximum";

    public static bool Exact => true;

    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Max(x, y, dst);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> dst) => TensorPrimitives.Max(x, y, dst);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Max(y, x, dst);
}

internal readonly struct MinOp : IBinaryOp
{
    public static string Name => "Minimum";

    public static bool Exact => true;

    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Min(x, y, dst);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> dst) => TensorPrimitives.Min(x, y, dst);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Min(y, x, dst);
}

internal readonly struct PowOp : IBinaryOp
{
    public static string Name => "Pow";

    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Pow(x, y, dst);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> dst) => TensorPrimitives.Pow(x, y, dst);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Pow(x, y, dst);
}
