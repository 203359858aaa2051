using System.Numerics.Tensors;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Fused softmax cross-entropy for one row of logits. The forward keeps only the row's log-sum-exp;
/// the backward rebuilds softmax from it straight into the gradient row, so no probability matrix is stored.
/// </summary>
internal static class CrossEntropy
{
    /// <summary>log(sum(exp(row))), stably; <paramref name="scratch"/> (at least row.Length) receives the shifted exponentials.</summary>
    public static float LogSumExp(ReadOnlySpan<float> row, Span<float> scratch)
    {
        float max = TensorPrimitives.Max(row);
        if (float.IsInfinity(max))
        {
            return max;
        }

        var e = scratch[..row.Length];
        TensorPrimitives.Subtract(row, max, e);
        TensorPrimitives.Exp(e, e);
        return (float)(max + Math.Log(Elementwise.Sum(e)));
    }

    /// <summary>
    /// The loss of one row given its log-sum-exp: (1 - eps) * (lse - x[t]) + eps * (lse - mean(x)), which is
    /// PyTorch's label-smoothed cross-entropy (the smoothing term is -sum(log p) / C).
    /// </summary>
    public static double RowLoss(ReadOnlySpan<float> row, int target, float lse, float smoothing)
    {
        double nll = (double)lse - row[target];
        if (smoothing == 0f)
        {
            return nll;
        }

        double mean = (double)Elementwise.Sum(row) / row.Length;
        return ((1.0 - smoothing) * nll) + (smoothing * (lse - mean));
    }

    /// <summary>dx = scale * (softmax(row) - (1 - eps) * onehot(t) - eps / C), written straight into dx.</summary>
    public static void RowGrad(ReadOnlySpan<float> row, int target, float lse, float scale, float smoothing, Span<float> dx)
    {
        TensorPrimitives.Subtract(row, lse, dx);
        TensorPrimitives.Exp(dx, dx);
        if (smoothing == 0f)
        {
            TensorPrimitives.Multiply(dx, scale, dx);
        }
        else
        {
            TensorPrimitives.Multiply(dx, scale, dx);
            TensorPrimitives.Add(dx, -scale * smoothing / row.Length, dx);
        }

        dx[target] -= scale * (1f - smoothing);
    }
}
