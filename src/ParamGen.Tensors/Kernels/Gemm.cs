using System.Runtime.Intrinsics;

namespace ParamGen.Tensors.Kernels;

/// <summary>The instruction set a GEMM micro-kernel uses.</summary>
internal enum GemmIsa
{
    /// <summary>Scalar fused multiply-adds; runs anywhere.</summary>
    Scalar,

    /// <summary>256-bit vectors (AVX2 / Neon pairs).</summary>
    Vector256,

    /// <summary>512-bit vectors (AVX-512).</summary>
    Vector512,
}

/// <summary>Which GEMM algorithm runs a call.</summary>
internal enum GemmPath
{
    /// <summary>Chosen from the shape (<see cref="Gemm.PrefersDirect"/>).</summary>
    Auto,

    /// <summary>Always the packed, cache-blocked kernel.</summary>
    Packed,

    /// <summary>Always the unpacked kernel.</summary>
    Direct,
}

/// <summary>
/// Single-precision matrix multiply, C = alpha * op(A) op(B) + beta * C, row-major, with transpose flags
/// so <c>x @ W^T</c> never needs a transposed copy from the caller. Problems big enough to pay for packing
/// run the cache-blocked, packed micro-kernel GEMM (<see cref="GemmPacked"/>); the algorithm is chosen
/// from the shape alone, and the work is split over threads along M or N only, never K, so each element
/// of C gets the same bits whatever the thread count.
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>The widest micro-kernel this CPU runs with hardware vectors.</summary>
    public static readonly GemmIsa BestIsa =
        GemmMicroKernel512.IsSupported ? GemmIsa.Vector512 :
        GemmMicroKernel256.IsSupported ? GemmIsa.Vector256 : GemmIsa.Scalar;

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
        if (parallel && m > 0 && n > 0 && k > 0 && alpha != 0 && OpenBlasGemm.Serves(Engine.GemmProvider, m, n, k)
            && lda >= Math.Max(1, transA ? m : k) && ldb >= Math.Max(1, transB ? k : n) && ldc >= Math.Max(1, n))
        {
            fixed (float* pa = &a[aOffset], pb = &b[bOffset], pc = &c[cOffset])
            {
                OpenBlasGemm.Sgemm(new GemmProblem(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc), Engine.NumThreads);
                return;
            }
        }

        Sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc, parallel, BestIsa, GemmPath.Auto);
    }

    /// <summary>
    /// <see cref="Sgemm(bool, bool, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int, bool)"/>
    /// on the managed kernels with a chosen micro-kernel and algorithm (tests run every one the CPU supports).
    /// </summary>
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc, bool parallel, GemmIsa isa, GemmPath path)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0 || alpha == 0)
        {
            ScaleC(c, cOffset, ldc, m, n, beta);
            return;
        }

        fixed (float* pa = &a[aOffset], pb = &b[bOffset], pc = &c[cOffset])
        {
            var g = new GemmProblem(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            if (path == GemmPath.Direct || (path == GemmPath.Auto && PrefersDirect(m, n, k, transA, transB)))
            {
                RunDirect(g, parallel, isa);
            }
            else
            {
                RunPacked(g, parallel, isa);
            }
        }
    }

    /// <summary>
    /// Whether the unpacked kernel is faster for this shape (measured on Zen 4; see benchmarks/README.md).
    /// Depends on the shape only, never on the thread count, so results stay thread-count invariant.
    /// </summary>
    internal static bool PrefersDirect(int m, int n, int k, bool transA, bool transB) => m <= (transB ? DirectDotRows : DirectRows);

    internal static int DirectRows = 8, DirectDotRows = 4;

    internal static int CostScale = 32;

    private static void RunDirect(GemmProblem g, bool parallel, GemmIsa isa)
    {
        // Split along N in multiples of 64 columns so every vector tile sits where it would unsplit.
        const int Cols = 64;
        int colBlocks = (g.N + Cols - 1) / Cols;
        if (!parallel || Engine.NumThreads == 1 || colBlocks == 1)
        {
            RunDirectRect(g, 0, g.N, isa);
        }
        else
        {
            Engine.ParallelFor(colBlocks, (long)Cols * g.M * g.K / CostScale, (s, e) => RunDirectRect(g, s * Cols, Math.Min(e * Cols, g.N), isa));
        }
    }

    private static void RunDirectRect(in GemmProblem g, int j0, int j1, GemmIsa isa)
    {
        var ws = GemmWorkspace.Rent();
        try
        {
            GemmDirect.Run(g, j0, j1, isa, ws);
        }
        finally
        {
            GemmWorkspace.Return(ws);
        }
    }

    private static void RunPacked(GemmProblem g, bool parallel, GemmIsa isa)
    {
        int mr = GemmPacked.TileRows(isa), nr = GemmPacked.TileCols(isa);
        int rowBlocks = (g.M + mr - 1) / mr, colBlocks = (g.N + nr - 1) / nr;
        if (!parallel || Engine.NumThreads == 1 || (rowBlocks == 1 && colBlocks == 1))
        {
            RunRect(g, 0, g.M, 0, g.N, isa);
        }
        else if (colBlocks < 4 * Engine.NumThreads && rowBlocks >= colBlocks)
        {
            // Few column slivers: split the rows; each thread packs the (small) op(B) blocks itself.
            Engine.ParallelFor(rowBlocks, (long)mr * g.N * g.K / CostScale, (s, e) => RunRect(g, s * mr, Math.Min(e * mr, g.M), 0, g.N, isa));
        }
        else
        {
            // Columns: each thread packs only its own part of op(B), and A is read in place, so nothing is packed twice.
            Engine.ParallelFor(colBlocks, (long)nr * g.M * g.K / CostScale, (s, e) => RunRect(g, 0, g.M, s * nr, Math.Min(e * nr, g.N), isa));
        }
    }

    private static void RunRect(in GemmProblem g, int i0, int i1, int j0, int j1, GemmIsa isa)
    {
        var ws = GemmWorkspace.Rent();
        try
        {
            GemmPacked.Run(g, i0, i1, j0, j1, isa, ws);
        }
        finally
        {
            GemmWorkspace.Return(ws);
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
}
