namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Column sums of a row-major <c>[rows, cols]</c> matrix (the bias gradient of a linear layer), in parallel and
/// deterministic: rows are cut into fixed blocks whatever the thread count, each block summed in float, and the
/// block sums added in block order in double.
/// </summary>
internal static class ColumnSums
{
    private const int BlockRows = 64;

    /// <summary>dst[j] = Σ_i src[offset + i * cols + j].</summary>
    public static void Compute(float[] src, int offset, int rows, int cols, Span<float> dst)
    {
        int blocks = (rows + BlockRows - 1) / BlockRows;
        var partial = new float[blocks * cols];
        Engine.ParallelFor(blocks, (long)BlockRows * cols, (s, e) =>
        {
            for (int blk = s; blk < e; blk++)
            {
                var acc = partial.AsSpan(blk * cols, cols);
                int r1 = Math.Min(rows, (blk + 1) * BlockRows);
                for (int r = blk * BlockRows; r < r1; r++)
                {
                    Elementwise.AddInPlace(acc, src.AsSpan(offset + (r * cols), cols));
                }
            }
        });

        var total = new double[cols];
        for (int blk = 0; blk < blocks; blk++)
        {
            var p = partial.AsSpan(blk * cols, cols);
            for (int j = 0; j < cols; j++)
            {
                total[j] += p[j];
            }
        }

        for (int j = 0; j < cols; j++)
        {
            dst[j] = (float)total[j];
        }
    }
}
