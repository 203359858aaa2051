namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Copies a contiguous tensor into the contiguous layout of a permutation of its dimensions. The
/// permutation is first simplified (size-1 dimensions dropped, input dimensions that stay adjacent and in
/// order merged), so most real moves become one of three cases: a batched 2-D transpose
/// (<c>[N, A, B] -&gt; [N, B, A]</c>, e.g. <c>K^T</c> in attention), a copy of contiguous rows
/// (<c>[B, L, H, D] -&gt; [B, H, L, D]</c>: the last dimension stays last), or a general strided gather.
/// Work is split into items (tiles or output rows) so callers can run ranges of items on different threads.
/// </summary>
internal static class Permute
{
    /// <summary>Output rows per transpose tile: enough to reuse each source cache line several times.</summary>
    private const int Tile = 16;

    /// <summary>
    /// Writes the simplified form of (<paramref name="dims"/>, <paramref name="perm"/>) into
    /// <paramref name="outDims"/> and <paramref name="outPerm"/> (each at least dims.Length long) and returns
    /// its rank. A result of rank 0 or 1 means the permutation leaves the element order unchanged.
    /// </summary>
    public static int Simplify(ReadOnlySpan<int> dims, ReadOnlySpan<int> perm, Span<int> outDims, Span<int> outPerm)
    {
        int r = dims.Length;

        // Index of each input dimension among those of size != 1 (size-1 dims never affect the order).
        Span<int> kept = stackalloc int[r];
        int n = 0;
        for (int d = 0; d < r; d++)
        {
            kept[d] = dims[d] == 1 ? -1 : n++;
        }

        // Kept input dims listed in output order.
        Span<int> order = stackalloc int[n];
        int k = 0;
        for (int p = 0; p < r; p++)
        {
            if (kept[perm[p]] >= 0)
            {
                order[k++] = kept[perm[p]];
            }
        }

        Span<int> keptSize = stackalloc int[n];
        for (int d = 0; d < r; d++)
        {
            if (kept[d] >= 0)
            {
                keptSize[kept[d]] = dims[d];
            }
        }

        // A group is a run of output positions whose input dims are consecutive: one merged dimension.
        // starts[d] marks the kept input dim that begins a group.
        Span<bool> starts = stackalloc bool[n];
        for (int i = 0; i < n; i++)
        {
            if (i == 0 || order[i] != order[i - 1] + 1)
            {
                starts[order[i]] = true;
            }
        }

        // Rank of each group start in input order, and the merged sizes.
        Span<int> groupRank = stackalloc int[n];
        int m = 0;
        for (int d = 0; d < n; d++)
        {
            if (starts[d])
            {
                groupRank[d] = m;
                outDims[m++] = keptSize[d];
            }
            else
            {
                outDims[m - 1] *= keptSize[d];
            }
        }

        int q = 0;
        for (int i = 0; i < n; i++)
        {
            if (i == 0 || order[i] != order[i - 1] + 1)
            {
                outPerm[q++] = groupRank[order[i]];
            }
        }

        return m;
    }

    /// <summary>The number of independent work items for a simplified permutation of rank 2 or more.</summary>
    public static int WorkItems(ReadOnlySpan<int> dims, ReadOnlySpan<int> perm)
    {
        int m = dims.Length;
        if (IsBatchedTranspose(perm))
        {
            int batch = m == 3 ? dims[0] : 1;
            int b = dims[m - 1];
            return batch * ((b + Tile - 1) / Tile);
        }

        return Total(dims) / Math.Max(1, dims[perm[m - 1]]);
    }

    /// <summary>
    /// Writes work items [<paramref name="start"/>, <paramref name="end"/>) of the permuted copy of
    /// <paramref name="src"/> (shape <paramref name="dims"/>, simplified, rank 2 or more) into <paramref name="dst"/>.
    /// </summary>
    public static void Run(ReadOnlySpan<float> src, ReadOnlySpan<int> dims, ReadOnlySpan<int> perm, Span<float> dst, int start, int end)
    {
        if (IsBatchedTranspose(perm))
        {
            int a = dims[^2], b = dims[^1];
            int batchStride = a * b;
            int tiles = (b + Tile - 1) / Tile;
            for (int w = start; w < end; w++)
            {
                int n = w / tiles;
                int b0 = (w % tiles) * Tile;
                int b1 = Math.Min(b, b0 + Tile);
                TransposeTile(src.Slice(n * batchStride, batchStride), dst.Slice(n * batchStride, batchStride), a, b, b0, b1);
            }

            return;
        }

        Strided(src, dims, perm, dst, start, end);
    }

    /// <summary>Whether a simplified permutation is (1, 0) (the only one of rank 2) or (0, 2, 1).</summary>
    private static bool IsBatchedTranspose(ReadOnlySpan<int> perm) =>
        perm.Length == 2 || (perm.Length == 3 && perm[0] == 0 && perm[1] == 2 && perm[2] == 1);

    /// <summary>dst[j, i] = src[i, j] for the output rows j in [b0, b1) of one [a, b] matrix.</summary>
    private static void TransposeTile(ReadOnlySpan<float> src, Span<float> dst, int a, int b, int b0, int b1)
    {
        for (int i = 0; i < a; i++)
        {
            var row = src.Slice((i * b) + b0, b1 - b0);
            int o = (b0 * a) + i;
            for (int j = 0; j < row.Length; j++)
            {
                dst[o] = row[j];
                o += a;
            }
        }
    }

    /// <summary>Output rows [start, end) by walking the source with the permuted strides.</summary>
    private static void Strided(ReadOnlySpan<float> src, ReadOnlySpan<int> dims, ReadOnlySpan<int> perm, Span<float> dst, int start, int end)
    {
        int m = dims.Length;
        Span<int> inStride = stackalloc int[m];
        int acc = 1;
        for (int d = m - 1; d >= 0; d--)
        {
            inStride[d] = acc;
            acc *= dims[d];
        }

        // Size and source stride of each output dimension.
        Span<int> size = stackalloc int[m];
        Span<int> stride = stackalloc int[m];
        for (int p = 0; p < m; p++)
        {
            size[p] = dims[perm[p]];
            stride[p] = inStride[perm[p]];
        }

        int len = size[m - 1];
        int lastStride = stride[m - 1];
        if (len == 0 || start >= end)
        {
            return;
        }

        // Multi-index of row `start` over output dims 0..m-2, and its source offset.
        Span<int> idx = stackalloc int[m - 1];
        int off = 0;
        int rem = start;
        for (int p = m - 2; p >= 0; p--)
        {
            idx[p] = rem % size[p];
            rem /= size[p];
            off += idx[p] * stride[p];
        }

        for (int row = start; row < end; row++)
        {
            var drow = dst.Slice(row * len, len);
            if (lastStride == 1)
            {
                src.Slice(off, len).CopyTo(drow);
            }
            else
            {
                int s = off;
                for (int j = 0; j < len; j++)
                {
                    drow[j] = src[s];
                    s += lastStride;
                }
            }

            for (int p = m - 2; p >= 0; p--)
            {
                off += stride[p];
                if (++idx[p] < size[p])
                {
                    break;
                }

                off -= stride[p] * size[p];
                idx[p] = 0;
            }
        }
    }

    private static int Total(ReadOnlySpan<int> dims)
    {
        int t = 1;
        foreach (int d in dims)
        {
            t *= d;
        }

        return t;
    }
}
