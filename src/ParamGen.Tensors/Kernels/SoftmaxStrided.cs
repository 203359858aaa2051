using System.Numerics.Tensors;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Softmax and log-softmax over a dimension that is not the last: a block of <c>n</c> rows, each
/// <c>width</c> wide and <c>stride</c> apart, normalised down each column. The rows are walked in order
/// with span kernels, so memory is read sequentially; the per-column max and sum live in a scratch
/// span of 2 * width floats given by the caller.
/// </summary>
internal static class SoftmaxStrided
{
    /// <summary>dst = softmax (or log-softmax) of src down each column. A column of all -inf gives zeros
    /// under softmax and NaN under log-softmax, as the row kernels and PyTorch.</summary>
    public static void Forward(ReadOnlySpan<float> src, Span<float> dst, int n, int stride, int width, Span<float> scratch, bool log)
    {
        var max = scratch[..width];
        var sum = scratch.Slice(width, width);
        Reduce.ColumnMax(src, n, stride, max);

        // A fully masked column has max -inf; shifting by 0 instead keeps exp(-inf) = 0 rather than NaN.
        for (int i = 0; i < width; i++)
        {
            if (float.IsNegativeInfinity(max[i]))
            {
                max[i] = 0f;
            }
        }

        sum.Clear();
        for (int k = 0; k < n; k++)
        {
            var d = dst.Slice(k * stride, width);
            TensorPrimitives.Subtract(src.Slice(k * stride, width), max, d);
            if (log)
            {
                for (int i = 0; i < width; i++)
                {
                    sum[i] += MathF.Exp(d[i]);
                }
            }
            else
            {
                TensorPrimitives.Exp(d, d);
                TensorPrimitives.Add(sum, d, sum);
            }
        }

        if (log)
        {
            TensorPrimitives.Log(sum, sum);
            for (int k = 0; k < n; k++)
            {
                var d = dst.Slice(k * stride, width);
                TensorPrimitives.Subtract(d, sum, d);
            }

            return;
        }

        for (int i = 0; i < width; i++)
        {
            sum[i] = sum[i] == 0f ? 0f : 1f / sum[i];
        }

        for (int k = 0; k < n; k++)
        {
            var d = dst.Slice(k * stride, width);
            TensorPrimitives.Multiply(d, sum, d);
        }
    }

    /// <summary>
    /// Backward down each column. Softmax: dx = y * (g - sum_k g * y). Log-softmax: dx = g - exp(y) * sum_k g.
    /// <paramref name="scratch"/> holds at least width floats.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx, int n, int stride, int width, Span<float> scratch, bool log)
    {
        var acc = scratch[..width];
        acc.Clear();
        for (int k = 0; k < n; k++)
        {
            var gk = g.Slice(k * stride, width);
            if (log)
            {
                TensorPrimitives.Add(acc, gk, acc);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(gk, y.Slice(k * stride, width), acc, acc);
            }
        }

        for (int k = 0; k < n; k++)
        {
            var gk = g.Slice(k * stride, width);
            var yk = y.Slice(k * stride, width);
            var d = dx.Slice(k * stride, width);
            if (log)
            {
                TensorPrimitives.Exp(yk, d);
                TensorPrimitives.Multiply(d, acc, d);
                TensorPrimitives.Subtract(gk, d, d);
            }
            else
            {
                TensorPrimitives.Subtract(gk, acc, d);
                TensorPrimitives.Multiply(d, yk, d);
            }
        }
    }
}
