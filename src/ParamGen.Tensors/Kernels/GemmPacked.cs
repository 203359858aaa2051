using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// The cache-blocked GEMM in the GotoBLAS/BLIS arrangement, for one rectangle of C on one thread
/// (<see cref="Run"/>) or for the whole product on several (<see cref="RunParallel"/>). op(B) is taken a block of KC x NC at a time, packed into NR-column slivers (the block stays in L2
/// while every MR-row sliver of op(A) passes over it); each A sliver (MR x KC, in L1) meets every B
/// sliver of the block in the micro-kernel. Packing is skipped where it does not pay: A is packed only
/// when a sliver meets many B slivers (<see cref="PackAFromSlivers"/>), otherwise read in place (a
/// row-major A by row pointers, a transposed A as consecutive runs); a small row-major B is read in place
/// too; ragged edge slivers are always packed, zero-padded to a full tile. K is blocked from 0 in the
/// same way whatever the rectangle, and every kernel variant does the same arithmetic per element, so
/// each element of C gets the same bits however C is split between threads and whichever operands
/// were packed.
/// </summary>
internal static unsafe class GemmPacked
{
    /// <summary>Depth of a K block: an A sliver (MR x KC) fills at most 12 KB of L1.</summary>
    public const int KC = 256;

    /// <summary>Width of a B block: KC x NC floats is 512 KB, half of a 1-2 MB L2.</summary>
    public const int NC = 512;

    /// <summary>A row-major op(B) whose K blocks span at most this many floats (KC x ldb) is read in place.</summary>
    public const long InPlaceBFloats = 64 * 1024;

    /// <summary>With at most this many rows of A, a row-major op(B) of any size is read in place.</summary>
    public const int InPlaceBMaxRows = 16;

    /// <summary>
    /// A is packed when a sliver meets at least this many B slivers: then packing is repaid, and the packed
    /// sliver avoids L1 set conflicts between rows of a wide A (1024 x 1024 on two threads: 185 GFLOP/s
    /// packed, 155 in place). With fewer, as for the tall-skinny products of the models (N of 64 to 192),
    /// reading A in place is faster.
    /// </summary>
    private const int PackAFromSlivers = 8;

    /// <summary>
    /// Pieces per thread when a product is split: pieces are handed out as threads become free, so more of them
    /// keep a thread that loses its core for a while from holding up the rest (each piece is at least one
    /// MR-row sliver, and with op(B) packed once for all threads small pieces cost nothing extra).
    /// </summary>
    public const int PiecesPerThread = 8;

    /// <summary>Fewest row slivers in a piece that reads an unpacked op(B) over several K blocks.</summary>
    private const int StreamedPieceSlivers = 8;

    /// <summary>Cost of packing one float of op(B), in multiply-adds (to decide whether packing is worth splitting).</summary>
    private const int PackCostMacs = 4;

    /// <summary>C[i0:i1, j0:j1] of the problem on this thread, packing into <paramref name="workspace"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmProblem g, int i0, int i1, int j0, int j1, GemmIsa isa, GemmWorkspace workspace)
    {
        var ks = new KernelSet(isa);
        int mr = ks.Mr, nr = ks.Nr;
        bool packB = PacksB(g);
        int kcMax = Math.Min(KC, g.K);
        int ncMax = packB ? Math.Min(NC, RoundUp(j1 - j0, nr)) : nr;
        float* bp = workspace.Get(((long)kcMax * ncMax) + ((long)kcMax * mr) + (mr * nr));
        float* ap = bp + (kcMax * ncMax);
        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < g.K; pc += KC)
            {
                int kc = Math.Min(KC, g.K - pc);
                if (packB)
                {
                    GemmPack.PackB(g.TransB, g.B, g.Ldb, pc, kc, jc, nc, nr, bp);
                }
                else if (nc % nr != 0)
                {
                    // In place, but the ragged last sliver is padded with zeros to a full tile.
                    int fullCols = nc / nr * nr;
                    GemmPack.PackB(false, g.B, g.Ldb, pc, kc, jc + fullCols, nc - fullCols, nr, bp);
                }

                Block(g, ks, packB, i0, i1, jc, 0, nc, pc, kc, bp, ap);
            }
        }
    }

    /// <summary>
    /// The whole product on up to <paramref name="threads"/> threads (<see cref="GemmThreads"/>), each element
    /// getting the same bits as from <see cref="Run"/>. When op(B) is packed, each block of it is packed once,
    /// into <paramref name="workspace"/>, by all threads together, and then every thread multiplies its MR-row
    /// slivers of A against the whole block (the BLIS arrangement): nothing is packed twice, so the work can be
    /// cut into many small pieces. When op(B) is read in place, the pieces are independent rectangles of C.
    /// Rows are cut first; columns too when there are too few row slivers for the pieces wanted.
    /// </summary>
    public static void RunParallel(in GemmProblem g, GemmIsa isa, int threads, GemmWorkspace workspace)
    {
        var ks = new KernelSet(isa);
        int mr = ks.Mr, nr = ks.Nr;
        var gp = g;
        int rowSlivers = (g.M + mr - 1) / mr;
        int maxPieces = threads * PiecesPerThread;
        if (!PacksB(g))
        {
            // Each piece streams op(B) through its own K loop. With one K block, B stays in L2 from piece to
            // piece; with several, every piece reads all of B again, so pieces then get at least
            // StreamedPieceSlivers slivers each ([192, 12800] x [12800, 64], a weight gradient, on two threads:
            // 2.1 ms in one-sliver pieces, 1.6 to 1.8 in two pieces of eight).
            if (g.K > KC)
            {
                maxPieces = Math.Max(threads, Math.Min(maxPieces, rowSlivers / StreamedPieceSlivers));
            }

            int colSlivers = (g.N + nr - 1) / nr;
            int chunks = ColumnChunks(rowSlivers, colSlivers, maxPieces);
            GemmThreads.For(rowSlivers * chunks, (long)mr * (g.N / chunks) * g.K / Gemm.CostScale, maxPieces, (s, e) =>
            {
                var ws = GemmWorkspace.Rent();
                try
                {
                    ForEachRect(s, e, chunks, colSlivers, mr, nr, gp.M, (i0, i1, c0, c1) => Run(gp, i0, i1, c0, Math.Min(c1, gp.N), isa, ws));
                }
                finally
                {
                    GemmWorkspace.Return(ws);
                }
            });
            return;
        }

        int kcMax = Math.Min(KC, g.K);
        float* bp = workspace.Get((long)kcMax * Math.Min(NC, RoundUp(g.N, nr)));
        for (int jc = 0; jc < g.N; jc += NC)
        {
            int nc = Math.Min(NC, g.N - jc);
            int colSlivers = (nc + nr - 1) / nr;
            int chunks = ColumnChunks(rowSlivers, colSlivers, maxPieces);
            for (int pc = 0; pc < g.K; pc += KC)
            {
                int kc = Math.Min(KC, g.K - pc);
                int jcb = jc, pcb = pc;
                GemmThreads.For(colSlivers, (long)kc * nr * PackCostMacs / Gemm.CostScale, maxPieces, (s, e) =>
                    GemmPack.PackB(gp.TransB, gp.B, gp.Ldb, pcb, kc, jcb + (s * nr), Math.Min(e * nr, nc) - (s * nr), nr, bp + ((long)s * kc * nr)));
                GemmThreads.For(rowSlivers * chunks, (long)mr * (nc / chunks) * kc / Gemm.CostScale, maxPieces, (s, e) =>
                {
                    var ws = GemmWorkspace.Rent();
                    try
                    {
                        float* ap = ws.Get(((long)kcMax * mr) + (mr * nr));
                        ForEachRect(s, e, chunks, colSlivers, mr, nr, gp.M, (i0, i1, c0, c1) =>
                            Block(gp, ks, true, i0, i1, jcb, c0, Math.Min(c1, nc), pcb, kc, bp, ap));
                    }
                    finally
                    {
                        GemmWorkspace.Return(ws);
                    }
                });
            }
        }
    }

    /// <summary>
    /// Whether op(B) is packed: always when transposed; a row-major B is read in place when a K block of it
    /// (KC rows at its stride) stays in L2 anyway, or when there are so few rows of A that packing B would cost
    /// as much as the product.
    /// </summary>
    private static bool PacksB(in GemmProblem g) =>
        g.TransB || ((long)Math.Min(g.K, KC) * g.Ldb > InPlaceBFloats && g.M > InPlaceBMaxRows);

    /// <summary>Into how many column chunks to cut the columns so that there are about maxPieces units.</summary>
    private static int ColumnChunks(int rowSlivers, int colSlivers, int maxPieces) =>
        rowSlivers >= maxPieces ? 1 : Math.Min(colSlivers, (maxPieces + rowSlivers - 1) / rowSlivers);

    /// <summary>
    /// Calls rect(i0, i1, c0, c1) for the rectangles of units [s, e), unit u being row sliver u / chunks and
    /// column chunk u % chunks (c1 may pass the last column; callers clamp it). With one chunk the row slivers
    /// of the range are one rectangle.
    /// </summary>
    private static void ForEachRect(int s, int e, int chunks, int colSlivers, int mr, int nr, int m, Action<int, int, int, int> rect)
    {
        if (chunks == 1)
        {
            rect(s * mr, Math.Min(e * mr, m), 0, colSlivers * nr);
            return;
        }

        for (int u = s; u < e;)
        {
            int r = u / chunks, c0 = u % chunks;
            int c1 = Math.Min(chunks, c0 + (e - u));
            rect(r * mr, Math.Min((r + 1) * mr, m), (int)((long)colSlivers * c0 / chunks) * nr, (int)((long)colSlivers * c1 / chunks) * nr);
            u += c1 - c0;
        }
    }

    /// <summary>
    /// C[i0:i1, jc + jr0 : jc + jr1] += the product of K block [pc, pc + kc) (with the caller's beta, and the
    /// bias, on the first block). <paramref name="bp"/> holds the block's packed op(B) (columns from jc) when
    /// <paramref name="packB"/>, else only its ragged last sliver; <paramref name="ap"/> has room for a packed A
    /// sliver and an edge tile. jr0 is a multiple of NR.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block(in GemmProblem g, in KernelSet ks, bool packB, int i0, int i1, int jc, int jr0, int jr1, int pc, int kc, float* bp, float* ap)
    {
        int mr = ks.Mr, nr = ks.Nr;
        float* tile = ap + (kc * mr);

        // The caller's beta applies once, on the first K block; later blocks add to C.
        float beta = pc == 0 ? g.Beta : 1f;
        bool packA = jr1 - jr0 >= PackAFromSlivers * nr;
        for (int ir = i0; ir < i1;)
        {
            // Full MR-row slivers, then the last rows by the smaller edge tile (fewer wasted rows).
            bool edge = i1 - ir < mr;
            int tileRows = edge ? ks.EdgeMr : mr;
            int rows = Math.Min(tileRows, i1 - ir);
            var kernel = edge ? ks.Edge : ks.Main;
            var kernelRows = edge ? ks.EdgeRows : ks.MainRows;
            bool inPlaceRows = false;
            float* a = ap;
            nint aStep = tileRows;
            if (rows < tileRows || packA)
            {
                GemmPack.PackA(g.TransA, g.A, g.Lda, ir, rows, pc, kc, tileRows, ap);
            }
            else if (g.TransA)
            {
                a = g.A + (pc * g.Lda) + ir;
                aStep = g.Lda;
            }
            else
            {
                a = g.A + (ir * g.Lda) + pc;
                inPlaceRows = true;
            }

            if (Sse.IsSupported && inPlaceRows && ir + rows + mr <= i1)
            {
                // Ask for the next sliver's rows of A (into L2) now: a tall A streams from memory,
                // and the kernels on this sliver give the prefetches time to land (up to 10% on Zen 4).
                float* next = a + (rows * g.Lda);
                for (int r = 0; r < mr; r++, next += g.Lda)
                {
                    for (int p = 0; p < kc; p += 16)
                    {
                        Sse.Prefetch1(next + p);
                    }
                }
            }

            float* cRow = g.C + (ir * g.Ldc) + jc;
            float sliverBeta = beta;
            if (pc == 0 && g.Bias != null)
            {
                GemmPack.InitRows(cRow + jr0, g.Ldc, rows, jr1 - jr0, beta, g.Bias + jc + jr0);
                sliverBeta = 1f;
            }

            for (int jr = jr0; jr < jr1; jr += nr)
            {
                int cols = Math.Min(nr, jr1 - jr);
                float* b;
                nint bStep = nr;
                if (packB)
                {
                    b = bp + (jr / nr * kc * nr);
                }
                else if (cols < nr)
                {
                    b = bp;
                }
                else
                {
                    b = g.B + (pc * g.Ldb) + jc + jr;
                    bStep = g.Ldb;
                }

                if (Sse.IsSupported)
                {
                    // Start loading this tile of C now; the kernel only touches it at the end, and
                    // with a short K block that update is a large share of the time ([12800, 64] x
                    // [64, 192]: 85 -> 100 GFLOP/s on one Zen 4 core).
                    float* cp = cRow + jr;
                    for (int r = 0; r < rows; r++, cp += g.Ldc)
                    {
                        Sse.Prefetch0(cp);
                        Sse.Prefetch0(cp + cols - 1);
                    }
                }

                // An edge tile sends its raw sums to a scratch tile, then updates only the valid part of C.
                bool full = rows == tileRows && cols == nr;
                float* c = full ? cRow + jr : tile;
                nint ldc = full ? g.Ldc : nr;
                float alpha = full ? g.Alpha : 1f, cBeta = full ? sliverBeta : 0f;
                if (inPlaceRows)
                {
                    kernelRows(kc, a, g.Lda, b, bStep, c, ldc, alpha, cBeta);
                }
                else
                {
                    kernel(kc, a, aStep, b, bStep, c, ldc, alpha, cBeta);
                }

                if (!full)
                {
                    for (int r = 0; r < rows; r++)
                    {
                        GemmPack.UpdateRow(cRow + (r * g.Ldc) + jr, tile + (r * nr), cols, g.Alpha, sliverBeta);
                    }
                }
            }

            ir += rows;
        }
    }

    /// <summary>Tile rows of the main micro-kernel for <paramref name="isa"/>.</summary>
    public static int TileRows(GemmIsa isa) => new KernelSet(isa).Mr;

    /// <summary>Tile columns of the micro-kernels for <paramref name="isa"/>.</summary>
    public static int TileCols(GemmIsa isa) => new KernelSet(isa).Nr;

    private static int RoundUp(int x, int m) => (x + m - 1) / m * m;

    /// <summary>The micro-kernels of one instruction set: main and edge tile, each reading A packed/strided or by rows.</summary>
    private readonly struct KernelSet
    {
        public readonly int Mr, EdgeMr, Nr;
        public readonly delegate*<int, float*, nint, float*, nint, float*, nint, float, float, void> Main, MainRows, Edge, EdgeRows;

        public KernelSet(GemmIsa isa)
        {
            switch (isa)
            {
                case GemmIsa.Vector512:
                    (Mr, EdgeMr, Nr) = (GemmMicroKernel512.MR, GemmMicroKernel512.EdgeRows, GemmMicroKernel512.NR);
                    Main = &GemmMicroKernel512.Run;
                    MainRows = &GemmMicroKernel512.RunRows;
                    Edge = &GemmMicroKernel512.RunEdge;
                    EdgeRows = &GemmMicroKernel512.RunRowsEdge;
                    break;
                case GemmIsa.Vector256:
                    (Mr, EdgeMr, Nr) = (GemmMicroKernel256.MR, GemmMicroKernel256.EdgeRows, GemmMicroKernel256.NR);
                    Main = &GemmMicroKernel256.Run;
                    MainRows = &GemmMicroKernel256.RunRows;
                    Edge = &GemmMicroKernel256.RunEdge;
                    EdgeRows = &GemmMicroKernel256.RunRowsEdge;
                    break;
                default:
                    (Mr, EdgeMr, Nr) = (GemmMicroKernelScalar.MR, GemmMicroKernelScalar.EdgeRows, GemmMicroKernelScalar.NR);
                    Main = &GemmMicroKernelScalar.Run;
                    MainRows = &GemmMicroKernelScalar.RunRows;
                    Edge = &GemmMicroKernelScalar.RunEdge;
                    EdgeRows = &GemmMicroKernelScalar.RunRowsEdge;
                    break;
            }
        }
    }
}
