namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Reductions over one dimension of a contiguous tensor viewed as <c>[outer, n, inner]</c>: element
/// (o, k, i) sits at <c>(o * n + k) * inner + i</c>. Rows of the reduced dimension are strided by
/// <c>inner</c>, so the loops run over k outside and i inside to stay sequential in memory.
/// </summary>
internal static class Reduce
{
    /// <summary>
    /// values[o, i] = max (or min) over k of src[o, k, i]; indices[o, i] = the first k attaining it. NaN wins
    /// over every number (first NaN), as PyTorch's <c>max(dim)</c>. Requires n &gt;= 1.
    /// </summary>
    public static void ArgExtremum(ReadOnlySpan<float> src, int outer, int n, int inner, Span<float> values, Span<float> indices, bool max)
    {
        for (int o = 0; o < outer; o++)
        {
            var vals = values.Slice(o * inner, inner);
            var idx = indices.Slice(o * inner, inner);
            src.Slice(o * n * inner, inner).CopyTo(vals);
            idx.Clear();
            for (int k = 1; k < n; k++)
            {
                var row = src.Slice(((o * n) + k) * inner, inner);
                for (int i = 0; i < inner; i++)
                {
                    float v = row[i];
                    float best = vals[i];
                    if (float.IsNaN(best))
                    {
                        continue;
                    }

                    if (float.IsNaN(v) || (max ? v > best : v < best))
                    {
                        vals[i] = v;
                        idx[i] = k;
                    }
                }
            }
        }
    }

    /// <summary>
    /// dst[i] = log(sum_k exp(src[k * stride + i])) for i in [0, dst.Length), stably; <paramref name="scratch"/>
    /// holds at least dst.Length floats. A column of all -inf gives -inf, one containing +inf gives +inf.
    /// </summary>
    public static void LogSumExpColumns(ReadOnlySpan<float> src, int n, int stride, Span<float> dst, Span<float> scratch)
    {
        int width = dst.Length;
        var max = scratch[..width];
        ColumnMax(src, n, stride, max);
        dst.Clear();
        for (int k = 0; k < n; k++)
        {
            var row = src.Slice(k * stride, width);
            for (int i = 0; i < width; i++)
            {
                float m = max[i];
                dst[i] += float.IsInfinity(m) ? 0f : MathF.Exp(row[i] - m);
            }
        }

        for (int i = 0; i < width; i++)
        {
            float m = max[i];
            dst[i] = float.IsInfinity(m) ? m : m + MathF.Log(dst[i]);
        }
    }

    /// <summary>max[i] = max over k of src[k * stride + i] (NaN propagates).</summary>
    public static void ColumnMax(ReadOnlySpan<float> src, int n, int stride, Span<float> max)
    {
        int width = max.Length;
        max.Fill(float.NegativeInfinity);
        for (int k = 0; k < n; k++)
        {
            System.Numerics.Tensors.TensorPrimitives.Max(max, src.Slice(k * stride, width), max);
        }
    }
}
