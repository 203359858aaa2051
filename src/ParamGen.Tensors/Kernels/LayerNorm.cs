using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Fused layer normalisation of one row: statistics, normalisation and the affine map in two passes over the row,
/// and the backward in two more (one for the two reductions and the weight and bias gradients, one for dx).
/// Rows are short (the model width), so the loops are written out rather than chained span calls.
/// </summary>
internal static class LayerNorm
{
    /// <summary>
    /// y = (x - mean) * rstd * w + b over one row (w, b empty when there is no affine part); returns the mean
    /// and rstd = 1 / sqrt(biased var + eps) for the backward. y may alias x.
    /// </summary>
    public static (float Mean, float Rstd) RowForward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, float eps)
    {
        int d = x.Length;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        float mean = Sum(ref rx, d) / d;

        // Variance from the centred values: x^2 - mean^2 would cancel badly when |mean| >> std.
        float ssq = 0f;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && d >= 8)
        {
            var vm = Vector256.Create(mean);
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= d; i += 8)
            {
                var c = Vector256.LoadUnsafe(ref rx, (nuint)i) - vm;
                acc = Vector256.FusedMultiplyAdd(c, c, acc);
            }

            ssq = Vector256.Sum(acc);
        }

        for (; i < d; i++)
        {
            float c = Unsafe.Add(ref rx, i) - mean;
            ssq = MathF.FusedMultiplyAdd(c, c, ssq);
        }

        float rstd = 1f / MathF.Sqrt((ssq / d) + eps);
        bool affine = !w.IsEmpty, shift = !b.IsEmpty;
        ref float rw = ref MemoryMarshal.GetReference(w);
        ref float rb = ref MemoryMarshal.GetReference(b);
        i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vm = Vector256.Create(mean);
            var vr = Vector256.Create(rstd);
            for (; i + 8 <= d; i += 8)
            {
                var v = (Vector256.LoadUnsafe(ref rx, (nuint)i) - vm) * vr;
                if (affine)
                {
                    v *= Vector256.LoadUnsafe(ref rw, (nuint)i);
                }

                if (shift)
                {
                    v += Vector256.LoadUnsafe(ref rb, (nuint)i);
                }

                v.StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < d; i++)
        {
            float v = (Unsafe.Add(ref rx, i) - mean) * rstd;
            if (affine)
            {
                v *= Unsafe.Add(ref rw, i);
            }

            if (shift)
            {
                v += Unsafe.Add(ref rb, i);
            }

            Unsafe.Add(ref ry, i) = v;
        }

        return (mean, rstd);
    }

    /// <summary>
    /// dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)) with gw = g * w and xhat = (x - mean) * rstd; when
    /// <paramref name="dwAcc"/> and <paramref name="dbAcc"/> are not empty, also dwAcc += g * xhat and dbAcc += g
    /// (the row's share of the weight and bias gradients). dx may alias g.
    /// </summary>
    public static void RowBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, ReadOnlySpan<float> w, float mean, float rstd, Span<float> dx,
        Span<float> dwAcc, Span<float> dbAcc)
    {
        int d = x.Length;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rw = ref MemoryMarshal.GetReference(w);
        ref float rdx = ref MemoryMarshal.GetReference(dx);
        ref float rdw = ref MemoryMarshal.GetReference(dwAcc);
        ref float rdb = ref MemoryMarshal.GetReference(dbAcc);
        bool affine = !w.IsEmpty, accumulate = !dwAcc.IsEmpty;
        float sumG = 0f, sumGx = 0f;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && d >= 8)
        {
            var vm = Vector256.Create(mean);
            var vr = Vector256.Create(rstd);
            Vector256<float> accG = default, accGx = default;
            for (; i + 8 <= d; i += 8)
            {
                var xhat = (Vector256.LoadUnsafe(ref rx, (nuint)i) - vm) * vr;
                var gv = Vector256.LoadUnsafe(ref rg, (nuint)i);
                if (accumulate)
                {
                    Vector256.FusedMultiplyAdd(gv, xhat, Vector256.LoadUnsafe(ref rdw, (nuint)i)).StoreUnsafe(ref rdw, (nuint)i);
                    (Vector256.LoadUnsafe(ref rdb, (nuint)i) + gv).StoreUnsafe(ref rdb, (nuint)i);
                }

                var gw = affine ? gv * Vector256.LoadUnsafe(ref rw, (nuint)i) : gv;
                accG += gw;
                accGx = Vector256.FusedMultiplyAdd(gw, xhat, accGx);
            }

            sumG = Vector256.Sum(accG);
            sumGx = Vector256.Sum(accGx);
        }

        for (; i < d; i++)
        {
            float xhat = (Unsafe.Add(ref rx, i) - mean) * rstd;
            float gv = Unsafe.Add(ref rg, i);
            if (accumulate)
            {
                Unsafe.Add(ref rdw, i) = MathF.FusedMultiplyAdd(gv, xhat, Unsafe.Add(ref rdw, i));
                Unsafe.Add(ref rdb, i) += gv;
            }

            float gw = affine ? gv * Unsafe.Add(ref rw, i) : gv;
            sumG += gw;
            sumGx = MathF.FusedMultiplyAdd(gw, xhat, sumGx);
        }

        float meanG = sumG / d, meanGx = sumGx / d;
        i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vm = Vector256.Create(mean);
            var vr = Vector256.Create(rstd);
            var vmg = Vector256.Create(meanG);
            var vmgx = Vector256.Create(meanGx);
            for (; i + 8 <= d; i += 8)
            {
                var xhat = (Vector256.LoadUnsafe(ref rx, (nuint)i) - vm) * vr;
                var gv = Vector256.LoadUnsafe(ref rg, (nuint)i);
                var gw = affine ? gv * Vector256.LoadUnsafe(ref rw, (nuint)i) : gv;
                (vr * (gw - vmg - (xhat * vmgx))).StoreUnsafe(ref rdx, (nuint)i);
            }
        }

        for (; i < d; i++)
        {
            float xhat = (Unsafe.Add(ref rx, i) - mean) * rstd;
            float gv = Unsafe.Add(ref rg, i);
            float gw = affine ? gv * Unsafe.Add(ref rw, i) : gv;
            Unsafe.Add(ref rdx, i) = rstd * (gw - meanG - (xhat * meanGx));
        }
    }

    private static float Sum(ref float x, int n)
    {
        float sum = 0f;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8)
            {
                acc += Vector256.LoadUnsafe(ref x, (nuint)i);
            }

            sum = Vector256.Sum(acc);
        }

        for (; i < n; i++)
        {
            sum += Unsafe.Add(ref x, i);
        }

        return sum;
    }
}
