using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Counter-based dropout masks: whether element <c>i</c> survives is a pure function of a 64-bit seed and
/// <c>i</c> (SplitMix64's output mix of <c>seed + (i + 1) γ</c>, the top 24 bits read as a uniform in [0, 1)
/// and kept when it is at least p). One seed drawn from the generator per op fixes the whole mask, so masks are
/// generated in parallel and in SIMD, identical for any chunking or thread count, and never stored: backward
/// regenerates them from the seed.
/// </summary>
internal static class DropoutMask
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private const ulong M1 = 0xBF58476D1CE4E5B9UL;
    private const ulong M2 = 0x94D049BB133111EBUL;

    /// <summary>The 24-bit threshold for drop probability <paramref name="p"/> in [0, 1]: keep when bits &gt;= it, i.e. u &gt;= p.</summary>
    public static uint Threshold(float p) => (uint)Math.Ceiling(p * 16777216.0);

    /// <summary>The survivor scale 1/(1-p) (0 when p = 1, where nothing survives).</summary>
    public static float Scale(float p) => p < 1f ? 1f / (1f - p) : 0f;

    /// <summary>Whether element <paramref name="index"/> survives under <paramref name="seed"/>.</summary>
    public static bool Keep(ulong seed, long index, uint threshold) => Bits(seed + ((ulong)(index + 1) * Gamma)) >= threshold;

    /// <summary>
    /// dst[i] = src[i] * (Keep(seed, start + i) ? scale : 0). A multiply rather than a select, so a dropped
    /// NaN or infinity stays NaN as in PyTorch. dst may alias src.
    /// </summary>
    public static void Apply(ulong seed, long start, uint threshold, float scale, ReadOnlySpan<float> src, Span<float> dst)
    {
        ref float rs = ref MemoryMarshal.GetReference(src);
        ref float rd = ref MemoryMarshal.GetReference(dst);
        int n = src.Length, i = 0;
        ulong z0 = seed + ((ulong)(start + 1) * Gamma);
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var lane = Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7) * Vector512.Create(Gamma);
            var step = Vector512.Create(unchecked(8 * Gamma));
            var th = Vector512.Create(threshold);
            var sc = Vector512.Create(scale);
            var z = Vector512.Create(z0) + lane;
            for (; i + 16 <= n; i += 16)
            {
                var lo = Mix(z);
                z += step;
                var hi = Mix(z);
                z += step;
                var bits = Vector512.Narrow(lo >>> 40, hi >>> 40);
                var factor = sc & Vector512.GreaterThanOrEqual(bits, th).AsSingle();
                (Vector512.LoadUnsafe(ref rs, (nuint)i) * factor).StoreUnsafe(ref rd, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var lane = Vector256.Create(0UL, 1, 2, 3) * Vector256.Create(Gamma);
            var step = Vector256.Create(unchecked(4 * Gamma));
            var th = Vector256.Create(threshold);
            var sc = Vector256.Create(scale);
            var z = Vector256.Create(z0) + lane;
            for (; i + 8 <= n; i += 8)
            {
                var lo = Mix(z);
                z += step;
                var hi = Mix(z);
                z += step;
                var bits = Vector256.Narrow(lo >>> 40, hi >>> 40);
                var factor = sc & Vector256.GreaterThanOrEqual(bits, th).AsSingle();
                (Vector256.LoadUnsafe(ref rs, (nuint)i) * factor).StoreUnsafe(ref rd, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float factor = Bits(z0 + ((ulong)i * Gamma)) >= threshold ? scale : 0f;
            Unsafe.Add(ref rd, i) = Unsafe.Add(ref rs, i) * factor;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Bits(ulong z)
    {
        z = (z ^ (z >> 30)) * M1;
        z = (z ^ (z >> 27)) * M2;
        return (uint)((z ^ (z >> 31)) >> 40);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mix(Vector512<ulong> z)
    {
        z = (z ^ (z >>> 30)) * Vector512.Create(M1);
        z = (z ^ (z >>> 27)) * Vector512.Create(M2);
        return z ^ (z >>> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Mix(Vector256<ulong> z)
    {
        z = (z ^ (z >>> 30)) * Vector256.Create(M1);
        z = (z ^ (z >>> 27)) * Vector256.Create(M2);
        return z ^ (z >>> 31);
    }
}
