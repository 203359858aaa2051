using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// The exact (erf) GELU, y = x Φ(x), and its derivative Φ(x) + x φ(x), vectorised in float: the forward within 5e-7
/// relative error, the derivative within 1e-7 absolute (1e-6 relative) of the exact values.
/// </summary>
/// <remarks>
/// <para>Φ(x) = erfc(-x/√2)/2 with erfc(z) = t exp(-z² + c(t)), t = 1/(1 + z/2), z = |x|/√2 ≥ 0 and c a degree-9
/// polynomial (Numerical Recipes' <c>erfcc</c>, relative error below 1.1e-7 for every z): one formula for the whole
/// line, so no branches, and relative accuracy holds in the far negative tail where 1 + erf(x/√2) cancels.</para>
/// <para>The exponent is kept exact where rounding would be amplified: z² = x²/2 is split into a float and its
/// rounding error with a fused multiply-add, and c - z² is formed with an error-free sum; the leftover is applied
/// as a first-order factor. |x| is clamped to 14 inside Φ (Φ is 0 or 1 to float precision beyond).</para>
/// <para>Vector and scalar paths perform the same operations in the same order, so every element gets the same
/// result wherever it sits in a span and whatever the chunking of the work.</para>
/// </remarks>
internal static class Gelu
{
    private const float Clamp = 14f;
    private const float InvSqrt2 = 0.70710677f;
    private const float InvSqrt2Pi = 0.3989422804f;
    private const float C0 = -1.26551223f;
    private const float C1 = 1.00002368f;
    private const float C2 = 0.37409196f;
    private const float C3 = 0.09678418f;
    private const float C4 = -0.18628806f;
    private const float C5 = 0.27886807f;
    private const float C6 = -1.13520398f;
    private const float C7 = 1.48851587f;
    private const float C8 = -0.82215223f;
    private const float C9 = 0.17087277f;

    /// <summary>y = gelu(x); y may alias x.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= n; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref rx, (nuint)i);
                (v * Phi(v)).StoreUnsafe(ref ry, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref rx, (nuint)i);
                (v * Phi(v)).StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref rx, i);
            Unsafe.Add(ref ry, i) = v * Phi(v);
        }
    }

    /// <summary>dx = g * gelu'(x); dx may alias g.</summary>
    public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> dx)
    {
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rd = ref MemoryMarshal.GetReference(dx);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= n; i += 16)
            {
                var d = Derivative(Vector512.LoadUnsafe(ref rx, (nuint)i));
                (Vector512.LoadUnsafe(ref rg, (nuint)i) * d).StoreUnsafe(ref rd, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8)
            {
                var d = Derivative(Vector256.LoadUnsafe(ref rx, (nuint)i));
                (Vector256.LoadUnsafe(ref rg, (nuint)i) * d).StoreUnsafe(ref rd, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rd, i) = Unsafe.Add(ref rg, i) * Derivative(Unsafe.Add(ref rx, i));
        }
    }

    /// <summary>
    /// y = gelu(u) and d = gelu'(u) in one pass, for a fused layer that keeps d for its backward instead of u;
    /// y or d may alias u. Φ comes from the derivative's two-exponential route, so y is within the same error bound
    /// as <see cref="Forward"/> but may differ from it in the last bit.
    /// </summary>
    public static void ForwardWithDerivative(ReadOnlySpan<float> u, Span<float> y, Span<float> d)
    {
        ref float ru = ref MemoryMarshal.GetReference(u);
        ref float ry = ref MemoryMarshal.GetReference(y);
        ref float rd = ref MemoryMarshal.GetReference(d);
        int n = u.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= n; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref ru, (nuint)i);
                var (phi, der) = PhiAndDerivative(v);
                (v * phi).StoreUnsafe(ref ry, (nuint)i);
                der.StoreUnsafe(ref rd, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref ru, (nuint)i);
                var (phi, der) = PhiAndDerivative(v);
                (v * phi).StoreUnsafe(ref ry, (nuint)i);
                der.StoreUnsafe(ref rd, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref ru, i);
            var (phi, der) = PhiAndDerivative(v);
            Unsafe.Add(ref ry, i) = v * phi;
            Unsafe.Add(ref rd, i) = der;
        }
    }

    /// <summary>Φ(x), the standard normal CDF.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Phi(float x)
    {
        float xc = MathF.Min(MathF.Max(x, -Clamp), Clamp);
        float t = 1f / MathF.FusedMultiplyAdd(MathF.Abs(xc) * InvSqrt2, 0.5f, 1f);
        float c = Poly(t);
        float q = xc * xc;
        float hz = 0.5f * q;
        float hze = 0.5f * MathF.FusedMultiplyAdd(xc, xc, -q);

        // s + err = c - z² exactly (two-sum), so exp(c - z²) = exp(s) (1 + err - hze) to first order.
        float s = c - hz;
        float bb = s - c;
        float err = (c - (s - bb)) + (-hz - bb);
        float es = FastExp.Exp(s);
        float half = 0.5f * t * MathF.FusedMultiplyAdd(es, err - hze, es);
        return xc >= 0f ? 1f - half : half;
    }

    /// <summary>gelu'(x) = Φ(x) + x φ(x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(float x) => PhiAndDerivative(x).Derivative;

    /// <summary>Φ(x) and gelu'(x), sharing the work (two exponentials: e^(-z²) is needed for φ on its own).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float Phi, float Derivative) PhiAndDerivative(float x)
    {
        float xc = MathF.Min(MathF.Max(x, -Clamp), Clamp);
        float t = 1f / MathF.FusedMultiplyAdd(MathF.Abs(xc) * InvSqrt2, 0.5f, 1f);
        float c = Poly(t);
        float q = xc * xc;
        float hz = 0.5f * q;
        float hze = 0.5f * MathF.FusedMultiplyAdd(xc, xc, -q);
        float ez = FastExp.Exp(-hz);
        ez = MathF.FusedMultiplyAdd(ez, -hze, ez); // exp(-z²)
        float half = 0.5f * t * ez * FastExp.Exp(c);
        float phi = xc >= 0f ? 1f - half : half;
        return (phi, MathF.FusedMultiplyAdd(xc, ez * InvSqrt2Pi, phi));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Phi(Vector512<float> x)
    {
        var xc = Vector512.Min(Vector512.Max(x, Vector512.Create(-Clamp)), Vector512.Create(Clamp));
        var t = Vector512<float>.One / Vector512.FusedMultiplyAdd(Vector512.Abs(xc) * Vector512.Create(InvSqrt2), Vector512.Create(0.5f), Vector512<float>.One);
        var c = Poly(t);
        var q = xc * xc;
        var hz = Vector512.Create(0.5f) * q;
        var hze = Vector512.Create(0.5f) * Vector512.FusedMultiplyAdd(xc, xc, -q);
        var s = c - hz;
        var bb = s - c;
        var err = (c - (s - bb)) + (-hz - bb);
        var es = FastExp.Exp(s);
        var half = Vector512.Create(0.5f) * t * Vector512.FusedMultiplyAdd(es, err - hze, es);
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(xc, Vector512<float>.Zero), Vector512<float>.One - half, half);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Derivative(Vector512<float> x) => PhiAndDerivative(x).Derivative;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> Phi, Vector512<float> Derivative) PhiAndDerivative(Vector512<float> x)
    {
        var xc = Vector512.Min(Vector512.Max(x, Vector512.Create(-Clamp)), Vector512.Create(Clamp));
        var t = Vector512<float>.One / Vector512.FusedMultiplyAdd(Vector512.Abs(xc) * Vector512.Create(InvSqrt2), Vector512.Create(0.5f), Vector512<float>.One);
        var c = Poly(t);
        var q = xc * xc;
        var hz = Vector512.Create(0.5f) * q;
        var hze = Vector512.Create(0.5f) * Vector512.FusedMultiplyAdd(xc, xc, -q);
        var ez = FastExp.Exp(-hz);
        ez = Vector512.FusedMultiplyAdd(ez, -hze, ez);
        var half = Vector512.Create(0.5f) * t * ez * FastExp.Exp(c);
        var phi = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(xc, Vector512<float>.Zero), Vector512<float>.One - half, half);
        return (phi, Vector512.FusedMultiplyAdd(xc, ez * Vector512.Create(InvSqrt2Pi), phi));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Phi(Vector256<float> x)
    {
        var xc = Vector256.Min(Vector256.Max(x, Vector256.Create(-Clamp)), Vector256.Create(Clamp));
        var t = Vector256<float>.One / Vector256.FusedMultiplyAdd(Vector256.Abs(xc) * Vector256.Create(InvSqrt2), Vector256.Create(0.5f), Vector256<float>.One);
        var c = Poly(t);
        var q = xc * xc;
        var hz = Vector256.Create(0.5f) * q;
        var hze = Vector256.Create(0.5f) * Vector256.FusedMultiplyAdd(xc, xc, -q);
        var s = c - hz;
        var bb = s - c;
        var err = (c - (s - bb)) + (-hz - bb);
        var es = FastExp.Exp(s);
        var half = Vector256.Create(0.5f) * t * Vector256.FusedMultiplyAdd(es, err - hze, es);
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(xc, Vector256<float>.Zero), Vector256<float>.One - half, half);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Derivative(Vector256<float> x) => PhiAndDerivative(x).Derivative;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Phi, Vector256<float> Derivative) PhiAndDerivative(Vector256<float> x)
    {
        var xc = Vector256.Min(Vector256.Max(x, Vector256.Create(-Clamp)), Vector256.Create(Clamp));
        var t = Vector256<float>.One / Vector256.FusedMultiplyAdd(Vector256.Abs(xc) * Vector256.Create(InvSqrt2), Vector256.Create(0.5f), Vector256<float>.One);
        var c = Poly(t);
        var q = xc * xc;
        var hz = Vector256.Create(0.5f) * q;
        var hze = Vector256.Create(0.5f) * Vector256.FusedMultiplyAdd(xc, xc, -q);
        var ez = FastExp.Exp(-hz);
        ez = Vector256.FusedMultiplyAdd(ez, -hze, ez);
        var half = Vector256.Create(0.5f) * t * ez * FastExp.Exp(c);
        var phi = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(xc, Vector256<float>.Zero), Vector256<float>.One - half, half);
        return (phi, Vector256.FusedMultiplyAdd(xc, ez * Vector256.Create(InvSqrt2Pi), phi));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Poly(float t)
    {
        float p = MathF.FusedMultiplyAdd(C9, t, C8);
        p = MathF.FusedMultiplyAdd(p, t, C7);
        p = MathF.FusedMultiplyAdd(p, t, C6);
        p = MathF.FusedMultiplyAdd(p, t, C5);
        p = MathF.FusedMultiplyAdd(p, t, C4);
        p = MathF.FusedMultiplyAdd(p, t, C3);
        p = MathF.FusedMultiplyAdd(p, t, C2);
        p = MathF.FusedMultiplyAdd(p, t, C1);
        return MathF.FusedMultiplyAdd(p, t, C0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Poly(Vector512<float> t)
    {
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(C9), t, Vector512.Create(C8));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C7));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C6));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C5));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C4));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C3));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C2));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C1));
        return Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C0));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Poly(Vector256<float> t)
    {
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(C9), t, Vector256.Create(C8));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C7));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C6));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C5));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C4));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C3));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C2));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C1));
        return Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C0));
    }
}
