namespace ParamGen.Tensors.Kernels;

/// <summary>Keeps the lower or upper triangle of each [rows, cols] matrix and zeroes the rest (<c>tril</c>/<c>triu</c>).</summary>
internal static class Triangle
{
    /// <summary>
    /// For every matrix of <paramref name="src"/>, copies element (i, j) to <paramref name="dst"/> when it is kept
    /// (<c>j - i &lt;= diagonal</c> for the lower triangle, <c>j - i &gt;= diagonal</c> for the upper) and writes 0 otherwise.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols, int diagonal, bool lower)
    {
        int size = rows * cols;
        if (size == 0)
        {
            return;
        }

        int matrices = src.Length / size;
        for (int m = 0; m < matrices; m++)
        {
            for (int i = 0; i < rows; i++)
            {
                int off = (m * size) + (i * cols);
                var s = src.Slice(off, cols);
                var d = dst.Slice(off, cols);

                // Kept columns form one interval [from, to) of the row.
                long from = lower ? 0 : Math.Clamp((long)i + diagonal, 0, cols);
                long to = lower ? Math.Clamp((long)i + diagonal + 1, 0, cols) : cols;
                int f = (int)from, t = (int)Math.Max(from, to);
                d[..f].Clear();
                s[f..t].CopyTo(d[f..t]);
                d[t..].Clear();
            }
        }
    }
}
