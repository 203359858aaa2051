using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transA, float* a, nint lda, int i0, int rows, int p0, int kc, int mr, float* dst)
    {
        if (transA)
        {
            // Each k step is a contiguous run of rows floats in the stored [K, M] matrix.
            float* src = a + (p0 * lda) + i0;
            for (int p = 0; p < kc; p++, src += lda, dst += mr)
            {
                int r = 0;
                if (Vector128.IsHardwareAccelerated)
                {
                    for (; r + 4 <= rows; r += 4)
                    {
                        Vector128.Load(src + r).Store(dst + r);
                    }
                }

                for (; r < rows; r++)
                {
                    dst[r] = src[r];
                }

                for (; r < mr; r++)
                {
                    dst[r] = 0f;
                }
            }

            return;
        }

        // Row-major A: a transpose of rows x kc. Four rows at a time through 4 x 4 register transposes
        // where the CPU has them, the rest one float at a time (rows read in order, so the prefetcher
        // follows each row).
        int r0 = 0;
        if (Sse.IsSupported)
        {
            int kc4 = kc / 4 * 4;
            for (; r0 + 4 <= rows; r0 += 4)
            {
                float* src = a + ((i0 + r0) * lda) + p0;
                for (int p = 0; p < kc4; p += 4)
                {
                    Transpose4x4(src + p, lda, dst + (p * mr) + r0, mr);
                }

                for (int r = r0; r < r0 + 4; r++)
                {
                    for (int p = kc4; p < kc; p++)
                    {
                        dst[(p * mr) + r] = a[((i0 + r) * lda) + p0 + p];
                    }
                }
            }
        }

        for (int r = r0; r < rows; r++)
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

    /// <summary>dst[p * ldd + r] = src[r * lds + p] for a 4 x 4 block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(float* src, nint lds, float* dst, nint ldd)
    {
        var r0 = Sse.LoadVector128(src);
        var r1 = Sse.LoadVector128(src + lds);
        var r2 = Sse.LoadVector128(src + (2 * lds));
        var r3 = Sse.LoadVector128(src + (3 * lds));
        var t0 = Sse.UnpackLow(r0, r1);
        var t1 = Sse.UnpackLow(r2, r3);
        var t2 = Sse.UnpackHigh(r0, r1);
        var t3 = Sse.UnpackHigh(r2, r3);
        Sse.Store(dst, Sse.MoveLowToHigh(t0, t1));
        Sse.Store(dst + ldd, Sse.MoveHighToLow(t1, t0));
        Sse.Store(dst + (2 * ldd), Sse.MoveLowToHigh(t2, t3));
        Sse.Store(dst + (3 * ldd), Sse.MoveHighToLow(t3, t2));
    }

    /// <summary>
    /// A block of op(B) as consecutive slivers of nr columns: sliver s holds
    /// dst[s * kc * nr + p * nr + j] = op(B)[p0 + p, j0 + s * nr + j], zero past the last column.
    /// op(B)[p, j] is b[p * ldb + j], or b[j * ldb + p] when <paramref name="transB"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

            // Stored [N, K]: each column of op(B) is a contiguous row of B. Transpose 8 x 8 blocks in
            // registers where the CPU can; the rest (and CPUs without AVX) element by element, in k
            // chunks so the chunk of the sliver being written stays in L1.
            int p0Vec = 0;
            if (Avx.IsSupported && w == nr && nr % 8 == 0)
            {
                p0Vec = kc / 8 * 8;
                for (int j = 0; j < nr; j += 8)
                {
                    float* src = b + ((j0 + s + j) * ldb) + p0;
                    for (int p = 0; p < p0Vec; p += 8)
                    {
                        SimdTranspose.Transpose8x8(ref src[p], (int)ldb, ref dst[(p * nr) + j], nr);
                    }
                }
            }

            const int Chunk = 16;
            for (int pb = p0Vec; pb < kc; pb += Chunk)
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
    /// c[r, j] = beta * c[r, j] + bias[j] for r &lt; rows and j &lt; cols (beta 0 ignores c, beta 1 skips the
    /// multiply): the bias epilogue, applied to a sliver of C just before its first K block adds the product
    /// with beta 1, so the rows are in cache when the kernel reads them back.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InitRows(float* c, nint ldc, int rows, int cols, float beta, float* bias)
    {
        for (int r = 0; r < rows; r++, c += ldc)
        {
            int j = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var vb = new Vector<float>(beta);
                for (; j + Vector<float>.Count <= cols; j += Vector<float>.Count)
                {
                    var x = Vector.Load(bias + j);
                    var y = beta == 0f ? x : beta == 1f ? Vector.Load(c + j) + x : Vector.FusedMultiplyAdd(Vector.Load(c + j), vb, x);
                    y.Store(c + j);
                }
            }

            for (; j < cols; j++)
            {
                c[j] = beta == 0f ? bias[j] : beta == 1f ? c[j] + bias[j] : MathF.FusedMultiplyAdd(c[j], beta, bias[j]);
            }
        }
    }

    /// <summary>
    /// c[j] = alpha * acc[j] + beta * c[j] for j &lt; cols, rounded exactly as the vector kernels' update
    /// (so an edge tile gives the same bits as a full one): beta 0 ignores c, beta 1 skips the multiply.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UpdateRow(float* c, float* acc, int cols, float alpha, float beta)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<float>(alpha);
            var vb = new Vector<float>(beta);
            for (; j + Vector<float>.Count <= cols; j += Vector<float>.Count)
            {
                var x = Vector.Load(acc + j);
                var y = beta == 0f ? x * va
                    : Vector.FusedMultiplyAdd(x, va, beta == 1f ? Vector.Load(c + j) : Vector.Load(c + j) * vb);
                y.Store(c + j);
            }
        }

        for (; j < cols; j++)
        {
            c[j] = beta == 0f ? acc[j] * alpha
                : MathF.FusedMultiplyAdd(acc[j], alpha, beta == 1f ? c[j] : c[j] * beta);
        }
    }
}
