using System.Numerics.Tensors;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Fused softmax cross-entropy for one row of logits. The forward keeps only the row's max and log-sum of
/// shifted exponentials (log-sum-exp = max + logSum, held apart so large logits keep full precision); the
/// backward rebuilds softmax from them straight into the gradient row, so no probability matrix is stored.
/// </summary>
internal static class CrossEntropy
{
    /// <summary>
    /// The row's max and log(sum(exp(row - max))); <paramref name="scratch"/> (at least row.Length) receives the
    /// shifted exponentials. A row of all -inf gives (-inf, 0); one holding +inf gives (+inf, 0).
    /// </summary>
    public static (float Max, float LogSum) LogSumExp(ReadOnlySpan<float> row, Span<float> scratch)
    {
        float max = TensorPrimitives.Max(row);
        if (float.IsInfinity(max))
        {
            return (max, 0f);
        }

        var e = scratch[..row.Length];
        TensorPrimitives.Subtract(row, max, e);
        TensorPrimitives.Exp(e, e);
        return (max, (float)Math.Log(Elementwise.Sum(e)));
    }

    /// <summary>
    /// The loss of one row: (1 - eps) * (lse - x[t]) + eps * (lse - mean(x)), which is PyTorch's label-smoothed
    /// cross-entropy (the smoothing term is -sum(log p) / C).
    /// </summary>
    public static double RowLoss(ReadOnlySpan<float> row, int target, float max, float logSum, float smoothing) =>
        Loss(row[target], smoothing == 0f ? 0.0 : (double)Elementwise.Sum(row) / row.Length, max, logSum, smoothing);

    /// <summary>
    /// The loss and, in place of the logits, the gradient of one row: returns what <see cref="RowLoss"/> returns and
    /// leaves in <paramref name="row"/> what <see cref="RowGrad"/> writes, with one exponential per element instead
    /// of two. The softmax is formed as exp(x - max) / sum rather than exp(x - max - logSum), which differs from
    /// <see cref="RowGrad"/> by a few ulps. Rows holding an infinity take the reference path.
    /// </summary>
    public static double RowLossAndGrad(Span<float> row, int target, float smoothing, float scale, out float max, out float logSum)
    {
        max = TensorPrimitives.Max(row);
        if (float.IsInfinity(max))
        {
            logSum = 0f;
            double l = RowLoss(row, target, max, logSum, smoothing);
            RowGrad(row, target, max, logSum, scale, smoothing, row);
            return l;
        }

        float xt = row[target];
        double mean = smoothing == 0f ? 0.0 : (double)Elementwise.Sum(row) / row.Length;
        TensorPrimitives.Subtract(row, max, row);
        TensorPrimitives.Exp(row, row);
        float sum = Elementwise.Sum(row);
        logSum = (float)Math.Log(sum);
        TensorPrimitives.Multiply(row, scale / sum, row);
        if (smoothing != 0f)
        {
            TensorPrimitives.Add(row, -scale * smoothing / row.Length, row);
        }

        row[target] -= scale * (1f - smoothing);
        return Loss(xt, mean, max, logSum, smoothing);
    }

    /// <summary>(1 - eps) * (lse - x[t]) + eps * (lse - mean(x)) with lse = max + logSum, in double.</summary>
    private static double Loss(float xt, double mean, float max, float logSum, float smoothing)
    {
        double nll = ((double)max - xt) + logSum;
        return smoothing == 0f ? nll : ((1.0 - smoothing) * nll) + (smoothing * ((max - mean) + logSum));
    }

    /// <summary>dx = scale * (softmax(row) - (1 - eps) * onehot(t) - eps / C), written straight into dx.</summary>
    public static void RowGrad(ReadOnlySpan<float> row, int target, float max, float logSum, float scale, float smoothing, Span<float> dx)
    {
        TensorPrimitives.Subtract(row, max, dx);
        TensorPrimitives.Subtract(dx, logSum, dx);
        TensorPrimitives.Exp(dx, dx);
        TensorPrimitives.Multiply(dx, scale, dx);
        if (smoothing != 0f)
        {
            TensorPrimitives.Add(dx, -scale * smoothing / row.Length, dx);
        }

        dx[target] -= scale * (1f - smoothing);
    }
}
