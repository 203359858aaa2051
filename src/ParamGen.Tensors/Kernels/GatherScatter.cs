namespace ParamGen.Tensors.Kernels;

/// <summary>
/// <c>gather</c> and <c>scatter_add</c> along one dimension. An index tensor of shape <c>idx</c> pairs each
/// of its positions <c>p</c> with the position of a "data" tensor that has the same coordinates except
/// along <c>dim</c>, where it takes the value <c>index[p]</c>; an "aligned" tensor (output of gather, source
/// of scatter) is addressed at <c>p</c> itself. Either tensor may be larger than the index in any other
/// dimension, as PyTorch allows. Indices must already be validated (whole numbers in range).
/// </summary>
internal static class GatherScatter
{
    /// <summary>aligned[p] = data[p with dim := index[p]] for every index position p.</summary>
    public static void Gather(ReadOnlySpan<float> data, ReadOnlySpan<int> dataDims, int dim, ReadOnlySpan<float> index, ReadOnlySpan<int> indexDims, Span<float> aligned, ReadOnlySpan<int> alignedDims) =>
        Walk(data, dataDims, dim, index, indexDims, aligned, alignedDims, scatter: false);

    /// <summary>data[p with dim := index[p]] += aligned[p] for every index position p, in index order.</summary>
    public static void ScatterAdd(Span<float> data, ReadOnlySpan<int> dataDims, int dim, ReadOnlySpan<float> index, ReadOnlySpan<int> indexDims, ReadOnlySpan<float> aligned, ReadOnlySpan<int> alignedDims)
    {
        // Walk takes one writable span; scatter writes `data`, so pass the roles through a flag.
        Walk(aligned, alignedDims, dim, index, indexDims, data, dataDims, scatter: true);
    }

    /// <summary>
    /// Visits index positions in row-major order. Without <paramref name="scatter"/>: writable = aligned,
    /// readable = data (gather). With it: readable = aligned, writable = data (scatter-add).
    /// </summary>
    private static void Walk(ReadOnlySpan<float> readable, ReadOnlySpan<int> readableDims, int dim, ReadOnlySpan<float> index, ReadOnlySpan<int> indexDims, Span<float> writable, ReadOnlySpan<int> writableDims, bool scatter)
    {
        int r = indexDims.Length;
        if (index.Length == 0)
        {
            return;
        }

        var dataDims = scatter ? writableDims : readableDims;
        var alignedDims = scatter ? readableDims : writableDims;
        Span<int> dataStride = stackalloc int[r];
        Span<int> alignedStride = stackalloc int[r];
        int ds = 1, als = 1;
        for (int d = r - 1; d >= 0; d--)
        {
            dataStride[d] = ds;
            alignedStride[d] = als;
            ds *= dataDims[d];
            als *= alignedDims[d];
        }

        int dimStride = dataStride[dim];
        Span<int> idx = stackalloc int[r];
        int dataBase = 0, alignedOff = 0;
        for (int p = 0; p < index.Length; p++)
        {
            int dataOff = dataBase + ((int)index[p] * dimStride);
            if (scatter)
            {
                writable[dataOff] += readable[alignedOff];
            }
            else
            {
                writable[alignedOff] = readable[dataOff];
            }

            // Odometer over the index shape; the data offset ignores `dim` (the index supplies it).
            for (int d = r - 1; d >= 0; d--)
            {
                if (d != dim)
                {
                    dataBase += dataStride[d];
                }

                alignedOff += alignedStride[d];
                if (++idx[d] < indexDims[d])
                {
                    break;
                }

                if (d != dim)
                {
                    dataBase -= dataStride[d] * indexDims[d];
                }

                alignedOff -= alignedStride[d] * indexDims[d];
                idx[d] = 0;
            }
        }
    }
}
