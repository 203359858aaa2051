namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Row lookups by integer index (stored as float): the forward of <c>index_select</c> and
/// <c>embedding</c>, and its backward, a scatter-add of rows that never materialises a one-hot matrix.
/// Indices must already be validated (whole numbers in range).
/// </summary>
internal static class IndexRows
{
    /// <summary>dst row k = table row index[k], for rows of length <paramref name="width"/>.</summary>
    public static void Select(ReadOnlySpan<float> table, int width, ReadOnlySpan<float> index, Span<float> dst)
    {
        for (int k = 0; k < index.Length; k++)
        {
            table.Slice((int)index[k] * width, width).CopyTo(dst.Slice(k * width, width));
        }
    }

    /// <summary>
    /// table row index[k] += src row k for every k, in order of k, but only for table rows in
    /// [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) and never for row <paramref name="skipRow"/>
    /// (pass -1 to skip none). Disjoint row ranges can run on different threads; each row still receives its
    /// contributions in index order, so the result does not depend on the split.
    /// </summary>
    public static void AddTo(Span<float> table, int width, ReadOnlySpan<float> index, ReadOnlySpan<float> src, int rowStart, int rowEnd, int skipRow)
    {
        for (int k = 0; k < index.Length; k++)
        {
            int row = (int)index[k];
            if (row < rowStart || row >= rowEnd || row == skipRow)
            {
                continue;
            }

            Elementwise.AddInPlace(table.Slice(row * width, width), src.Slice(k * width, width));
        }
    }
}
