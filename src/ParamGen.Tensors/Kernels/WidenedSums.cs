using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Per-channel double-precision accumulators fed one float row (a <c>[C]</c> slice of channels-last data) at a time:
/// the statistics of group batch normalisation. Each lane is widened to double and added on its own, with plain
/// multiplies and adds (never fused), so the vector path gives the same bits as the scalar loop for any slice
/// boundary: splitting the channels over threads cannot change a result.
/// </summary>
internal static class WidenedSums
{
    /// <summary>acc[j] += x[j].</summary>
    public static void Add(Span<double> acc, ReadOnlySpan<float> x)
    {
        int n = x.Length;
        CheckLengths(acc.Length == n);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref double ra = ref MemoryMarshal.GetReference(acc);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref rx, (nuint)i));
                (Vector256.LoadUnsafe(ref ra, (nuint)i) + lo).StoreUnsafe(ref ra, (nuint)i);
                (Vector256.LoadUnsafe(ref ra, (nuint)(i + 4)) + hi).StoreUnsafe(ref ra, (nuint)(i + 4));
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref ra, i) += Unsafe.Add(ref rx, i);
        }
    }

    /// <summary>acc[j] += (x[j] - mean[j])², the deviation taken in double.</summary>
    public static void AddSquaredDeviations(Span<double> acc, ReadOnlySpan<float> x, ReadOnlySpan<double> mean)
    {
        int n = x.Length;
        CheckLengths(acc.Length == n && mean.Length == n);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref double rm = ref MemoryMarshal.GetReference(mean);
        ref double ra = ref MemoryMarshal.GetReference(acc);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref rx, (nuint)i));
                var dlo = lo - Vector256.LoadUnsafe(ref rm, (nuint)i);
                var dhi = hi - Vector256.LoadUnsafe(ref rm, (nuint)(i + 4));
                (Vector256.LoadUnsafe(ref ra, (nuint)i) + (dlo * dlo)).StoreUnsafe(ref ra, (nuint)i);
                (Vector256.LoadUnsafe(ref ra, (nuint)(i + 4)) + (dhi * dhi)).StoreUnsafe(ref ra, (nuint)(i + 4));
            }
        }

        for (; i < n; i++)
        {
            double d = Unsafe.Add(ref rx, i) - Unsafe.Add(ref rm, i);
            Unsafe.Add(ref ra, i) += d * d;
        }
    }

    /// <summary>sumG[j] += g[j] and sumGx[j] += g[j] * (x[j] - mean[j]), in double (the batch-norm backward reductions).</summary>
    public static void AddGradients(Span<double> sumG, Span<double> sumGx, ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<double> mean)
    {
        int n = g.Length;
        CheckLengths(sumG.Length == n && sumGx.Length == n && x.Length == n && mean.Length == n);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref double rm = ref MemoryMarshal.GetReference(mean);
        ref double rs = ref MemoryMarshal.GetReference(sumG);
        ref double rsx = ref MemoryMarshal.GetReference(sumGx);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8)
            {
                var (glo, ghi) = Vector256.Widen(Vector256.LoadUnsafe(ref rg, (nuint)i));
                var (xlo, xhi) = Vector256.Widen(Vector256.LoadUnsafe(ref rx, (nuint)i));
                var dlo = xlo - Vector256.LoadUnsafe(ref rm, (nuint)i);
                var dhi = xhi - Vector256.LoadUnsafe(ref rm, (nuint)(i + 4));
                (Vector256.LoadUnsafe(ref rs, (nuint)i) + glo).StoreUnsafe(ref rs, (nuint)i);
                (Vector256.LoadUnsafe(ref rs, (nuint)(i + 4)) + ghi).StoreUnsafe(ref rs, (nuint)(i + 4));
                (Vector256.LoadUnsafe(ref rsx, (nuint)i) + (glo * dlo)).StoreUnsafe(ref rsx, (nuint)i);
                (Vector256.LoadUnsafe(ref rsx, (nuint)(i + 4)) + (ghi * dhi)).StoreUnsafe(ref rsx, (nuint)(i + 4));
            }
        }

        for (; i < n; i++)
        {
            double gi = Unsafe.Add(ref rg, i);
            Unsafe.Add(ref rs, i) += gi;
            Unsafe.Add(ref rsx, i) += gi * (Unsafe.Add(ref rx, i) - Unsafe.Add(ref rm, i));
        }
    }

    /// <summary>The loops read through unchecked references, so a length mismatch must stop them first.</summary>
    private static void CheckLengths(bool agree)
    {
        if (!agree)
        {
            throw new ArgumentException("WidenedSums: the row, mean and accumulator spans must have the same length.");
        }
    }
}
