using System.Numerics;
using System.Runtime.CompilerServices;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// GEMM without packing or register tiles, for one or a few rows of A (a user's scores against the
/// catalogue), where a tile of MR rows would be mostly empty and packing a transposed op(B) would cost as
/// much as the product. A transposed A is first copied to [M, K] (cheap: M is small). A row-major B is
/// streamed row by row, each row meeting every row of A while it is in L1 (an axpy per row of A); a
/// transposed B ([N, K]) is read as dot products along its rows. Apart from those dot products (a
/// different summation order), each element gets the same bits as from <see cref="GemmPacked"/>: K is
/// blocked the same way and each block's products are accumulated in order from zero. It is correct for
/// any shape; <see cref="Gemm.PrefersDirect"/> says where it is the faster choice.
/// </summary>
internal static unsafe class GemmDirect
{
    /// <summary>Rows of A streamed together over B; their accumulators (Rows x Cols floats) fill 16 KB of L1.</summary>
    private const int Rows = 8, Cols = 512;

    /// <summary>C[:, j0:j1] of the problem.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmProblem g, int j0, int j1, GemmIsa isa, GemmWorkspace workspace)
    {
        int m = g.M, n = j1 - j0, k = g.K;
        long aFloats = g.TransA ? ((long)m * k + 15) & ~15L : 0;
        float* scratch = workspace.Get(aFloats + (Rows * Cols));
        float* a = g.A;
        nint lda = g.Lda;
        if (g.TransA)
        {
            Transpose(g.A, g.Lda, k, m, scratch);
            a = scratch;
            lda = k;
        }

        bool vector = isa != GemmIsa.Scalar && Vector.IsHardwareAccelerated;
        if (g.TransB)
        {
            float dotBeta = g.Beta;
            if (g.Bias != null)
            {
                GemmPack.InitRows(g.C + j0, g.Ldc, m, n, g.Beta, g.Bias + j0);
                dotBeta = 1f;
            }

            Dot(a, lda, g.B + (j0 * g.Ldb), g.Ldb, g.C + j0, g.Ldc, m, n, k, g.Alpha, dotBeta, vector);
            return;
        }

        float* acc = scratch + aFloats;
        for (int i0 = 0; i0 < m; i0 += Rows)
        {
            int rows = Math.Min(Rows, m - i0);
            for (int c0 = 0; c0 < n; c0 += Cols)
            {
                int w = Math.Min(Cols, n - c0);
                for (int pc = 0; pc < k; pc += GemmPacked.KC)
                {
                    int kc = Math.Min(GemmPacked.KC, k - pc);
                    new Span<float>(acc, rows * w).Clear();
                    Axpys(a + (i0 * lda) + pc, lda, g.B + (pc * g.Ldb) + j0 + c0, g.Ldb, acc, rows, w, kc, vector);

                    // The caller's beta (and bias) apply once, on the first K block; later blocks add to C.
                    float* c = g.C + (i0 * g.Ldc) + j0 + c0;
                    float beta = pc == 0 ? g.Beta : 1f;
                    if (pc == 0 && g.Bias != null)
                    {
                        GemmPack.InitRows(c, g.Ldc, rows, w, beta, g.Bias + j0 + c0);
                        beta = 1f;
                    }

                    for (int r = 0; r < rows; r++)
                    {
                        GemmPack.UpdateRow(c + (r * g.Ldc), acc + (r * w), w, g.Alpha, beta);
                    }
                }
            }
        }
    }

    /// <summary>acc[r, :w] += sum over p &lt; kc of a[r * lda + p] * b[p * ldb + :w], four rows of B per pass over acc.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpys(float* a, nint lda, float* b, nint ldb, float* acc, int rows, int w, int kc, bool vector)
    {
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            float* b0 = b + (p * ldb);
            float* b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            for (int r = 0; r < rows; r++)
            {
                float* ar = a + (r * lda) + p;
                float x0 = ar[0], x1 = ar[1], x2 = ar[2], x3 = ar[3];
                float* y = acc + (r * w);
                int j = 0;
                if (vector)
                {
                    var v0 = new Vector<float>(x0);
                    var v1 = new Vector<float>(x1);
                    var v2 = new Vector<float>(x2);
                    var v3 = new Vector<float>(x3);
                    for (; j + Vector<float>.Count <= w; j += Vector<float>.Count)
                    {
                        var s = Vector.Load(y + j);
                        s = Vector.FusedMultiplyAdd(v0, Vector.Load(b0 + j), s);
                        s = Vector.FusedMultiplyAdd(v1, Vector.Load(b1 + j), s);
                        s = Vector.FusedMultiplyAdd(v2, Vector.Load(b2 + j), s);
                        s = Vector.FusedMultiplyAdd(v3, Vector.Load(b3 + j), s);
                        s.Store(y + j);
                    }
                }

                for (; j < w; j++)
                {
                    float s = MathF.FusedMultiplyAdd(x0, b0[j], y[j]);
                    s = MathF.FusedMultiplyAdd(x1, b1[j], s);
                    s = MathF.FusedMultiplyAdd(x2, b2[j], s);
                    y[j] = MathF.FusedMultiplyAdd(x3, b3[j], s);
                }
            }
        }

        for (; p < kc; p++)
        {
            float* bp = b + (p * ldb);
            for (int r = 0; r < rows; r++)
            {
                float x = a[(r * lda) + p];
                float* y = acc + (r * w);
                int j = 0;
                if (vector)
                {
                    var v = new Vector<float>(x);
                    for (; j + Vector<float>.Count <= w; j += Vector<float>.Count)
                    {
                        Vector.FusedMultiplyAdd(v, Vector.Load(bp + j), Vector.Load(y + j)).Store(y + j);
                    }
                }

                for (; j < w; j++)
                {
                    y[j] = MathF.FusedMultiplyAdd(x, bp[j], y[j]);
                }
            }
        }
    }

    /// <summary>C[i, j] = alpha * dot(A row i, B row j) + beta * C[i, j], four rows of B at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot(float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int n, int k, float alpha, float beta, bool vector)
    {
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            float* bj = b + (j * ldb);
            for (int i = 0; i < m; i++)
            {
                float* ci = c + (i * ldc) + j;
                Dot4(a + (i * lda), bj, ldb, k, vector, out float s0, out float s1, out float s2, out float s3);
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

    /// <summary>The dot products of one row of A with four consecutive rows of B: vector partial sums, then the tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot4(float* a, float* b, nint ldb, int k, bool vector, out float s0, out float s1, out float s2, out float s3)
    {
        int p = 0;
        s0 = s1 = s2 = s3 = 0f;
        if (vector)
        {
            Vector<float> x0 = default, x1 = default, x2 = default, x3 = default;
            for (; p + Vector<float>.Count <= k; p += Vector<float>.Count)
            {
                var av = Vector.Load(a + p);
                x0 = Vector.FusedMultiplyAdd(av, Vector.Load(b + p), x0);
                x1 = Vector.FusedMultiplyAdd(av, Vector.Load(b + ldb + p), x1);
                x2 = Vector.FusedMultiplyAdd(av, Vector.Load(b + (2 * ldb) + p), x2);
                x3 = Vector.FusedMultiplyAdd(av, Vector.Load(b + (3 * ldb) + p), x3);
            }

            (s0, s1, s2, s3) = (Vector.Sum(x0), Vector.Sum(x1), Vector.Sum(x2), Vector.Sum(x3));
        }

        for (; p < k; p++)
        {
            float ap = a[p];
            s0 = MathF.FusedMultiplyAdd(ap, b[p], s0);
            s1 = MathF.FusedMultiplyAdd(ap, b[ldb + p], s1);
            s2 = MathF.FusedMultiplyAdd(ap, b[(2 * ldb) + p], s2);
            s3 = MathF.FusedMultiplyAdd(ap, b[(3 * ldb) + p], s3);
        }
    }

    /// <summary>dst[cols, rows] = src[rows, cols] (src row stride ld), in tiles that stay in L1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, float acc, float alpha, float beta) =>
        *c = beta == 0f ? acc * alpha : MathF.FusedMultiplyAdd(acc, alpha, beta == 1f ? *c : *c * beta);
}
