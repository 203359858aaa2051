using System.Numerics.Tensors;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Unfolding of 1-D convolution windows into a matrix and its adjoint. The column matrix has one row per
/// (input channel, kernel tap) and one column per (batch row, output position):
/// <c>col[c*K + k, b*Lout + o] = x[b, c, o*stride - padLeft + k*dilation]</c> (zero outside the input), so a
/// group's rows form the <c>[Cin/groups*K, B*Lout]</c> right operand of its GEMM.
/// </summary>
internal static class Im2Col
{
    /// <summary>Fills the rows of channels [c0, c1) of <paramref name="col"/> from <paramref name="x"/> <c>[B, C, L]</c>.</summary>
    public static void Unfold(ReadOnlySpan<float> x, Span<float> col, int batch, int channels, int length, int kernel, int lOut,
        int stride, int padLeft, int dilation, int c0, int c1)
    {
        int n = batch * lOut;
        for (int c = c0; c < c1; c++)
        {
            for (int k = 0; k < kernel; k++)
            {
                var row = col.Slice(((c * kernel) + k) * n, n);
                int shift = (k * dilation) - padLeft;
                for (int b = 0; b < batch; b++)
                {
                    var src = x.Slice(((b * channels) + c) * length, length);
                    var dst = row.Slice(b * lOut, lOut);
                    if (stride == 1)
                    {
                        // Contiguous run of valid positions: o in [lo, hi).
                        int lo = Math.Clamp(-shift, 0, lOut);
                        int hi = Math.Clamp(length - shift, lo, lOut);
                        dst[..lo].Clear();
                        if (hi > lo)
                        {
                            src.Slice(lo + shift, hi - lo).CopyTo(dst[lo..hi]);
                        }

                        dst[hi..].Clear();
                    }
                    else
                    {
                        for (int o = 0; o < lOut; o++)
                        {
                            int p = (o * stride) + shift;
                            dst[o] = (uint)p < (uint)length ? src[p] : 0f;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Adjoint of <see cref="Unfold"/> for the (batch, channel) rows [r0, r1) of <paramref name="dx"/> <c>[B, C, L]</c>:
    /// each input element receives the sum of the column entries it was copied to. <paramref name="dx"/> rows are overwritten.
    /// </summary>
    public static void Fold(ReadOnlySpan<float> col, Span<float> dx, int batch, int channels, int length, int kernel, int lOut,
        int stride, int padLeft, int dilation, int r0, int r1)
    {
        int n = batch * lOut;
        for (int r = r0; r < r1; r++)
        {
            int b = r / channels, c = r % channels;
            var dst = dx.Slice(r * length, length);
            dst.Clear();
            for (int k = 0; k < kernel; k++)
            {
                var src = col.Slice((((c * kernel) + k) * n) + (b * lOut), lOut);
                int shift = (k * dilation) - padLeft;
                if (stride == 1)
                {
                    int lo = Math.Clamp(-shift, 0, lOut);
                    int hi = Math.Clamp(length - shift, lo, lOut);
                    if (hi > lo)
                    {
                        var d = dst.Slice(lo + shift, hi - lo);
                        TensorPrimitives.Add(d, src[lo..hi], d);
                    }
                }
                else
                {
                    for (int o = 0; o < lOut; o++)
                    {
                        int p = (o * stride) + shift;
                        if ((uint)p < (uint)length)
                        {
                            dst[p] += src[o];
                        }
                    }
                }
            }
        }
    }
}
