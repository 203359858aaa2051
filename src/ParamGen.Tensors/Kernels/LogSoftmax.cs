using System.Numerics.Tensors;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Row-wise log-softmax as (x - max) - log(sum(exp(x - max))). Subtracting the max and the small log-sum
/// separately keeps full float precision for large logits, where x - logsumexp(x) would lose the low bits of
/// a rounded logsumexp (an error of one ulp of |x|).
/// </summary>
internal static class LogSoftmax
{
    /// <summary>dst = log_softmax(src) for one row. A row of all -inf gives NaN, as PyTorch.</summary>
    public static void Row(ReadOnlySpan<float> src, Span<float> dst)
    {
        float max = TensorPrimitives.Max(src);
        if (float.IsInfinity(max))
        {
            TensorPrimitives.Subtract(src, Softmax.LogSumExp(src), dst);
            return;
        }

        TensorPrimitives.Subtract(src, max, dst);
        double sum = 0;
        for (int i = 0; i < dst.Length; i++)
        {
            sum += Math.Exp(dst[i]);
        }

        TensorPrimitives.Subtract(dst, (float)Math.Log(sum), dst);
    }

    /// <summary>Backward of log-softmax for one row: dx = g - exp(y) * sum(g).</summary>
    public static void BackwardRow(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx)
    {
        float sum = TensorPrimitives.Sum(g);
        TensorPrimitives.Exp(y, dx);
        TensorPrimitives.Multiply(dx, -sum, dx);
        TensorPrimitives.Add(dx, g, dx);
    }
}
