namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Tiles a contiguous tensor: the output has size <c>dims[d] * reps[d]</c> along each dimension and
/// <c>out[i] = src[i mod dims]</c>. This is <c>repeat</c>, and also broadcasting to a larger shape (a size-1
/// dimension repeated). Each source row is copied once; every repetition after the first is a block copy
/// of output already written.
/// </summary>
internal static class Tile
{
    /// <summary>Fills <paramref name="dst"/> (the tiled shape) from <paramref name="src"/> of shape <paramref name="dims"/>.</summary>
    /// <param name="src">The source elements, row-major.</param>
    /// <param name="dims">The source shape.</param>
    /// <param name="reps">Repetitions per dimension (same length as <paramref name="dims"/>).</param>
    /// <param name="dst">The output, of <c>prod(dims[d] * reps[d])</c> elements.</param>
    public static void Run(ReadOnlySpan<float> src, ReadOnlySpan<int> dims, ReadOnlySpan<int> reps, Span<float> dst)
    {
        int r = dims.Length;
        if (dst.Length == 0)
        {
            return;
        }

        if (r == 0)
        {
            dst[0] = src[0];
            return;
        }

        Span<int> srcStride = stackalloc int[r];
        Span<int> dstStride = stackalloc int[r];
        int sa = 1, da = 1;
        for (int d = r - 1; d >= 0; d--)
        {
            srcStride[d] = sa;
            dstStride[d] = da;
            sa *= dims[d];
            da *= dims[d] * reps[d];
        }

        Fill(src, dst, dims, reps, srcStride, dstStride, 0);
    }

    private static void Fill(ReadOnlySpan<float> src, Span<float> dst, ReadOnlySpan<int> dims, ReadOnlySpan<int> reps, ReadOnlySpan<int> srcStride, ReadOnlySpan<int> dstStride, int d)
    {
        int n = dims[d];
        if (d == dims.Length - 1)
        {
            src[..n].CopyTo(dst);
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                Fill(src[(i * srcStride[d])..], dst[(i * dstStride[d])..], dims, reps, srcStride, dstStride, d + 1);
            }
        }

        int block = n * dstStride[d];
        if (block == 1)
        {
            dst[..reps[d]].Fill(dst[0]);
            return;
        }

        var first = dst[..block];
        for (int k = 1; k < reps[d]; k++)
        {
            first.CopyTo(dst.Slice(k * block, block));
        }
    }
}
