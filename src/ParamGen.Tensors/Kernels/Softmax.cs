using System.Numerics.Tensors;

namespace ParamGen.Tensors.Kernels;

/// <summary>Row-wise softmax kernels over contiguous rows (the last dimension), numerically stable.</summary>
internal static class Softmax
{
    /// <summary>dst[r, :] = softmax(src[r, :]) for each of the rows of length <paramref name="cols"/>.</summary>
    public static void Rows(ReadOnlySpan<float> src, Span<float> dst, int cols)
    {
        if (cols == 0)
        {
            return;
        }

        int rows = src.Length / cols;
        for (int r = 0; r < rows; r++)
        {
            Row(src.Slice(r * cols, cols), dst.Slice(r * cols, cols));
        }
    }

    /// <summary>dst = softmax(src) for one row. A row of all -inf gives all zeros (fully masked), not NaN.</summary>
    public static void Row(ReadOnlySpan<float> src, Span<float> dst)
    {
        float max = TensorPrimitives.Max(src);
        if (float.IsNegativeInfinity(max))
        {
            dst.Clear();
            return;
        }

        TensorPrimitives.Subtract(src, max, dst);
        TensorPrimitives.Exp(dst, dst);
        float sum = TensorPrimitives.Sum(dst);
        TensorPrimitives.Multiply(dst, 1f / sum, dst);
    }

    /// <summary>log(sum(exp(x))) computed stably, in double for the sum.</summary>
    public static float LogSumExp(ReadOnlySpan<float> x)
    {
        float max = TensorPrimitives.Max(x);
        if (float.IsNegativeInfinity(max) || float.IsPositiveInfinity(max))
        {
            return max;
        }

        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += Math.Exp(x[i] - max);
        }

        return (float)(max + Math.Log(sum));
    }

    /// <summary>Backward of softmax for one row: dx = y * (g - sum(g * y)).</summary>
    public static void BackwardRow(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx)
    {
        float dot = TensorPrimitives.Dot(g, y);
        TensorPrimitives.Subtract(g, dot, dx);
        TensorPrimitives.Multiply(dx, y, dx);
    }
}
