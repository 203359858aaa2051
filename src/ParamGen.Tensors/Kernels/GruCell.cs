using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// The elementwise part of one GRU step for one batch row, PyTorch gate order (r, z, n), vectorised: the
/// projections <c>W_ih x</c> and <c>W_hh h</c> come from GEMMs done by the caller. σ and tanh are built on
/// <see cref="FastExp"/> (tanh by a small odd polynomial where 1 - 2 / (1 + e^2x) would cancel), within a few
/// float ulps of the exact functions.
/// </summary>
/// <remarks>
/// Each span is walked 16 lanes, then 8 lanes, then one element at a time; every path runs the same operations in
/// the same order, so an element's result does not depend on its position in the row or on the CPU's vector
/// width. No overlapping last vector: <see cref="Forward"/> overwrites its input in place.
/// </remarks>
internal static class GruCell
{
    // Cephes tanhf: for |x| < 0.625, tanh x = x + x^3 P(x^2).
    private const float TanhSmall = 0.625f;
    private const float T0 = -5.70498872745e-3f;
    private const float T1 = 2.06390887954e-2f;
    private const float T2 = -5.37397155531e-2f;
    private const float T3 = 1.33314422036e-1f;
    private const float T4 = -3.33332819422e-1f;

    /// <summary>
    /// h' = n + z (h - n) with r = σ(a_r), z = σ(a_z), n = tanh(a_n + r (gh_n + b_hn)), where a_r = gates_r + gh_r,
    /// a_z = gates_z + gh_z, a_n = gates_n. On return <paramref name="gates"/> holds r, z, n and
    /// <paramref name="hn"/> holds gh_n + b_hn: what backward needs.
    /// </summary>
    /// <param name="gh">W_hh h for this row, <c>[3H]</c> (no bias).</param>
    /// <param name="bhn">The n part of the recurrent bias, <c>[H]</c> (zeros for none).</param>
    /// <param name="hPrev">Previous state <c>[H]</c>.</param>
    /// <param name="gates">In: W_ih x + b_ih + (b_hr, b_hz, 0), <c>[3H]</c>. Out: r, z, n.</param>
    /// <param name="hn">Out: W_hn h + b_hn, <c>[H]</c>.</param>
    /// <param name="hNew">Out: the new state, <c>[H]</c>.</param>
    public static void Forward(ReadOnlySpan<float> gh, ReadOnlySpan<float> bhn, ReadOnlySpan<float> hPrev,
        Span<float> gates, Span<float> hn, Span<float> hNew)
    {
        int h = hNew.Length;
        if (gh.Length < 3 * h || gates.Length < 3 * h || bhn.Length < h || hPrev.Length < h || hn.Length < h)
        {
            throw new ArgumentException($"GruCell.Forward: spans too short for H = {h}.");
        }

        ref float rgh = ref MemoryMarshal.GetReference(gh);
        ref float rb = ref MemoryMarshal.GetReference(bhn);
        ref float rp = ref MemoryMarshal.GetReference(hPrev);
        ref float rg = ref MemoryMarshal.GetReference(gates);
        ref float rhn = ref MemoryMarshal.GetReference(hn);
        ref float ro = ref MemoryMarshal.GetReference(hNew);
        nuint uh = (nuint)h, uh2 = 2 * (nuint)h;
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j + 16 <= h; j += 16)
            {
                nuint u = (nuint)j;
                var r = Sigmoid(Vector512.LoadUnsafe(ref rg, u) + Vector512.LoadUnsafe(ref rgh, u));
                var z = Sigmoid(Vector512.LoadUnsafe(ref rg, u + uh) + Vector512.LoadUnsafe(ref rgh, u + uh));
                var hnv = Vector512.LoadUnsafe(ref rgh, u + uh2) + Vector512.LoadUnsafe(ref rb, u);
                var n = Tanh(Vector512.LoadUnsafe(ref rg, u + uh2) + (r * hnv));
                var p = Vector512.LoadUnsafe(ref rp, u);
                (n + (z * (p - n))).StoreUnsafe(ref ro, u);
                r.StoreUnsafe(ref rg, u);
                z.StoreUnsafe(ref rg, u + uh);
                n.StoreUnsafe(ref rg, u + uh2);
                hnv.StoreUnsafe(ref rhn, u);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 8 <= h; j += 8)
            {
                nuint u = (nuint)j;
                var r = Sigmoid(Vector256.LoadUnsafe(ref rg, u) + Vector256.LoadUnsafe(ref rgh, u));
                var z = Sigmoid(Vector256.LoadUnsafe(ref rg, u + uh) + Vector256.LoadUnsafe(ref rgh, u + uh));
                var hnv = Vector256.LoadUnsafe(ref rgh, u + uh2) + Vector256.LoadUnsafe(ref rb, u);
                var n = Tanh(Vector256.LoadUnsafe(ref rg, u + uh2) + (r * hnv));
                var p = Vector256.LoadUnsafe(ref rp, u);
                (n + (z * (p - n))).StoreUnsafe(ref ro, u);
                r.StoreUnsafe(ref rg, u);
                z.StoreUnsafe(ref rg, u + uh);
                n.StoreUnsafe(ref rg, u + uh2);
                hnv.StoreUnsafe(ref rhn, u);
            }
        }

        for (; j < h; j++)
        {
            float r = Sigmoid(gates[j] + gh[j]);
            float z = Sigmoid(gates[h + j] + gh[h + j]);
            float hnv = gh[(2 * h) + j] + bhn[j];
            float n = Tanh(gates[(2 * h) + j] + (r * hnv));
            float p = hPrev[j];
            hNew[j] = n + (z * (p - n));
            gates[j] = r;
            gates[h + j] = z;
            gates[(2 * h) + j] = n;
            hn[j] = hnv;
        }
    }

    /// <summary>
    /// Backward of one step. With dh = dOut + carry (the gradient of h' from the output and from later steps):
    /// d = (da_r, da_z, da_n, r da_n), the gradients of the input-side pre-activations (first 3H) and, with the
    /// r and z parts shared, of the recurrent-side ones (r, z, then the n part last); carry becomes z ⊙ dh, the
    /// direct part of dh_prev (the recurrent GEMM term is added by the caller).
    /// </summary>
    /// <param name="dOut">Gradient of the new state from the layer's output, <c>[H]</c>.</param>
    /// <param name="carry">In: gradient of the new state from later steps. Out: z ⊙ dh. <c>[H]</c>.</param>
    /// <param name="gates">Saved r, z, n, <c>[3H]</c>.</param>
    /// <param name="hn">Saved W_hn h + b_hn, <c>[H]</c>.</param>
    /// <param name="hPrev">Previous state <c>[H]</c>.</param>
    /// <param name="d">Out: da_r, da_z, da_n, r ⊙ da_n, <c>[4H]</c>.</param>
    /// <param name="dSum">Empty, or <c>[4H]</c> to which d is added (the bias gradients, summed as the rows go by).</param>
    public static void Backward(ReadOnlySpan<float> dOut, Span<float> carry, ReadOnlySpan<float> gates, ReadOnlySpan<float> hn,
        ReadOnlySpan<float> hPrev, Span<float> d, Span<float> dSum)
    {
        int h = carry.Length;
        bool sum = !dSum.IsEmpty;
        if (dOut.Length < h || gates.Length < 3 * h || hn.Length < h || hPrev.Length < h || d.Length < 4 * h || (sum && dSum.Length < 4 * h))
        {
            throw new ArgumentException($"GruCell.Backward: spans too short for H = {h}.");
        }

        ref float rs = ref MemoryMarshal.GetReference(dSum);

        ref float rdo = ref MemoryMarshal.GetReference(dOut);
        ref float rc = ref MemoryMarshal.GetReference(carry);
        ref float rg = ref MemoryMarshal.GetReference(gates);
        ref float rhn = ref MemoryMarshal.GetReference(hn);
        ref float rp = ref MemoryMarshal.GetReference(hPrev);
        ref float rd = ref MemoryMarshal.GetReference(d);
        nuint uh = (nuint)h, uh2 = 2 * (nuint)h, uh3 = 3 * (nuint)h;
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var one = Vector512<float>.One;
            for (; j + 16 <= h; j += 16)
            {
                nuint u = (nuint)j;
                var r = Vector512.LoadUnsafe(ref rg, u);
                var z = Vector512.LoadUnsafe(ref rg, u + uh);
                var n = Vector512.LoadUnsafe(ref rg, u + uh2);
                var dh = Vector512.LoadUnsafe(ref rdo, u) + Vector512.LoadUnsafe(ref rc, u);
                var dan = dh * (one - z) * (one - (n * n));
                var daz = dh * (Vector512.LoadUnsafe(ref rp, u) - n) * z * (one - z);
                var dar = dan * Vector512.LoadUnsafe(ref rhn, u) * r * (one - r);
                var drn = dan * r;
                dar.StoreUnsafe(ref rd, u);
                daz.StoreUnsafe(ref rd, u + uh);
                dan.StoreUnsafe(ref rd, u + uh2);
                drn.StoreUnsafe(ref rd, u + uh3);
                (dh * z).StoreUnsafe(ref rc, u);
                if (sum)
                {
                    (Vector512.LoadUnsafe(ref rs, u) + dar).StoreUnsafe(ref rs, u);
                    (Vector512.LoadUnsafe(ref rs, u + uh) + daz).StoreUnsafe(ref rs, u + uh);
                    (Vector512.LoadUnsafe(ref rs, u + uh2) + dan).StoreUnsafe(ref rs, u + uh2);
                    (Vector512.LoadUnsafe(ref rs, u + uh3) + drn).StoreUnsafe(ref rs, u + uh3);
                }
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256<float>.One;
            for (; j + 8 <= h; j += 8)
            {
                nuint u = (nuint)j;
                var r = Vector256.LoadUnsafe(ref rg, u);
                var z = Vector256.LoadUnsafe(ref rg, u + uh);
                var n = Vector256.LoadUnsafe(ref rg, u + uh2);
                var dh = Vector256.LoadUnsafe(ref rdo, u) + Vector256.LoadUnsafe(ref rc, u);
                var dan = dh * (one - z) * (one - (n * n));
                var daz = dh * (Vector256.LoadUnsafe(ref rp, u) - n) * z * (one - z);
                var dar = dan * Vector256.LoadUnsafe(ref rhn, u) * r * (one - r);
                var drn = dan * r;
                dar.StoreUnsafe(ref rd, u);
                daz.StoreUnsafe(ref rd, u + uh);
                dan.StoreUnsafe(ref rd, u + uh2);
                drn.StoreUnsafe(ref rd, u + uh3);
                (dh * z).StoreUnsafe(ref rc, u);
                if (sum)
                {
                    (Vector256.LoadUnsafe(ref rs, u) + dar).StoreUnsafe(ref rs, u);
                    (Vector256.LoadUnsafe(ref rs, u + uh) + daz).StoreUnsafe(ref rs, u + uh);
                    (Vector256.LoadUnsafe(ref rs, u + uh2) + dan).StoreUnsafe(ref rs, u + uh2);
                    (Vector256.LoadUnsafe(ref rs, u + uh3) + drn).StoreUnsafe(ref rs, u + uh3);
                }
            }
        }

        for (; j < h; j++)
        {
            float r = gates[j], z = gates[h + j], n = gates[(2 * h) + j];
            float dh = dOut[j] + carry[j];
            float dan = dh * (1f - z) * (1f - (n * n));
            float daz = dh * (hPrev[j] - n) * z * (1f - z);
            float dar = dan * hn[j] * r * (1f - r);
            d[j] = dar;
            d[h + j] = daz;
            d[(2 * h) + j] = dan;
            d[(3 * h) + j] = dan * r;
            carry[j] = dh * z;
            if (sum)
            {
                dSum[j] += dar;
                dSum[h + j] += daz;
                dSum[(2 * h) + j] += dan;
                dSum[(3 * h) + j] += dan * r;
            }
        }
    }

    /// <summary>σ(x) = 1 / (1 + e^-x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Sigmoid(float x) => 1f / (1f + FastExp.Exp(-x));

    /// <summary>tanh x: 1 - 2 / (1 + e^2x), or x + x^3 P(x^2) for |x| &lt; 0.625.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Tanh(float x)
    {
        float big = 1f - (2f / (1f + FastExp.Exp(x + x)));
        float s = x * x;
        float p = MathF.FusedMultiplyAdd(T0, s, T1);
        p = MathF.FusedMultiplyAdd(p, s, T2);
        p = MathF.FusedMultiplyAdd(p, s, T3);
        p = MathF.FusedMultiplyAdd(p, s, T4);
        float small = MathF.FusedMultiplyAdd(p * s, x, x);
        return MathF.Abs(x) < TanhSmall ? small : big;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + FastExp.Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + FastExp.Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Tanh(Vector512<float> x)
    {
        var big = Vector512<float>.One - (Vector512.Create(2f) / (Vector512<float>.One + FastExp.Exp(x + x)));
        var s = x * x;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(T0), s, Vector512.Create(T1));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(T2));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(T3));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(T4));
        var small = Vector512.FusedMultiplyAdd(p * s, x, x);
        return Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x), Vector512.Create(TanhSmall)), small, big);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Tanh(Vector256<float> x)
    {
        var big = Vector256<float>.One - (Vector256.Create(2f) / (Vector256<float>.One + FastExp.Exp(x + x)));
        var s = x * x;
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(T0), s, Vector256.Create(T1));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(T2));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(T3));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(T4));
        var small = Vector256.FusedMultiplyAdd(p * s, x, x);
        return Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(x), Vector256.Create(TanhSmall)), small, big);
    }
}
