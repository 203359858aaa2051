namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Column sums of a row-major <c>[rows, cols]</c> matrix (the bias gradient of a linear layer), in parallel and
/// deterministic: rows are cut into fixed blocks whatever the thread count, each block summed in float, and the
/// block sums added in block order in double.
/// </summary>
internal static class ColumnSums
{
    /// <summary>Rows per block; callers that produce the matrix block by block may sum each block themselves.</summary>
    public const int BlockRows = 64;

    /// <summary>dst[j] = Σ_i src[offset + i * cols + j].</summary>
    public static void Compute(float[] src, int offset, int rows, int cols, Span<float> dst)
    {
        int blocks = (rows + BlockRows - 1) / BlockRows;
        var partial = new float[blocks * cols];
        WorkSplit.Dynamic(blocks, (long)BlockRows * cols, (s, e) =>
        {
            for (int blk = s; blk < e; blk++)
            {
                int r0 = blk * BlockRows;
                SumBlock(src.AsSpan(offset + (r0 * cols), (Math.Min(rows, r0 + BlockRows) - r0) * cols), cols, partial.AsSpan(blk * cols, cols));
            }
        });

        Combine(partial, blocks, cols, dst);
    }

    /// <summary>acc = column sums of the rows in <paramref name="block"/> (whole rows of <paramref name="cols"/>), overwriting acc.</summary>
    public static void SumBlock(ReadOnlySpan<float> block, int cols, Span<float> acc)
    {
        acc.Clear();
        for (int at = 0; at < block.Length; at += cols)
        {
            Elementwise.AddInPlace(acc, block.Slice(at, cols));
        }
    }

    /// <summary>dst[j] = Σ over blocks, in block order and in double, of partial[block, j].</summary>
    public static void Combine(float[] partial, int blocks, int cols, Span<float> dst)
    {
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
