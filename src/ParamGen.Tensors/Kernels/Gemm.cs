namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Single-precision matrix multiply, C = alpha * op(A) op(B) + beta * C (+ bias), row-major, with transpose
/// flags absorbed in packing, so <c>x @ W^T</c> never needs a transposed copy. Products run the packed,
/// cache-blocked micro-kernel GEMM (<see cref="GemmPacked"/>), except one row of A (or up to four with a
/// transposed B), which runs the direct kernel (<see cref="GemmDirect"/>). The algorithm is chosen from the
/// shape alone and the work is split over threads along M or N only, never K, so each element of C gets the
/// same bits whatever the thread count. The pieces run on <see cref="GemmThreads"/>, whose helper threads stay
/// awake between products. <see cref="Engine.GemmProvider"/> may send products to OpenBLAS.
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
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc, bool parallel = true) =>
        Sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc, null, 0, parallel);

    /// <summary>
    /// C[M,N] = alpha * op(A) * op(B) + beta * C + bias, with bias[biasOffset + j] added to every row j-th
    /// column (a fused <c>x W^T + b</c>): the bias is written into each sliver of C just before the first
    /// product is added, so it costs no separate pass over C. Each element is alpha * sum + (beta * C + bias),
    /// the sum added with one fused multiply-add. Other parameters as in
    /// <see cref="Sgemm(bool, bool, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int, bool)"/>.
    /// </summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc,
        float[]? bias, int biasOffset, bool parallel = true)
    {
        if (parallel && TryOpenBlas(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc, bias, biasOffset))
        {
            return;
        }

        Sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc, bias, biasOffset, parallel, BestIsa, GemmPath.Auto);
    }

    /// <summary>The managed kernels with a chosen micro-kernel and algorithm, no bias (tests run every one the CPU supports).</summary>
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc, bool parallel, GemmIsa isa, GemmPath path) =>
        Sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc, null, 0, parallel, isa, path);

    /// <summary>The managed kernels with a chosen micro-kernel and algorithm.</summary>
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc,
        float[]? bias, int biasOffset, bool parallel, GemmIsa isa, GemmPath path)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0 || alpha == 0)
        {
            ScaleC(c, cOffset, ldc, m, n, beta, bias, biasOffset);
            return;
        }

        fixed (float* pa = &a[aOffset], pb = &b[bOffset], pc = &c[cOffset], pbias = bias)
        {
            float* biasPtr = bias is null ? null : pbias + biasOffset;
            Run(new GemmProblem(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, biasPtr), parallel, isa, path);
        }
    }

    /// <summary>
    /// C_i = alpha * op(A_i) op(B_i) + beta * C_i for i &lt; <paramref name="batch"/>, with A_i starting at
    /// aOffset + i * strideA (stride 0 shares one matrix across the batch), likewise B_i and C_i. Small
    /// products are spread over the threads a batch entry at a time; large ones each use all threads. Each
    /// entry gets the same bits as from <see cref="Sgemm(bool, bool, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int, bool)"/>
    /// on the managed kernels, whatever the thread count.
    /// </summary>
    public static void SgemmBatched(bool transA, bool transB, int batch, int m, int n, int k, float alpha,
        float[] a, int aOffset, int strideA, int lda, float[] b, int bOffset, int strideB, int ldb,
        float beta, float[] c, int cOffset, int strideC, int ldc, bool parallel = true) =>
        SgemmBatched(transA, transB, batch, m, n, k, alpha, a, aOffset, strideA, lda, b, bOffset, strideB, ldb, beta, c, cOffset, strideC, ldc, parallel, BestIsa);

    /// <summary><see cref="SgemmBatched(bool, bool, int, int, int, int, float, float[], int, int, int, float[], int, int, int, float, float[], int, int, int, bool)"/> with a chosen micro-kernel.</summary>
    internal static void SgemmBatched(bool transA, bool transB, int batch, int m, int n, int k, float alpha,
        float[] a, int aOffset, int strideA, int lda, float[] b, int bOffset, int strideB, int ldb,
        float beta, float[] c, int cOffset, int strideC, int ldc, bool parallel, GemmIsa isa)
    {
        if (batch == 0 || m == 0 || n == 0)
        {
            return;
        }

        long macs = (long)m * n * k;
        int threads = Engine.NumThreads;
        if (k == 0 || alpha == 0 || batch == 1 || !parallel || threads == 1 || (batch < 4 * threads && macs >= SplitBatchBelowMacs))
        {
            // One entry at a time, each free to use every thread.
            for (int i = 0; i < batch; i++)
            {
                Sgemm(transA, transB, m, n, k, alpha, a, aOffset + (i * strideA), lda, b, bOffset + (i * strideB), ldb,
                    beta, c, cOffset + (i * strideC), ldc, null, 0, parallel, isa, GemmPath.Auto);
            }

            return;
        }

        fixed (float* pa = &a[aOffset], pb = &b[bOffset], pc = &c[cOffset])
        {
            var g0 = new GemmProblem(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            bool direct = PrefersDirect(m, n, k, transA, transB);
            GemmThreads.For(batch, macs / CostScale, threads * GemmPacked.PiecesPerThread, (s, e) =>
            {
                var ws = GemmWorkspace.Rent();
                try
                {
                    for (int i = s; i < e; i++)
                    {
                        var g = new GemmProblem(transA, transB, m, n, k, alpha, g0.A + ((nint)i * strideA), lda,
                            g0.B + ((nint)i * strideB), ldb, beta, g0.C + ((nint)i * strideC), ldc);
                        if (direct)
                        {
                            GemmDirect.Run(g, 0, n, isa, ws);
                        }
                        else
                        {
                            GemmPacked.Run(g, 0, m, 0, n, isa, ws);
                        }
                    }
                }
                finally
                {
                    GemmWorkspace.Return(ws);
                }
            });
        }
    }

    /// <summary>
    /// Whether the direct (unpacked) kernel is faster for this shape: a few rows of A, where packing op(B)
    /// would cost about as much as the product (measured on Zen 4: [1, 64] x [64, 3416] takes 13 µs direct,
    /// 80 µs packed). Depends on the shape only, never on the thread count.
    /// </summary>
    internal static bool PrefersDirect(int m, int n, int k, bool transA, bool transB) => m <= (transB ? DirectDotRows : DirectRows);

    /// <summary>
    /// Up to this many rows of A, a row-major op(B) is streamed by the direct kernel. Beyond, the packed
    /// kernel reads such a B in place with its smaller edge tile, which is faster from two rows on.
    /// </summary>
    private const int DirectRows = 1;

    /// <summary>Up to this many rows of A, a transposed B is read as dot products (beyond, transposing it in packing pays).</summary>
    private const int DirectDotRows = 4;

    /// <summary>
    /// Multiply-adds per unit of <see cref="GemmThreads.For"/> cost: a product is split over threads from about
    /// 0.5 M multiply-adds (some 10 µs on one core), where the thread hop stops mattering (measured: 96^3 runs
    /// 1.4x faster on two threads, 64^3 not at all).
    /// </summary>
    internal const int CostScale = 8;

    /// <summary>Products of fewer multiply-adds than this run on the calling thread alone (see <see cref="CostScale"/>).</summary>
    private const long ParallelFromMacs = 1 << 19;

    /// <summary>Batch entries smaller than this (multiply-adds) are spread over the threads whole, not split.</summary>
    private const long SplitBatchBelowMacs = 1 << 20;

    private static bool TryOpenBlas(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc, float[]? bias, int biasOffset)
    {
        // Managed is checked first so that the default never even looks for libopenblas. BLAS rejects
        // (and skips) leading dimensions below the stored width, so those stay managed.
        var provider = Engine.GemmProvider;
        if (provider == GemmProvider.Managed || m == 0 || n == 0 || k == 0 || alpha == 0 || !OpenBlasGemm.Serves(provider, m, n, k)
            || lda < (transA ? m : k) || ldb < (transB ? k : n) || ldc < n)
        {
            return false;
        }

        fixed (float* pa = &a[aOffset], pb = &b[bOffset], pc = &c[cOffset], pbias = bias)
        {
            if (bias is not null)
            {
                // OpenBLAS has no bias epilogue: put beta * C + bias in C first, then add the product.
                GemmPack.InitRows(pc, ldc, m, n, beta, pbias + biasOffset);
                beta = 1f;
            }

            OpenBlasGemm.Sgemm(new GemmProblem(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc), Engine.NumThreads);
        }

        return true;
    }

    private static void Run(GemmProblem g, bool parallel, GemmIsa isa, GemmPath path)
    {
        bool direct = path == GemmPath.Direct || (path == GemmPath.Auto && PrefersDirect(g.M, g.N, g.K, g.TransA, g.TransB));
        int threads = parallel ? Engine.NumThreads : 1;
        if (direct)
        {
            // Split along N in multiples of 64 columns, so the dot products' blocks of four columns sit
            // where they would unsplit.
            const int Cols = 64;
            int colBlocks = (g.N + Cols - 1) / Cols;
            if (threads == 1 || colBlocks == 1)
            {
                RunRect(g, 0, g.M, 0, g.N, isa, direct);
            }
            else
            {
                GemmThreads.For(colBlocks, (long)Cols * g.M * g.K / CostScale, threads * GemmPacked.PiecesPerThread, (s, e) => RunRect(g, 0, g.M, s * Cols, Math.Min(e * Cols, g.N), isa, direct));
            }

            return;
        }

        int mr = GemmPacked.TileRows(isa), nr = GemmPacked.TileCols(isa);
        if (threads == 1 || (g.M <= mr && g.N <= nr) || (long)g.M * g.N * g.K < ParallelFromMacs)
        {
            RunRect(g, 0, g.M, 0, g.N, isa, direct);
            return;
        }

        var ws = GemmWorkspace.Rent();
        try
        {
            GemmPacked.RunParallel(g, isa, threads, ws);
        }
        finally
        {
            GemmWorkspace.Return(ws);
        }
    }

    private static void RunRect(in GemmProblem g, int i0, int i1, int j0, int j1, GemmIsa isa, bool direct)
    {
        var ws = GemmWorkspace.Rent();
        try
        {
            if (direct)
            {
                // The direct kernel always takes every row; callers split it by columns only.
                GemmDirect.Run(g, j0, j1, isa, ws);
            }
            else
            {
                GemmPacked.Run(g, i0, i1, j0, j1, isa, ws);
            }
        }
        finally
        {
            GemmWorkspace.Return(ws);
        }
    }

    private static void ScaleC(float[] c, int cOffset, int ldc, int m, int n, float beta, float[]? bias, int biasOffset)
    {
        if (bias is not null)
        {
            fixed (float* pc = &c[cOffset], pbias = &bias[biasOffset])
            {
                GemmPack.InitRows(pc, ldc, m, n, beta, pbias);
            }

            return;
        }

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
