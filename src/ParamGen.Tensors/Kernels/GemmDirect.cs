using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// GEMM without packing, for the shapes where packing costs more than it saves: a few rows of A
/// (a user's scores against the catalogue, a GRU step) and tiny products (attention per batch and
/// head). A transposed A is first copied to [M, K] (cheap: M is small). B is read in place: rows of a
/// row-major B feed register tiles of C directly; a transposed B ([N, K]) with at most
/// <see cref="DotRows"/> rows of A is read as dot products along its rows, and otherwise copied to
/// [K, N] first. Except for those dot products, each element gets the same bits as from
/// <see cref="GemmPacked"/>.
/// </summary>
internal static unsafe class GemmDirect
{
    /// <summary>Up to this many rows of A, op(B) = B^T is read as dot products instead of being transposed.</summary>
    public const int DotRows = 4;

    /// <summary>C[:, j0:j1] of the problem.</summary>
    public static void Run(in GemmProblem g, int j0, int j1, GemmIsa isa, GemmWorkspace workspace)
    {
        int m = g.M, n = j1 - j0, k = g.K;
        bool dot = g.TransB && m <= DotRows;
        long aFloats = g.TransA ? (long)m * k : 0;
        long bFloats = g.TransB && !dot ? (long)k * n : 0;
        float* scratch = workspace.Get(RoundUp16(aFloats) + bFloats);
        float* a = g.A;
        nint lda = g.Lda;
        if (g.TransA)
        {
            Transpose(g.A, g.Lda, k, m, scratch);
            a = scratch;
            lda = k;
        }

        float* c = g.C + j0;
        if (dot)
        {
            Dot(a, lda, g.B + (j0 * g.Ldb), g.Ldb, c, g.Ldc, m, n, k, g.Alpha, g.Beta, isa);
            return;
        }

        float* b = g.B + j0;
        nint ldb = g.Ldb;
        if (g.TransB)
        {
            b = scratch + RoundUp16(aFloats);
            Transpose(g.B + (j0 * g.Ldb), g.Ldb, n, k, b);
            ldb = n;
        }

        // K blocked exactly as in GemmPacked, with the caller's beta on the first block, so a product
        // taken here has the same bits as the packed kernel's.
        for (int pc = 0; pc < k; pc += GemmPacked.KC)
        {
            int kc = Math.Min(GemmPacked.KC, k - pc);
            float beta = pc == 0 ? g.Beta : 1f;
            switch (isa)
            {
                case GemmIsa.Vector512:
                    Nn512(a + pc, lda, b + (pc * ldb), ldb, c, g.Ldc, m, n, kc, g.Alpha, beta);
                    break;
                case GemmIsa.Vector256:
                    Nn256(a + pc, lda, b + (pc * ldb), ldb, c, g.Ldc, m, n, kc, g.Alpha, beta);
                    break;
                default:
                    NnScalar(a + pc, lda, b + (pc * ldb), ldb, c, g.Ldc, 0, m, 0, n, kc, g.Alpha, beta);
                    break;
            }
        }
    }

    private static long RoundUp16(long x) => (x + 15) & ~15L;

    /// <summary>dst[cols, rows] = src[rows, cols] (src row stride ld), in tiles that stay in L1.</summary>
    private static void Transpose(float* src, nint ld, int rows, int cols, float* dst)
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
                    float* s = src + (i * ld);
                    for (int j = j0; j < j1; j++)
                    {
                        dst[((nint)j * rows) + i] = s[j];
                    }
                }
            }
        }
    }

    /// <summary>C[i, j] = alpha * dot(A row i, B row j) + beta * C[i, j], four rows of B at a time.</summary>
    private static void Dot(float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int n, int k, float alpha, float beta, GemmIsa isa)
    {
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            float* b0 = b + (j * ldb);
            for (int i = 0; i < m; i++)
            {
                float* ai = a + (i * lda);
                var (s0, s1, s2, s3) = isa switch
                {
                    GemmIsa.Vector512 => Dot4x512(ai, b0, ldb, k),
                    GemmIsa.Vector256 => Dot4x256(ai, b0, ldb, k),
                    _ => Dot4Scalar(ai, b0, ldb, k),
                };
                float* ci = c + (i * ldc) + j;
                Update(ci, s0, alpha, beta);
                Update(ci + 1, s1, alpha, beta);
                Update(ci + 2, s2, alpha, beta);
                Update(ci + 3, s3, alpha, beta);
            }
        }

        for (; j < n; j++)
        {
            float* bj = b + (j * ldb);
            for (int i = 0; i < m; i++)
            {
                float* ai = a + (i * lda);
                float s = 0f;
                for (int p = 0; p < k; p++)
                {
                    s = MathF.FusedMultiplyAdd(ai[p], bj[p], s);
                }

                Update(c + (i * ldc) + j, s, alpha, beta);
            }
        }
    }

    private static (float, float, float, float) Dot4x512(float* a, float* b, nint ldb, int k)
    {
        const int W = 16;
        Vector512<float> x0 = default, x1 = default, x2 = default, x3 = default;
        int p = 0;
        for (; p + W <= k; p += W)
        {
            var av = Vector512.Load(a + p);
            x0 = Vector512.FusedMultiplyAdd(av, Vector512.Load(b + p), x0);
            x1 = Vector512.FusedMultiplyAdd(av, Vector512.Load(b + ldb + p), x1);
            x2 = Vector512.FusedMultiplyAdd(av, Vector512.Load(b + (2 * ldb) + p), x2);
            x3 = Vector512.FusedMultiplyAdd(av, Vector512.Load(b + (3 * ldb) + p), x3);
        }

        var (s0, s1, s2, s3) = (Vector512.Sum(x0), Vector512.Sum(x1), Vector512.Sum(x2), Vector512.Sum(x3));
        for (; p < k; p++)
        {
            float ap = a[p];
            s0 = MathF.FusedMultiplyAdd(ap, b[p], s0);
            s1 = MathF.FusedMultiplyAdd(ap, b[ldb + p], s1);
            s2 = MathF.FusedMultiplyAdd(ap, b[(2 * ldb) + p], s2);
            s3 = MathF.FusedMultiplyAdd(ap, b[(3 * ldb) + p], s3);
        }

        return (s0, s1, s2, s3);
    }

    private static (float, float, float, float) Dot4x256(float* a, float* b, nint ldb, int k)
    {
        const int W = 8;
        Vector256<float> x0 = default, x1 = default, x2 = default, x3 = default;
        int p = 0;
        for (; p + W <= k; p += W)
        {
            var av = Vector256.Load(a + p);
            x0 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b + p), x0);
            x1 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b + ldb + p), x1);
            x2 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b + (2 * ldb) + p), x2);
            x3 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b + (3 * ldb) + p), x3);
        }

        var (s0, s1, s2, s3) = (Vector256.Sum(x0), Vector256.Sum(x1), Vector256.Sum(x2), Vector256.Sum(x3));
        for (; p < k; p++)
        {
            float ap = a[p];
            s0 = MathF.FusedMultiplyAdd(ap, b[p], s0);
            s1 = MathF.FusedMultiplyAdd(ap, b[ldb + p], s1);
            s2 = MathF.FusedMultiplyAdd(ap, b[(2 * ldb) + p], s2);
            s3 = MathF.FusedMultiplyAdd(ap, b[(3 * ldb) + p], s3);
        }

        return (s0, s1, s2, s3);
    }

    private static (float, float, float, float) Dot4Scalar(float* a, float* b, nint ldb, int k)
    {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        for (int p = 0; p < k; p++)
        {
            float ap = a[p];
            s0 = MathF.FusedMultiplyAdd(ap, b[p], s0);
            s1 = MathF.FusedMultiplyAdd(ap, b[ldb + p], s1);
            s2 = MathF.FusedMultiplyAdd(ap, b[(2 * ldb) + p], s2);
            s3 = MathF.FusedMultiplyAdd(ap, b[(3 * ldb) + p], s3);
        }

        return (s0, s1, s2, s3);
    }

    /// <summary>Row-major A [m, k] times row-major B [k, n]: 4 x 32 register tiles, then 4 x 16, rows left over 1 x 64.</summary>
    private static void Nn512(float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int n, int k, float alpha, float beta)
    {
        const int W = 16;
        var va = Vector512.Create(alpha);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            float* a0 = a + (i * lda);
            float* a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
            float* ci = c + (i * ldc);
            int j = 0;
            for (; j + (2 * W) <= n; j += 2 * W)
            {
                Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
                Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    var b0 = Vector512.Load(bp);
                    var b1 = Vector512.Load(bp + W);
                    var x0 = Vector512.Create(a0[p]);
                    var x1 = Vector512.Create(a1[p]);
                    var x2 = Vector512.Create(a2[p]);
                    var x3 = Vector512.Create(a3[p]);
                    c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
                    c01 = Vector512.FusedMultiplyAdd(x0, b1, c01);
                    c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
                    c11 = Vector512.FusedMultiplyAdd(x1, b1, c11);
                    c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
                    c21 = Vector512.FusedMultiplyAdd(x2, b1, c21);
                    c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
                    c31 = Vector512.FusedMultiplyAdd(x3, b1, c31);
                }

                float* cj = ci + j;
                Update(cj, c00, va, beta);
                Update(cj + W, c01, va, beta);
                Update(cj + ldc, c10, va, beta);
                Update(cj + ldc + W, c11, va, beta);
                Update(cj + (2 * ldc), c20, va, beta);
                Update(cj + (2 * ldc) + W, c21, va, beta);
                Update(cj + (3 * ldc), c30, va, beta);
                Update(cj + (3 * ldc) + W, c31, va, beta);
            }

            for (; j + W <= n; j += W)
            {
                Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    var bv = Vector512.Load(bp);
                    c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a0[p]), bv, c0);
                    c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[p]), bv, c1);
                    c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[p]), bv, c2);
                    c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[p]), bv, c3);
                }

                float* cj = ci + j;
                Update(cj, c0, va, beta);
                Update(cj + ldc, c1, va, beta);
                Update(cj + (2 * ldc), c2, va, beta);
                Update(cj + (3 * ldc), c3, va, beta);
            }

            NnScalar(a, lda, b, ldb, c, ldc, i, i + 4, j, n, k, alpha, beta);
        }

        for (; i < m; i++)
        {
            float* ai = a + (i * lda);
            float* ci = c + (i * ldc);
            int j = 0;
            for (; j + (4 * W) <= n; j += 4 * W)
            {
                Vector512<float> x0 = default, x1 = default, x2 = default, x3 = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    var av = Vector512.Create(ai[p]);
                    x0 = Vector512.FusedMultiplyAdd(av, Vector512.Load(bp), x0);
                    x1 = Vector512.FusedMultiplyAdd(av, Vector512.Load(bp + W), x1);
                    x2 = Vector512.FusedMultiplyAdd(av, Vector512.Load(bp + (2 * W)), x2);
                    x3 = Vector512.FusedMultiplyAdd(av, Vector512.Load(bp + (3 * W)), x3);
                }

                Update(ci + j, x0, va, beta);
                Update(ci + j + W, x1, va, beta);
                Update(ci + j + (2 * W), x2, va, beta);
                Update(ci + j + (3 * W), x3, va, beta);
            }

            for (; j + W <= n; j += W)
            {
                Vector512<float> x = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    x = Vector512.FusedMultiplyAdd(Vector512.Create(ai[p]), Vector512.Load(bp), x);
                }

                Update(ci + j, x, va, beta);
            }

            NnScalar(a, lda, b, ldb, c, ldc, i, i + 1, j, n, k, alpha, beta);
        }
    }

    /// <summary>The Vector256 form of <see cref="Nn512"/>: 4 x 16 tiles, then 4 x 8, rows left over 1 x 32.</summary>
    private static void Nn256(float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int n, int k, float alpha, float beta)
    {
        const int W = 8;
        var va = Vector256.Create(alpha);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            float* a0 = a + (i * lda);
            float* a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
            float* ci = c + (i * ldc);
            int j = 0;
            for (; j + (2 * W) <= n; j += 2 * W)
            {
                Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
                Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    var b0 = Vector256.Load(bp);
                    var b1 = Vector256.Load(bp + W);
                    var x0 = Vector256.Create(a0[p]);
                    var x1 = Vector256.Create(a1[p]);
                    var x2 = Vector256.Create(a2[p]);
                    var x3 = Vector256.Create(a3[p]);
                    c00 = Vector256.FusedMultiplyAdd(x0, b0, c00);
                    c01 = Vector256.FusedMultiplyAdd(x0, b1, c01);
                    c10 = Vector256.FusedMultiplyAdd(x1, b0, c10);
                    c11 = Vector256.FusedMultiplyAdd(x1, b1, c11);
                    c20 = Vector256.FusedMultiplyAdd(x2, b0, c20);
                    c21 = Vector256.FusedMultiplyAdd(x2, b1, c21);
                    c30 = Vector256.FusedMultiplyAdd(x3, b0, c30);
                    c31 = Vector256.FusedMultiplyAdd(x3, b1, c31);
                }

                float* cj = ci + j;
                Update(cj, c00, va, beta);
                Update(cj + W, c01, va, beta);
                Update(cj + ldc, c10, va, beta);
                Update(cj + ldc + W, c11, va, beta);
                Update(cj + (2 * ldc), c20, va, beta);
                Update(cj + (2 * ldc) + W, c21, va, beta);
                Update(cj + (3 * ldc), c30, va, beta);
                Update(cj + (3 * ldc) + W, c31, va, beta);
            }

            for (; j + W <= n; j += W)
            {
                Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    var bv = Vector256.Load(bp);
                    c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a0[p]), bv, c0);
                    c1 = Vector256.FusedMultiplyAdd(Vector256.Create(a1[p]), bv, c1);
                    c2 = Vector256.FusedMultiplyAdd(Vector256.Create(a2[p]), bv, c2);
                    c3 = Vector256.FusedMultiplyAdd(Vector256.Create(a3[p]), bv, c3);
                }

                float* cj = ci + j;
                Update(cj, c0, va, beta);
                Update(cj + ldc, c1, va, beta);
                Update(cj + (2 * ldc), c2, va, beta);
                Update(cj + (3 * ldc), c3, va, beta);
            }

            NnScalar(a, lda, b, ldb, c, ldc, i, i + 4, j, n, k, alpha, beta);
        }

        for (; i < m; i++)
        {
            float* ai = a + (i * lda);
            float* ci = c + (i * ldc);
            int j = 0;
            for (; j + (4 * W) <= n; j += 4 * W)
            {
                Vector256<float> x0 = default, x1 = default, x2 = default, x3 = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    var av = Vector256.Create(ai[p]);
                    x0 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp), x0);
                    x1 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + W), x1);
                    x2 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + (2 * W)), x2);
                    x3 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + (3 * W)), x3);
                }

                Update(ci + j, x0, va, beta);
                Update(ci + j + W, x1, va, beta);
                Update(ci + j + (2 * W), x2, va, beta);
                Update(ci + j + (3 * W), x3, va, beta);
            }

            for (; j + W <= n; j += W)
            {
                Vector256<float> x = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    x = Vector256.FusedMultiplyAdd(Vector256.Create(ai[p]), Vector256.Load(bp), x);
                }

                Update(ci + j, x, va, beta);
            }

            NnScalar(a, lda, b, ldb, c, ldc, i, i + 1, j, n, k, alpha, beta);
        }
    }

    /// <summary>C[r0:r1, c0:c1] by scalar dot products: the tails of the vector paths, and the whole product without vectors.</summary>
    private static void NnScalar(float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int r0, int r1, int c0, int c1, int k, float alpha, float beta)
    {
        for (int i = r0; i < r1; i++)
        {
            float* ai = a + (i * lda);
            for (int j = c0; j < c1; j++)
            {
                float s = 0f;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    s = MathF.FusedMultiplyAdd(ai[p], *bp, s);
                }

                Update(c + (i * ldc) + j, s, alpha, beta);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, float acc, float alpha, float beta) =>
        *c = beta == 0f ? acc * alpha : MathF.FusedMultiplyAdd(acc, alpha, beta == 1f ? *c : *c * beta);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector512<float> acc, Vector512<float> alpha, float beta)
    {
        if (beta == 0f)
        {
            (acc * alpha).Store(c);
        }
        else if (beta == 1f)
        {
            Vector512.FusedMultiplyAdd(acc, alpha, Vector512.Load(c)).Store(c);
        }
        else
        {
            Vector512.FusedMultiplyAdd(acc, alpha, Vector512.Load(c) * beta).Store(c);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector256<float> acc, Vector256<float> alpha, float beta)
    {
        if (beta == 0f)
        {
            (acc * alpha).Store(c);
        }
        else if (beta == 1f)
        {
            Vector256.FusedMultiplyAdd(acc, alpha, Vector256.Load(c)).Store(c);
        }
        else
        {
            Vector256.FusedMultiplyAdd(acc, alpha, Vector256.Load(c) * beta).Store(c);
        }
    }
}
