using System.Numerics;
using System.Runtime.CompilerServices;

namespace ParamGen.Tensors.Kernels;

/// <summary>Elementwise comparisons giving 1 (true) or 0 (false); NaN compares false, as in IEEE 754.</summary>
internal interface ICompare
{
    static abstract string Name { get; }

    static abstract bool Scalar(float x, float y);

    static abstract Vector<int> Vector(Vector<float> x, Vector<float> y);
}

/// <summary>Runs a comparison over spans with <see cref="Vector{T}"/> and a scalar tail.</summary>
internal static class Compare
{
    public static void Apply<TC>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst)
        where TC : struct, ICompare
    {
        int i = 0;
        int w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= dst.Length - w; i += w)
            {
                var m = TC.Vector(new Vector<float>(x[i..]), new Vector<float>(y[i..]));
                Vector.ConditionalSelect(m, Vector<float>.One, Vector<float>.Zero).CopyTo(dst[i..]);
            }
        }

        for (; i < dst.Length; i++)
        {
            dst[i] = TC.Scalar(x[i], y[i]) ? 1f : 0f;
        }
    }

    public static void Apply<TC>(ReadOnlySpan<float> x, float y, Span<float> dst)
        where TC : struct, ICompare
    {
        int i = 0;
        int w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var vy = new Vector<float>(y);
            for (; i <= dst.Length - w; i += w)
            {
                var m = TC.Vector(new Vector<float>(x[i..]), vy);
                Vector.ConditionalSelect(m, Vector<float>.One, Vector<float>.Zero).CopyTo(dst[i..]);
            }
        }

        for (; i < dst.Length; i++)
        {
            dst[i] = TC.Scalar(x[i], y) ? 1f : 0f;
        }
    }

    public static void Apply<TC>(float x, ReadOnlySpan<float> y, Span<float> dst)
        where TC : struct, ICompare
    {
        int i = 0;
        int w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var vx = new Vector<float>(x);
            for (; i <= dst.Length - w; i += w)
            {
                var m = TC.Vector(vx, new Vector<float>(y[i..]));
                Vector.ConditionalSelect(m, Vector<float>.One, Vector<float>.Zero).CopyTo(dst[i..]);
            }
        }

        for (; i < dst.Length; i++)
        {
            dst[i] = TC.Scalar(x, y[i]) ? 1f : 0f;
        }
    }
}

internal readonly struct GreaterThan : ICompare
{
    public static string Name => "Gt";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Scalar(float x, float y) => x > y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<int> Vector(Vector<float> x, Vector<float> y) => System.Numerics.Vector.GreaterThan(x, y);
}

internal readonly struct LessThan : ICompare
{
    public static string Name => "Lt";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Scalar(float x, float y) => x < y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<int> Vector(Vector<float> x, Vector<float> y) => System.Numerics.Vector.LessThan(x, y);
}

internal readonly struct EqualTo : ICompare
{
    public static string Name => "Eq";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Scalar(float x, float y) => x == y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<int> Vector(Vector<float> x, Vector<float> y) => System.Numerics.Vector.Equals(x, y);
}

/// <summary>Adapts a comparison to <see cref="IBinaryOp"/> so it reuses the broadcasting driver.</summary>
internal readonly struct CompareOp<TC> : IBinaryOp
    where TC : struct, ICompare
{
    public static string Name => TC.Name;

    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) => Compare.Apply<TC>(x, y, dst);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> dst) => Compare.Apply<TC>(x, y, dst);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> dst) => Compare.Apply<TC>(x, y, dst);
}
