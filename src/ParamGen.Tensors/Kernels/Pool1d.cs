namespace ParamGen.Tensors.Kernels;

/// <summary>
/// 1-D max and average pooling over contiguous rows of length <c>len</c>: output o covers input positions
/// [o*stride - pad, o*stride - pad + kernel), padding being -inf for max and zero for average.
/// </summary>
internal static class Pool1d
{
    /// <summary>Window maxima of one row and the position of each (the first one on ties; NaN wins, as PyTorch).</summary>
    public static void MaxRow(ReadOnlySpan<float> x, Span<float> y, Span<int> argMax, int kernel, int stride, int pad)
    {
        for (int o = 0; o < y.Length; o++)
        {
            int start = (o * stride) - pad;
            int lo = Math.Max(start, 0), hi = Math.Min(start + kernel, x.Length);
            int best = lo;
            float bestValue = x[lo];
            for (int p = lo + 1; p < hi && !float.IsNaN(bestValue); p++)
            {
                float v = x[p];
                if (v > bestValue || float.IsNaN(v))
                {
                    best = p;
                    bestValue = v;
                }
            }

            y[o] = bestValue;
            argMax[o] = best;
        }
    }

    /// <summary>Window means of one row, dividing by the full kernel size (zero padding counted).</summary>
    public static void AvgRow(ReadOnlySpan<float> x, Span<float> y, int kernel, int stride, int pad)
    {
        float inv = 1f / kernel;
        for (int o = 0; o < y.Length; o++)
        {
            int start = (o * stride) - pad;
            int lo = Math.Max(start, 0), hi = Math.Min(start + kernel, x.Length);
            float sum = 0f;
            for (int p = lo; p < hi; p++)
            {
                sum += x[p];
            }

            y[o] = sum * inv;
        }
    }

    /// <summary>Backward of <see cref="AvgRow"/>: dx (overwritten) receives g/kernel from every window containing it.</summary>
    public static void AvgRowBackward(ReadOnlySpan<float> g, Span<float> dx, int kernel, int stride, int pad)
    {
        dx.Clear();
        float inv = 1f / kernel;
        for (int o = 0; o < g.Length; o++)
        {
            int start = (o * stride) - pad;
            int lo = Math.Max(start, 0), hi = Math.Min(start + kernel, dx.Length);
            float share = g[o] * inv;
            for (int p = lo; p < hi; p++)
            {
                dx[p] += share;
            }
        }
    }
}
