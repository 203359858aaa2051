using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// The row-wise middle of fused attention: softmax of one row of scores and its backward, vectorised with
/// <see cref="FastExp"/>. Rows are short (the number of keys a query sees), so one pass per step with no
/// general-purpose dispatch is what pays.
/// </summary>
internal static class AttentionRows
{
    /// <summary>
    /// probs = softmax(scores) over one row; probs may alias scores. A row with every score -inf (every key
    /// blocked) or an empty row gives zeros, not NaN.
    /// </summary>
    public static void Softmax(ReadOnlySpan<float> scores, Span<float> probs)
    {
        int n = scores.Length;
        if (n == 0)
        {
            return;
        }

        ref float rs = ref MemoryMarshal.GetReference(scores);
        ref float rp = ref MemoryMarshal.GetReference(probs);
        float max = float.NegativeInfinity;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var vmax = Vector256.Create(float.NegativeInfinity);
            for (; i + 8 <= n; i += 8)
            {
                vmax = Vector256.Max(vmax, Vector256.LoadUnsafe(ref rs, (nuint)i));
            }

            for (int l = 0; l < 8; l++)
            {
                max = MathF.Max(max, vmax[l]);
            }
        }

        for (; i < n; i++)
        {
            max = MathF.Max(max, Unsafe.Add(ref rs, i));
        }

        if (float.IsNegativeInfinity(max))
        {
            probs[..n].Clear();
            return;
        }

        float sum = 0f;
        i = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var vm = Vector256.Create(max);
            var vsum = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8)
            {
                var e = FastExp.Exp(Vector256.LoadUnsafe(ref rs, (nuint)i) - vm);
                e.StoreUnsafe(ref rp, (nuint)i);
                vsum += e;
            }

            sum = Vector256.Sum(vsum);
        }

        for (; i < n; i++)
        {
            float e = FastExp.Exp(Unsafe.Add(ref rs, i) - max);
            Unsafe.Add(ref rp, i) = e;
            sum += e;
        }

        Scale(probs[..n], 1f / sum);
    }

    /// <summary>
    /// Softmax backward over one row, in place: grad = p ⊙ (grad - Σ grad ⊙ p). A fully blocked row (p all zero)
    /// gives zeros.
    /// </summary>
    public static void SoftmaxBackward(ReadOnlySpan<float> p, Span<float> grad)
    {
        int n = p.Length;
        ref float rp = ref MemoryMarshal.GetReference(p);
        ref float rg = ref MemoryMarshal.GetReference(grad);
        float dot = 0f;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var vdot = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8)
            {
                vdot = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rp, (nuint)i), Vector256.LoadUnsafe(ref rg, (nuint)i), vdot);
            }

            dot = Vector256.Sum(vdot);
        }

        for (; i < n; i++)
        {
            dot = MathF.FusedMultiplyAdd(Unsafe.Add(ref rp, i), Unsafe.Add(ref rg, i), dot);
        }

        i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vd = Vector256.Create(dot);
            for (; i + 8 <= n; i += 8)
            {
                var g = Vector256.LoadUnsafe(ref rg, (nuint)i);
                (Vector256.LoadUnsafe(ref rp, (nuint)i) * (g - vd)).StoreUnsafe(ref rg, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rg, i) = Unsafe.Add(ref rp, i) * (Unsafe.Add(ref rg, i) - dot);
        }
    }

    private static void Scale(Span<float> x, float s)
    {
        ref float rx = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vs = Vector256.Create(s);
            for (; i + 8 <= n; i += 8)
            {
                (Vector256.LoadUnsafe(ref rx, (nuint)i) * vs).StoreUnsafe(ref rx, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rx, i) *= s;
        }
    }
}
