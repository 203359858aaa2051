using System.Numerics.Tensors;

namespace ParamGen.Tensors.Kernels;

/// <summary>Fused layer normalisation of one row: statistics, normalisation and the affine map in one pass set.</summary>
internal static class LayerNorm
{
    /// <summary>
    /// y = (x - mean) * rstd * w + b over one row (w, b empty when there is no affine part); returns the mean
    /// and rstd = 1 / sqrt(biased var + eps) for the backward.
    /// </summary>
    public static (float Mean, float Rstd) RowForward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, float eps)
    {
        int d = x.Length;
        float mean = Elementwise.Sum(x) / d;
        TensorPrimitives.Subtract(x, mean, y);
        float var = TensorPrimitives.SumOfSquares(y) / d;
        float rstd = 1f / MathF.Sqrt(var + eps);
        TensorPrimitives.Multiply(y, rstd, y);
        if (!w.IsEmpty)
        {
            TensorPrimitives.Multiply(y, w, y);
        }

        if (!b.IsEmpty)
        {
            TensorPrimitives.Add(y, b, y);
        }

        return (mean, rstd);
    }

    /// <summary>
    /// dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)) with gw = g * w and xhat = (x - mean) * rstd.
    /// <paramref name="scratch"/> holds at least x.Length floats.
    /// </summary>
    public static void RowBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, ReadOnlySpan<float> w, float mean, float rstd, Span<float> dx, Span<float> scratch)
    {
        int d = x.Length;
        var gw = scratch[..d];
        if (w.IsEmpty)
        {
            g.CopyTo(gw);
        }
        else
        {
            TensorPrimitives.Multiply(g, w, gw);
        }

        var xhat = dx;
        TensorPrimitives.Subtract(x, mean, xhat);
        TensorPrimitives.Multiply(xhat, rstd, xhat);
        float meanG = Elementwise.Sum(gw) / d;
        float meanGx = TensorPrimitives.Dot(gw, xhat) / d;
        TensorPrimitives.MultiplyAdd(xhat, -meanGx, gw, dx);
        TensorPrimitives.Add(dx, -meanG, dx);
        TensorPrimitives.Multiply(dx, rstd, dx);
    }
}
