using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ParamGen.Evaluation;

/// <summary>
/// Counts, in one vectorised pass over a row of scores, how many score strictly higher than the target's score and
/// how many score equal to it (NaN scores count as neither). 512-bit, then 256-bit lanes, then a scalar tail.
/// </summary>
internal static class RankCounter
{
    public static (int Higher, int Equal) Count(ReadOnlySpan<float> scores, float target)
    {
        ref float start = ref MemoryMarshal.GetReference(scores);
        int n = scores.Length, i = 0, higher = 0, equal = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            var t = Vector512.Create(target);
            var gt = Vector512<int>.Zero;
            var eq = Vector512<int>.Zero;
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref start, (nuint)i);
                gt -= Vector512.GreaterThan(v, t).AsInt32(); // a true lane is all ones = -1
                eq -= Vector512.Equals(v, t).AsInt32();
            }

            higher = Vector512.Sum(gt);
            equal = Vector512.Sum(eq);
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            var t = Vector256.Create(target);
            var gt = Vector256<int>.Zero;
            var eq = Vector256<int>.Zero;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref start, (nuint)i);
                gt -= Vector256.GreaterThan(v, t).AsInt32();
                eq -= Vector256.Equals(v, t).AsInt32();
            }

            higher = Vector256.Sum(gt);
            equal = Vector256.Sum(eq);
        }

        for (; i < n; i++)
        {
            float s = scores[i];
            higher += s > target ? 1 : 0;
            equal += s == target ? 1 : 0;
        }

        return (higher, equal);
    }
}
