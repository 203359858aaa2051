using System.Runtime.CompilerServices;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Packing for the blocked GEMM: copies a block of op(A) or op(B) into the layout the micro-kernel
/// streams (one contiguous sliver per register tile, zero-padded to a full tile), which is also where
/// the transpose flags are absorbed, so no operand is ever transposed as a whole.
/// </summary>
internal static unsafe class GemmPack
{
    /// <summary>
    /// A sliver of op(A): dst[p * mr + r] = op(A)[i0 + r, p0 + p] for r &lt; rows and p &lt; kc; rows
    /// rows..mr are zero. op(A)[i, p] is a[i * lda + p], or a[p * lda + i] when <paramref name="transA"/>.
    /// </summary>
    public static void PackA(bool transA, float* a, nint lda, int i0, int rows, int p0, int kc, int mr, float* dst)
    {
        if (transA)
        {
            // Each k step is a contiguous run of rows floats in the stored [K, M] matrix.
            float* src = a + (p0 * lda) + i0;
            for (int p = 0; p < kc; p++, src += lda, dst += mr)
            {
                Unsafe.CopyBlockUnaligned(dst, src, (uint)(rows * sizeof(float)));
                for (int r = rows; r < mr; r++)
                {
                    dst[r] = 0f;
                }
            }

            return;
        }

        // Row-major A: gather one float from each of the rows per k step. The rows are read in order, so
        // the hardware prefetcher follows mr streams.
        for (int r = 0; r < rows; r++)
        {
            float* src = a + ((i0 + r) * lda) + p0;
            float* d = dst + r;
            for (int p = 0; p < kc; p++)
            {
                d[p * mr] = src[p];
            }
        }

        for (int r = rows; r < mr; r++)
        {
            for (int p = 0; p < kc; p++)
            {
                dst[(p * mr) + r] = 0f;
            }
        }
    }

    /// <summary>
    /// A block of op(B) as consecutive slivers of nr columns: sliver s holds
    /// dst[s * kc * nr + p * nr + j] = op(B)[p0 + p, j0 + s * nr + j], zero past the last column.
    /// op(B)[p, j] is b[p * ldb + j], or b[j * ldb + p] when <paramref name="transB"/>.
    /// </summary>
    public static void PackB(bool transB, float* b, nint ldb, int p0, int kc, int j0, int cols, int nr, float* dst)
    {
        for (int s = 0; s < cols; s += nr, dst += kc * nr)
        {
            int w = Math.Min(nr, cols - s);
            if (!transB)
            {
                float* src = b + (p0 * ldb) + j0 + s;
                for (int p = 0; p < kc; p++, src += ldb)
                {
                    float* d = dst + (p * nr);
                    Unsafe.CopyBlockUnaligned(d, src, (uint)(w * sizeof(float)));
                    for (int j = w; j < nr; j++)
                    {
                        d[j] = 0f;
                    }
                }

                continue;
            }

            // Stored [N, K]: each column of op(B) is a contiguous row. Go in k chunks so the chunk of the
            // sliver being written stays in L1 while the nr source rows are read in order.
            const int Chunk = 16;
            for (int pb = 0; pb < kc; pb += Chunk)
            {
                int pe = Math.Min(pb + Chunk, kc);
                for (int j = 0; j < w; j++)
                {
                    float* src = b + ((j0 + s + j) * ldb) + p0;
                    for (int p = pb; p < pe; p++)
                    {
                        dst[(p * nr) + j] = src[p];
                    }
                }

                for (int j = w; j < nr; j++)
                {
                    for (int p = pb; p < pe; p++)
                    {
                        dst[(p * nr) + j] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// c[j] = alpha * acc[j] + beta * c[j] for j &lt; cols, rounded exactly as the vector kernels' update
    /// (so an edge tile gives the same bits as a full one): beta 0 ignores c, beta 1 skips the multiply.
    /// </summary>
    public static void UpdateRow(float* c, float* acc, int cols, float alpha, float beta)
    {
        for (int j = 0; j < cols; j++)
        {
            c[j] = beta == 0f ? acc[j] * alpha
                : MathF.FusedMultiplyAdd(acc[j], alpha, beta == 1f ? c[j] : c[j] * beta);
        }
    }
}
