using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Single-precision matrix multiply, C = alpha * op(A) op(B) + beta * C, row-major, with transpose flags
/// so <c>x @ W^T</c> never needs a transposed copy from the caller. Transposed operands are packed
/// once; the inner kernel is a 4 x (2 vectors) register tile over a cache-sized K block, using
/// Vector512 where the CPU has it, else Vector256, else scalar. Each element of C is accumulated in
/// the same order whatever the thread count, so results are bitwise-reproducible.
/// </summary>
internal static class Gemm
{
    private const int KBlock = 256;

    /// <summary>C[M,N] = alpha * op(A) * op(B) + beta * C.</summary>
    /// <param name="transA">A is stored [K, M] (use its transpose).</param>
    /// <param name="transB">B is stored [N, K] (use its transpose).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A's elements, leading dimension <paramref name="lda"/>.</param>
    /// <param name="aOffset">Index of A's first element.</param>
    /// <param name="lda">Row stride of A as stored.</param>
    /// <param name="b">B's elements, leading dimension <paramref name="ldb"/>.</param>
    /// <param name="bOffset">Index of B's first element.</param>
    /// <param name="ldb">Row stride of B as stored.</param>
    /// <param name="beta">Scale of the existing C (0 ignores C's contents, even NaN).</param>
    /// <param name="c">C's elements, leading dimension <paramref name="ldc"/>.</param>
    /// <param name="cOffset">Index of C's first element.</param>
    /// <param name="ldc">Row stride of C.</param>
    /// <param name="parallel">Whether to split the work over <see cref="Engine.NumThreads"/> threads.</param>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc, bool parallel = true)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        ScaleC(c, cOffset, ldc, m, n, beta);
        if (k == 0 || alpha == 0)
        {
            return;
        }

        // Pack transposed operands into plain row-major panels: A as [M, K], B as [K, N].
        if (transA)
        {
            var pa = new float[m * k];
            Transpose(a, aOffset, lda, k, m, pa);
            (a, aOffset, lda) = (pa, 0, k);
        }

        if (transB)
        {
            var pb = new float[k * n];
            Transpose(b, bOffset, ldb, n, k, pb);
            (b, bOffset, ldb) = (pb, 0, n);
        }

        var ca = a;
        var cb = b;
        int aOff = aOffset, bOff = bOffset, la = lda, lb = ldb;
        if (!parallel || Engine.NumThreads == 1)
        {
            Kernel(ca, aOff, la, cb, bOff, lb, c, cOffset, ldc, 0, m, 0, n, k, alpha);
            return;
        }

        long cost = (long)n * k;
        if (m >= 4 * Engine.NumThreads)
        {
            int rowBlocks = (m + 3) / 4;
            Engine.ParallelFor(rowBlocks, cost * 4, (s, e) =>
                Kernel(ca, aOff, la, cb, bOff, lb, c, cOffset, ldc, s * 4, Math.Min(e * 4, m), 0, n, k, alpha));
        }
        else
        {
            int colBlocks = (n + 63) / 64;
            Engine.ParallelFor(colBlocks, (long)m * k * 64, (s, e) =>
                Kernel(ca, aOff, la, cb, bOff, lb, c, cOffset, ldc, 0, m, s * 64, Math.Min(e * 64, n), k, alpha));
        }
    }

    private static void ScaleC(float[] c, int cOffset, int ldc, int m, int n, float beta)
    {
        if (beta == 1f)
        {
            return;
        }

        for (int i = 0; i < m; i++)
        {
            var row = c.AsSpan(cOffset + (i * ldc), n);
            if (beta == 0f)
            {
                row.Clear();
            }
            else
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
            }
        }
    }

    /// <summary>dst[cols, rows] = src[rows, cols] (src row stride ld).</summary>
    private static void Transpose(float[] src, int off, int ld, int rows, int cols, float[] dst)
    {
        const int T = 32;
        for (int i0 = 0; i0 < rows; i0 += T)
        {
            int i1 = Math.Min(i0 + T, rows);
            for (int j0 = 0; j0 < cols; j0 += T)
            {
                int j1 = Math.Min(j0 + T, cols);
                for (int i = i0; i < i1; i++)
                {
                    int s = off + (i * ld);
                    for (int j = j0; j < j1; j++)
                    {
                        dst[(j * rows) + i] = src[s + j];
                    }
                }
            }
        }
    }

    /// <summary>C[r0:r1, c0:c1] += alpha * A[r0:r1, :] B[:, c0:c1] with A [M,K] and B [K,N] row-major.</summary>
    private static void Kernel(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
        int r0, int r1, int c0, int c1, int k, float alpha)
    {
        for (int k0 = 0; k0 < k; k0 += KBlock)
        {
            int kc = Math.Min(KBlock, k - k0);
            if (Vector512.IsHardwareAccelerated)
            {
                Block512(a, aOff + k0, lda, b, bOff + (k0 * ldb), ldb, c, cOff, ldc, r0, r1, c0, c1, kc, alpha);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                Block256(a, aOff + k0, lda, b, bOff + (k0 * ldb), ldb, c, cOff, ldc, r0, r1, c0, c1, kc, alpha);
            }
            else
            {
                BlockScalar(a, aOff + k0, lda, b, bOff + (k0 * ldb), ldb, c, cOff, ldc, r0, r1, c0, c1, kc, alpha);
            }
        }
    }

    private static void Block512(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
        int r0, int r1, int c0, int c1, int kc, float alpha)
    {
        const int W = 16;
        ref float ra = ref a[0];
        ref float rb = ref b[0];
        ref float rc = ref c[0];
        var va = Vector512.Create(alpha);
        int i = r0;
        for (; i + 4 <= r1; i += 4)
        {
            int j = c0;
            for (; j + (2 * W) <= c1; j += 2 * W)
            {
                Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
                Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
                int ai = aOff + (i * lda);
                int bj = bOff + j;
                for (int p = 0; p < kc; p++)
                {
                    var b0 = Vector512.LoadUnsafe(ref rb, (nuint)(bj + (p * ldb)));
                    var b1 = Vector512.LoadUnsafe(ref rb, (nuint)(bj + (p * ldb) + W));
                    var a0 = Vector512.Create(Unsafe.Add(ref ra, ai + p));
                    var a1 = Vector512.Create(Unsafe.Add(ref ra, ai + lda + p));
                    var a2 = Vector512.Create(Unsafe.Add(ref ra, ai + (2 * lda) + p));
                    var a3 = Vector512.Create(Unsafe.Add(ref ra, ai + (3 * lda) + p));
                    c00 = Vector512.FusedMultiplyAdd(a0, b0, c00);
                    c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
                    c10 = Vector512.FusedMultiplyAdd(a1, b0, c10);
                    c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
                    c20 = Vector512.FusedMultiplyAdd(a2, b0, c20);
                    c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
                    c30 = Vector512.FusedMultiplyAdd(a3, b0, c30);
                    c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
                }

                int ci = cOff + (i * ldc) + j;
                Store512(ref rc, ci, c00, va);
                Store512(ref rc, ci + W, c01, va);
                Store512(ref rc, ci + ldc, c10, va);
                Store512(ref rc, ci + ldc + W, c11, va);
                Store512(ref rc, ci + (2 * ldc), c20, va);
                Store512(ref rc, ci + (2 * ldc) + W, c21, va);
                Store512(ref rc, ci + (3 * ldc), c30, va);
                Store512(ref rc, ci + (3 * ldc) + W, c31, va);
            }

            for (; j + W <= c1; j += W)
            {
                for (int ii = i; ii < i + 4; ii++)
                {
                    Vector512<float> acc = default;
                    int ai = aOff + (ii * lda);
                    for (int p = 0; p < kc; p++)
                    {
                        acc = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ra, ai + p)), Vector512.LoadUnsafe(ref rb, (nuint)(bOff + j + (p * ldb))), acc);
                    }

                    Store512(ref rc, cOff + (ii * ldc) + j, acc, va);
                }
            }

            if (j < c1)
            {
                BlockScalar(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, i, i + 4, j, c1, kc, alpha);
            }
        }

        if (i < r1)
        {
            RowTail512(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, i, r1, c0, c1, kc, alpha);
        }
    }

    private static void RowTail512(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
        int r0, int r1, int c0, int c1, int kc, float alpha)
    {
        const int W = 16;
        ref float ra = ref a[0];
        ref float rb = ref b[0];
        ref float rc = ref c[0];
        var va = Vector512.Create(alpha);
        for (int i = r0; i < r1; i++)
        {
            int ai = aOff + (i * lda);
            int j = c0;
            for (; j + (4 * W) <= c1; j += 4 * W)
            {
                Vector512<float> x0 = default, x1 = default, x2 = default, x3 = default;
                for (int p = 0; p < kc; p++)
                {
                    var av = Vector512.Create(Unsafe.Add(ref ra, ai + p));
                    nuint bp = (nuint)(bOff + j + (p * ldb));
                    x0 = Vector512.FusedMultiplyAdd(av, Vector512.LoadUnsafe(ref rb, bp), x0);
                    x1 = Vector512.FusedMultiplyAdd(av, Vector512.LoadUnsafe(ref rb, bp + W), x1);
                    x2 = Vector512.FusedMultiplyAdd(av, Vector512.LoadUnsafe(ref rb, bp + (2 * W)), x2);
                    x3 = Vector512.FusedMultiplyAdd(av, Vector512.LoadUnsafe(ref rb, bp + (3 * W)), x3);
                }

                int ci = cOff + (i * ldc) + j;
                Store512(ref rc, ci, x0, va);
                Store512(ref rc, ci + W, x1, va);
                Store512(ref rc, ci + (2 * W), x2, va);
                Store512(ref rc, ci + (3 * W), x3, va);
            }

            for (; j + W <= c1; j += W)
            {
                Vector512<float> acc = default;
                for (int p = 0; p < kc; p++)
                {
                    acc = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ra, ai + p)), Vector512.LoadUnsafe(ref rb, (nuint)(bOff + j + (p * ldb))), acc);
                }

                Store512(ref rc, cOff + (i * ldc) + j, acc, va);
            }

            if (j < c1)
            {
                BlockScalar(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, i, i + 1, j, c1, kc, alpha);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(ref float rc, int index, Vector512<float> acc, Vector512<float> alpha)
    {
        var cur = Vector512.LoadUnsafe(ref rc, (nuint)index);
        Vector512.FusedMultiplyAdd(acc, alpha, cur).StoreUnsafe(ref rc, (nuint)index);
    }

    private static void Block256(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
        int r0, int r1, int c0, int c1, int kc, float alpha)
    {
        const int W = 8;
        ref float ra = ref a[0];
        ref float rb = ref b[0];
        ref float rc = ref c[0];
        var va = Vector256.Create(alpha);
        int i = r0;
        for (; i + 4 <= r1; i += 4)
        {
            int j = c0;
            for (; j + (2 * W) <= c1; j += 2 * W)
            {
                Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
                Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
                int ai = aOff + (i * lda);
                int bj = bOff + j;
                for (int p = 0; p < kc; p++)
                {
                    var b0 = Vector256.LoadUnsafe(ref rb, (nuint)(bj + (p * ldb)));
                    var b1 = Vector256.LoadUnsafe(ref rb, (nuint)(bj + (p * ldb) + W));
                    var a0 = Vector256.Create(Unsafe.Add(ref ra, ai + p));
                    var a1 = Vector256.Create(Unsafe.Add(ref ra, ai + lda + p));
                    var a2 = Vector256.Create(Unsafe.Add(ref ra, ai + (2 * lda) + p));
                    var a3 = Vector256.Create(Unsafe.Add(ref ra, ai + (3 * lda) + p));
                    c00 = Vector256.FusedMultiplyAdd(a0, b0, c00);
                    c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
                    c10 = Vector256.FusedMultiplyAdd(a1, b0, c10);
                    c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
                    c20 = Vector256.FusedMultiplyAdd(a2, b0, c20);
                    c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
                    c30 = Vector256.FusedMultiplyAdd(a3, b0, c30);
                    c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
                }

                int ci = cOff + (i * ldc) + j;
                Store256(ref rc, ci, c00, va);
                Store256(ref rc, ci + W, c01, va);
                Store256(ref rc, ci + ldc, c10, va);
                Store256(ref rc, ci + ldc + W, c11, va);
                Store256(ref rc, ci + (2 * ldc), c20, va);
                Store256(ref rc, ci + (2 * ldc) + W, c21, va);
                Store256(ref rc, ci + (3 * ldc), c30, va);
                Store256(ref rc, ci + (3 * ldc) + W, c31, va);
            }

            if (j < c1)
            {
                BlockScalar(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, i, i + 4, j, c1, kc, alpha);
            }
        }

        if (i < r1)
        {
            BlockScalar(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, i, r1, c0, c1, kc, alpha);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(ref float rc, int index, Vector256<float> acc, Vector256<float> alpha)
    {
        var cur = Vector256.LoadUnsafe(ref rc, (nuint)index);
        Vector256.FusedMultiplyAdd(acc, alpha, cur).StoreUnsafe(ref rc, (nuint)index);
    }

    private static void BlockScalar(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
        int r0, int r1, int c0, int c1, int kc, float alpha)
    {
        for (int i = r0; i < r1; i++)
        {
            int ai = aOff + (i * lda);
            for (int j = c0; j < c1; j++)
            {
                float acc = 0;
                for (int p = 0; p < kc; p++)
                {
                    acc = MathF.FusedMultiplyAdd(a[ai + p], b[bOff + j + (p * ldb)], acc);
                }

                c[cOff + (i * ldc) + j] += alpha * acc;
            }
        }
    }
}
