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

        return (max, (float)Math.Log(ExpSum(row, max, scratch[..row.Length])));
    }

    /// <summary>
    /// e = exp(x - max) and its sum, block by block so each block is still in L1 when it is summed. The sum is
    /// <see cref="Elementwise.Sum"/>'s (float blocks of the same size, totalled in double).
    /// </summary>
    public static float ExpSum(ReadOnlySpan<float> x, float max, Span<float> e)
    {
        const int Block = 1024;
        double total = 0;
        for (int i = 0; i < x.Length; i += Block)
        {
            int len = Math.Min(Block, x.Length - i);
            var eb = e.Slice(i, len);
            TensorPrimitives.Subtract(x.Slice(i, len), max, eb);
            TensorPrimitives.Exp(eb, eb);
            total += TensorPrimitives.Sum(eb);
        }

        return (float)total;
    }

    /// <summary>
    /// The loss of one row: (1 - eps) * (lse - x[t]) + eps * (lse - mean(x)), which is PyTorch's label-smoothed
    /// cross-entropy (the smoothing term is -sum(log p) / C).
    /// </summary>
    public static double RowLoss(ReadOnlySpan<float> row, int target, float max, float logSum, float smoothing) =>
        Loss(row[target], smoothing == 0f ? 0.0 : (double)Elementwise.Sum(row) / row.Length, max, logSum, smoothing);

    /// <summary>
    /// The loss of one row whose max is known, consuming the row: returns what <see cref="RowLoss"/> returns and leaves
    /// in <paramref name="row"/> either what <see cref="RowGrad"/> writes (when <paramref name="grad"/>) or the shifted
    /// exponentials, with one exponential per element instead of two. The softmax is formed as exp(x - max) / sum rather
    /// than exp(x - max - logSum), which differs from <see cref="RowGrad"/> by a few ulps. Rows whose max is infinite
    /// take the reference path.
    /// </summary>
    public static double RowLossInPlace(Span<float> row, int target, float max, float smoothing, bool grad, float scale, out float logSum)
    {
        if (float.IsInfinity(max))
        {
            logSum = 0f;
            double l = RowLoss(row, target, max, logSum, smoothing);
            if (grad)
            {
                RowGrad(row, target, max, logSum, scale, smoothing, row);
            }

            return l;
        }

        float xt = row[target];
        double mean = smoothing == 0f ? 0.0 : (double)Elementwise.Sum(row) / row.Length;
        float sum = ExpSum(row, max, row);
        logSum = (float)Math.Log(sum);
        if (grad)
        {
            TensorPrimitives.Multiply(row, scale / sum, row);
            if (smoothing != 0f)
            {
                TensorPrimitives.Add(row, -scale * smoothing / row.Length, row);
            }

            row[target] -= scale * (1f - smoothing);
        }

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
        // Block by block, so each block stays in L1 through its five passes (a catalogue row is larger than L1).
        const int Block = 1024;
        float shift = -scale * smoothing / row.Length;
        for (int i = 0; i < row.Length; i += Block)
        {
            int len = Math.Min(Block, row.Length - i);
            var d = dx.Slice(i, len);
            TensorPrimitives.Subtract(row.Slice(i, len), max, d);
            TensorPrimitives.Subtract(d, logSum, d);
            TensorPrimitives.Exp(d, d);
            TensorPrimitives.Multiply(d, scale, d);
            if (smoothing != 0f)
            {
                TensorPrimitives.Add(d, shift, d);
            }
        }

        dx[target] -= scale * (1f - smoothing);
    }
}
