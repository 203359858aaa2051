using System.Numerics.Tensors;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Products with per-sample weights read in place from a packed <c>[N, P]</c> matrix (a generator's output): sample
/// i's weight <c>W_i</c> (<c>[k, n]</c>, row-major) starts at column <c>weightOffset</c> of packed row <c>row(i)</c>,
/// where <c>row(i)</c> is <c>rows[i]</c> or, without a row index, i itself. Every entry runs the managed GEMM
/// kernels chosen from the shape alone, and sums that several samples send into one packed row are added in sample
/// order, so each result has the same bits whatever the thread count.
/// <para>When a row index repeats rows (per-domain factors: a few rows shared by many samples), the samples of each
/// row are gathered into one matrix and served by one GEMM per row (<see cref="RowGroups"/>): the weight is packed
/// once instead of once per sample. Results are again the same bits for any thread count (the grouping depends on
/// the row index alone, and each GEMM is deterministic).</para>
/// </summary>
internal static unsafe class PackedGemm
{
    /// <summary>Multiply-adds per unit of <see cref="Engine.ParallelFor"/> cost (as <see cref="Gemm"/>).</summary>
    private const int CostScale = 8;

    /// <summary>Entries at least this large (multiply-adds) each use every thread when there are few of them (as <see cref="Gemm.SgemmBatched(bool, bool, int, int, int, int, float, float[], int, int, int, float[], int, int, int, float, float[], int, int, int, bool)"/>).</summary>
    private const long SplitBatchBelowMacs = 1 << 20;

    /// <summary>Floats per piece when sums over samples are combined column range by column range.</summary>
    private const int CombineColumns = 256;

    /// <summary>
    /// y_i = x_i W_i (+ b_i) for i &lt; <paramref name="batch"/>: x_i <c>[m, k]</c> at xOffset + i m k, y_i <c>[m, n]</c> at
    /// yOffset + i m n (overwritten), b_i <c>[n]</c> at column <paramref name="biasOffset"/> of row(i) when it is not negative.
    /// </summary>
    public static void Forward(int batch, int m, int k, int n, float[] x, int xOffset, float[] packed, int packedOffset, int rowStride,
        int weightOffset, int biasOffset, int[]? rows, float[] y, int yOffset)
    {
        if (batch == 0 || m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            // An empty product: y_i = b_i, or zeros.
            y.AsSpan(yOffset, batch * m * n).Clear();
            if (biasOffset >= 0)
            {
                AddBias(batch, m, n, y, yOffset, packed, packedOffset, rowStride, biasOffset, rows, y, yOffset);
            }

            return;
        }

        if (RowGroups.Of(batch, rows) is { } groups)
        {
            GroupedForward(groups, m, k, n, x, xOffset, packed, packedOffset, rowStride, weightOffset, biasOffset, y, yOffset);
            return;
        }

        long macs = (long)m * n * k;
        if (EachEntryUsesEveryThread(batch, macs))
        {
            for (int i = 0; i < batch; i++)
            {
                int w = packedOffset + (RowOf(rows, i) * rowStride);
                Gemm.Sgemm(false, false, m, n, k, 1f, x, xOffset + (i * m * k), k, packed, w + weightOffset, n, 0f, y, yOffset + (i * m * n), n,
                    biasOffset < 0 ? null : packed, w + biasOffset, parallel: true, Gemm.BestIsa, GemmPath.Auto);
            }

            return;
        }

        fixed (float* px = x, pp = packed, py = y)
        {
            var at = new Pointers(px + xOffset, pp + packedOffset, py + yOffset);
            Engine.ParallelFor(batch, Math.Max(1, macs / CostScale), (s, e) =>
            {
                var ws = GemmWorkspace.Rent();
                try
                {
                    for (int i = s; i < e; i++)
                    {
                        float* w = at.B + ((nint)RowOf(rows, i) * rowStride);
                        var g = new GemmProblem(false, false, m, n, k, 1f, at.A + ((nint)i * m * k), k, w + weightOffset, n, 0f,
                            at.C + ((nint)i * m * n), n, biasOffset < 0 ? null : w + biasOffset);
                        RunOne(g, ws);
                    }
                }
                finally
                {
                    GemmWorkspace.Return(ws);
                }
            });
        }
    }

    /// <summary>dx_i = dy_i W_iᵀ for i &lt; <paramref name="batch"/>: dy_i <c>[m, n]</c>, dx_i <c>[m, k]</c> (overwritten).</summary>
    public static void BackwardInput(int batch, int m, int k, int n, float[] dy, int dyOffset, float[] packed, int packedOffset, int rowStride,
        int weightOffset, int[]? rows, float[] dx, int dxOffset)
    {
        if (batch == 0 || m == 0 || k == 0)
        {
            return;
        }

        if (n == 0)
        {
            dx.AsSpan(dxOffset, batch * m * k).Clear();
            return;
        }

        if (RowGroups.Of(batch, rows) is { } groups)
        {
            GroupedBackwardInput(groups, m, k, n, dy, dyOffset, packed, packedOffset, rowStride, weightOffset, dx, dxOffset);
            return;
        }

        long macs = (long)m * n * k;
        if (EachEntryUsesEveryThread(batch, macs))
        {
            for (int i = 0; i < batch; i++)
            {
                Gemm.Sgemm(false, true, m, k, n, 1f, dy, dyOffset + (i * m * n), n, packed, packedOffset + (RowOf(rows, i) * rowStride) + weightOffset, n,
                    0f, dx, dxOffset + (i * m * k), k, null, 0, parallel: true, Gemm.BestIsa, GemmPath.Auto);
            }

            return;
        }

        fixed (float* pg = dy, pp = packed, pdx = dx)
        {
            var at = new Pointers(pg + dyOffset, pp + packedOffset, pdx + dxOffset);
            Engine.ParallelFor(batch, Math.Max(1, macs / CostScale), (s, e) =>
            {
                var ws = GemmWorkspace.Rent();
                try
                {
                    for (int i = s; i < e; i++)
                    {
                        var g = new GemmProblem(false, true, m, k, n, 1f, at.A + ((nint)i * m * n), n,
                            at.B + ((nint)RowOf(rows, i) * rowStride) + weightOffset, n, 0f, at.C + ((nint)i * m * k), k);
                        RunOne(g, ws);
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
    /// Adds x_iᵀ dy_i (<c>[k, n]</c>) into the weight block of row(i) of <paramref name="grad"/> (laid out as the packed
    /// matrix) and, when <paramref name="biasOffset"/> is not negative, the column sums of dy_i into its bias block.
    /// </summary>
    public static void BackwardWeights(int batch, int m, int k, int n, float[] x, int xOffset, float[] dy, int dyOffset,
        float[] grad, int gradOffset, int rowStride, int weightOffset, int biasOffset, int[]? rows)
    {
        if (batch == 0 || n == 0)
        {
            return;
        }

        int kn = k * n;
        if (rows is null)
        {
            // Each sample owns its row: accumulate straight into the gradient (beta 1).
            AccumulateWeightBlocks(batch, m, k, n, x, xOffset, dy, dyOffset, grad, gradOffset, rowStride, weightOffset, beta: 1f);
            if (biasOffset >= 0)
            {
                ColumnSumsInto(batch, m, n, dy, dyOffset, grad, gradOffset, rowStride, biasOffset, accumulate: true);
            }

            return;
        }

        if (m > 0 && RowGroups.Of(batch, rows) is { } groups)
        {
            GroupedBackwardWeights(groups, m, k, n, x, xOffset, dy, dyOffset, grad, gradOffset, rowStride, weightOffset, biasOffset);
            return;
        }

        // Rows shared by several samples: one block per sample in scratch, then summed into the rows in sample order.
        int width = kn + (biasOffset >= 0 ? n : 0);
        using var scratch = Memory.TensorPool.RentScratch(checked(batch * width));
        var s = scratch.Array;
        if (kn > 0)
        {
            AccumulateWeightBlocks(batch, m, k, n, x, xOffset, dy, dyOffset, s, 0, width, 0, beta: 0f);
        }

        if (biasOffset >= 0)
        {
            ColumnSumsInto(batch, m, n, dy, dyOffset, s, 0, width, kn, accumulate: false);
        }

        CombineRows(batch, s, width, kn, grad, gradOffset, rowStride, weightOffset, biasOffset, rows);
    }

    /// <summary>
    /// y_i = x_i + b_i broadcast over the m rows of sample i (x_i and y_i <c>[m, n]</c>; <paramref name="y"/> may be
    /// <paramref name="x"/>).
    /// </summary>
    public static void AddBias(int batch, int m, int n, float[] x, int xOffset, float[] packed, int packedOffset, int rowStride, int biasOffset, int[]? rows,
        float[] y, int yOffset)
    {
        WorkSplit.Dynamic(batch, (long)m * n, (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                var b = packed.AsSpan(packedOffset + (RowOf(rows, i) * rowStride) + biasOffset, n);
                for (int r = 0; r < m; r++)
                {
                    int at = ((i * m) + r) * n;
                    TensorPrimitives.Add(x.AsSpan(xOffset + at, n), b, y.AsSpan(yOffset + at, n));
                }
            }
        });
    }

    /// <summary>Adds the column sums of dy_i (<c>[m, n]</c>) into the bias block (column <paramref name="biasOffset"/>) of row(i) of <paramref name="grad"/>.</summary>
    public static void BackwardBias(int batch, int m, int n, float[] dy, int dyOffset, float[] grad, int gradOffset, int rowStride, int biasOffset, int[]? rows)
    {
        if (batch == 0 || n == 0)
        {
            return;
        }

        if (rows is null)
        {
            ColumnSumsInto(batch, m, n, dy, dyOffset, grad, gradOffset, rowStride, biasOffset, accumulate: true);
            return;
        }

        using var scratch = Memory.TensorPool.RentScratch(checked(batch * n));
        ColumnSumsInto(batch, m, n, dy, dyOffset, scratch.Array, 0, n, 0, accumulate: false);
        CombineRows(batch, scratch.Array, n, 0, grad, gradOffset, rowStride, -1, biasOffset, rows);
    }

    /// <summary>y_S = x_S W_r (+ b_r) for each row r and its samples S, one GEMM per row.</summary>
    private static void GroupedForward(RowGroups groups, int m, int k, int n, float[] x, int xOffset, float[] packed, int packedOffset,
        int rowStride, int weightOffset, int biasOffset, float[] y, int yOffset) =>
        GroupedProduct(groups, m, k, n, false, x, xOffset, packed, packedOffset, rowStride, weightOffset, biasOffset, y, yOffset);

    /// <summary>dx_S = dy_S W_rᵀ for each row r and its samples S, one GEMM per row.</summary>
    private static void GroupedBackwardInput(RowGroups groups, int m, int k, int n, float[] dy, int dyOffset, float[] packed, int packedOffset,
        int rowStride, int weightOffset, float[] dx, int dxOffset) =>
        GroupedProduct(groups, m, n, k, true, dy, dyOffset, packed, packedOffset, rowStride, weightOffset, -1, dx, dxOffset);

    /// <summary>
    /// out_S = in_S op(W_r) (+ b_r) for each row r and its samples S: each sample's input block is <c>[m, inWidth]</c>
    /// and output block <c>[m, outWidth]</c>; W_r is <c>[k, n]</c> in the packed row, used as is (inWidth k, outWidth n)
    /// or transposed (<paramref name="transW"/>: inWidth n, outWidth k). Consecutive samples are read and written in
    /// place; others are gathered into scratch, multiplied, and scattered back.
    /// </summary>
    private static void GroupedProduct(RowGroups groups, int m, int inWidth, int outWidth, bool transW, float[] input, int inputOffset,
        float[] packed, int packedOffset, int rowStride, int weightOffset, int biasOffset, float[] output, int outputOffset)
    {
        int ldw = transW ? inWidth : outWidth;
        float[]? bias = biasOffset < 0 ? null : packed;
        for (int g = 0; g < groups.Count; g++)
        {
            var members = groups.Members(g);
            int w = packedOffset + (groups.Row(g) * rowStride);
            int rows = members.Length * m;
            if (RowGroups.Consecutive(members))
            {
                Gemm.Sgemm(false, transW, rows, outWidth, inWidth, 1f, input, inputOffset + (members[0] * m * inWidth), inWidth, packed, w + weightOffset, ldw, 0f,
                    output, outputOffset + (members[0] * m * outWidth), outWidth, bias, w + biasOffset, parallel: true);
                continue;
            }

            using var a = Memory.TensorPool.RentScratch(rows * inWidth);
            using var c = Memory.TensorPool.RentScratch(rows * outWidth);
            Gather(members, m * inWidth, input, inputOffset, a.Array);
            Gemm.Sgemm(false, transW, rows, outWidth, inWidth, 1f, a.Array, 0, inWidth, packed, w + weightOffset, ldw, 0f, c.Array, 0, outWidth, bias, w + biasOffset, parallel: true);
            Scatter(members, m * outWidth, c.Array, output, outputOffset);
        }
    }

    /// <summary>grad_r += x_Sᵀ dy_S (and the column sums of dy_S into the bias block) for each row r and its samples S.</summary>
    private static void GroupedBackwardWeights(RowGroups groups, int m, int k, int n, float[] x, int xOffset, float[] dy, int dyOffset,
        float[] grad, int gradOffset, int rowStride, int weightOffset, int biasOffset)
    {
        for (int g = 0; g < groups.Count; g++)
        {
            var members = groups.Members(g);
            int row = gradOffset + (groups.Row(g) * rowStride);
            int rowsIn = members.Length * m;
            bool consecutive = RowGroups.Consecutive(members);
            using var gx = Memory.TensorPool.RentScratch(consecutive ? 0 : rowsIn * k);
            using var gy = Memory.TensorPool.RentScratch(consecutive ? 0 : rowsIn * n);
            float[] xs = x, ys = dy;
            int xo = xOffset + (members[0] * m * k), yo = dyOffset + (members[0] * m * n);
            if (!consecutive)
            {
                if (k > 0)
                {
                    Gather(members, m * k, x, xOffset, gx.Array);
                }

                Gather(members, m * n, dy, dyOffset, gy.Array);
                (xs, xo, ys, yo) = (gx.Array, 0, gy.Array, 0);
            }

            if (k > 0)
            {
                Gemm.Sgemm(true, false, k, n, rowsIn, 1f, xs, xo, k, ys, yo, n, 1f, grad, row + weightOffset, n, parallel: true);
            }

            if (biasOffset >= 0)
            {
                var acc = grad.AsSpan(row + biasOffset, n);
                for (int r = 0; r < rowsIn; r++)
                {
                    Elementwise.AddInPlace(acc, ys.AsSpan(yo + (r * n), n));
                }
            }
        }
    }

    /// <summary>Copies block i (<paramref name="block"/> floats) of each member sample into consecutive blocks of <paramref name="dst"/>.</summary>
    private static void Gather(ReadOnlySpan<int> members, int block, float[] src, int srcOffset, float[] dst)
    {
        for (int j = 0; j < members.Length; j++)
        {
            src.AsSpan(srcOffset + (members[j] * block), block).CopyTo(dst.AsSpan(j * block, block));
        }
    }

    /// <summary>Copies consecutive blocks of <paramref name="src"/> back to each member sample's block of <paramref name="dst"/> (overwriting it).</summary>
    private static void Scatter(ReadOnlySpan<int> members, int block, float[] src, float[] dst, int dstOffset)
    {
        for (int j = 0; j < members.Length; j++)
        {
            src.AsSpan(j * block, block).CopyTo(dst.AsSpan(dstOffset + (members[j] * block), block));
        }
    }

    /// <summary>
    /// The samples of each packed row, in sample order within a row and rows in first-use order, built only when the
    /// row index repeats rows enough (at least <see cref="MinSamplesPerRow"/> samples per row on average) for one
    /// GEMM per row to beat one per sample.
    /// </summary>
    private sealed class RowGroups
    {
        /// <summary>Fewest samples per distinct row, on average, for grouping to pay.</summary>
        private const int MinSamplesPerRow = 4;

        private readonly int[] _members;
        private readonly int[] _start;
        private readonly int[] _rows;

        private RowGroups(int[] members, int[] start, int[] rows)
        {
            _members = members;
            _start = start;
            _rows = rows;
        }

        public int Count => _rows.Length;

        public static RowGroups? Of(int batch, int[]? rows)
        {
            if (rows is null || batch < 2 * MinSamplesPerRow)
            {
                return null;
            }

            var first = new Dictionary<int, int>();
            var counts = new List<int>();
            var order = new List<int>();
            foreach (int r in rows.AsSpan(0, batch))
            {
                if (!first.TryGetValue(r, out int g))
                {
                    first[r] = g = counts.Count;
                    counts.Add(0);
                    order.Add(r);
                    if (counts.Count * MinSamplesPerRow > batch)
                    {
                        return null;
                    }
                }

                counts[g]++;
            }

            var start = new int[counts.Count + 1];
            for (int g = 0; g < counts.Count; g++)
            {
                start[g + 1] = start[g] + counts[g];
            }

            var members = new int[batch];
            var fill = (int[])start.Clone();
            for (int i = 0; i < batch; i++)
            {
                members[fill[first[rows[i]]]++] = i;
            }

            return new RowGroups(members, start, [.. order]);
        }

        public static bool Consecutive(ReadOnlySpan<int> members) => members[^1] - members[0] == members.Length - 1;

        public int Row(int g) => _rows[g];

        public ReadOnlySpan<int> Members(int g) => _members.AsSpan(_start[g], _start[g + 1] - _start[g]);
    }

    private static int RowOf(int[]? rows, int i) => rows is null ? i : rows[i];

    private static bool EachEntryUsesEveryThread(int batch, long macs) =>
        batch == 1 || (Engine.NumThreads > 1 && batch < 4 * Engine.NumThreads && macs >= SplitBatchBelowMacs);

    private static void RunOne(in GemmProblem g, GemmWorkspace ws)
    {
        if (Gemm.PrefersDirect(g.M, g.N, g.K, g.TransA, g.TransB))
        {
            GemmDirect.Run(g, 0, g.N, Gemm.BestIsa, ws);
        }
        else
        {
            GemmPacked.Run(g, 0, g.M, 0, g.N, Gemm.BestIsa, ws);
        }
    }

    /// <summary>dst block i (at dstOffset + i * dstStride + blockOffset, <c>[k, n]</c>) = beta * itself + x_iᵀ dy_i, for every i (block i distinct).</summary>
    private static void AccumulateWeightBlocks(int batch, int m, int k, int n, float[] x, int xOffset, float[] dy, int dyOffset,
        float[] dst, int dstOffset, int dstStride, int blockOffset, float beta)
    {
        if (k == 0)
        {
            return;
        }

        if (m == 0)
        {
            // No rows: the products are zero.
            if (beta == 0f)
            {
                for (int i = 0; i < batch; i++)
                {
                    dst.AsSpan(dstOffset + (i * dstStride) + blockOffset, k * n).Clear();
                }
            }

            return;
        }

        long macs = (long)m * n * k;
        if (EachEntryUsesEveryThread(batch, macs))
        {
            for (int i = 0; i < batch; i++)
            {
                Gemm.Sgemm(true, false, k, n, m, 1f, x, xOffset + (i * m * k), k, dy, dyOffset + (i * m * n), n,
                    beta, dst, dstOffset + (i * dstStride) + blockOffset, n, null, 0, parallel: true, Gemm.BestIsa, GemmPath.Auto);
            }

            return;
        }

        fixed (float* px = x, pg = dy, pd = dst)
        {
            var at = new Pointers(px + xOffset, pg + dyOffset, pd + dstOffset);
            Engine.ParallelFor(batch, Math.Max(1, macs / CostScale), (s, e) =>
            {
                var ws = GemmWorkspace.Rent();
                try
                {
                    for (int i = s; i < e; i++)
                    {
                        var g = new GemmProblem(true, false, k, n, m, 1f, at.A + ((nint)i * m * k), k, at.B + ((nint)i * m * n), n, beta,
                            at.C + ((nint)i * dstStride) + blockOffset, n);
                        RunOne(g, ws);
                    }
                }
                finally
                {
                    GemmWorkspace.Return(ws);
                }
            });
        }
    }

    /// <summary>dst[dstOffset + i * dstStride + blockOffset ..][j] (+)= Σ_r dy_i[r, j], rows summed in order.</summary>
    private static void ColumnSumsInto(int batch, int m, int n, float[] dy, int dyOffset, float[] dst, int dstOffset, int dstStride, int blockOffset, bool accumulate)
    {
        WorkSplit.Dynamic(batch, (long)m * n, (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                var acc = dst.AsSpan(dstOffset + (i * dstStride) + blockOffset, n);
                int r = 0;
                if (!accumulate)
                {
                    if (m == 0)
                    {
                        acc.Clear();
                        continue;
                    }

                    dy.AsSpan(dyOffset + (i * m * n), n).CopyTo(acc);
                    r = 1;
                }

                for (; r < m; r++)
                {
                    Elementwise.AddInPlace(acc, dy.AsSpan(dyOffset + (((i * m) + r) * n), n));
                }
            }
        });
    }

    /// <summary>
    /// Adds per-sample blocks (<paramref name="width"/> floats each: <paramref name="kn"/> weight floats, then the bias when
    /// <paramref name="biasOffset"/> is not negative) into the rows they belong to, in sample order for every element,
    /// split over threads by column ranges (each element's sum is the same whatever the split).
    /// </summary>
    private static void CombineRows(int batch, float[] blocks, int width, int kn, float[] grad, int gradOffset, int rowStride,
        int weightOffset, int biasOffset, int[] rows)
    {
        int pieces = (width + CombineColumns - 1) / CombineColumns;
        WorkSplit.Dynamic(pieces, (long)batch * CombineColumns, (s, e) =>
        {
            int c0 = s * CombineColumns, c1 = Math.Min(width, e * CombineColumns);
            for (int i = 0; i < batch; i++)
            {
                int row = gradOffset + (rows[i] * rowStride);
                int src = i * width;

                // Weight columns [c0, c1) ∩ [0, kn), then bias columns.
                int w0 = Math.Min(c0, kn), w1 = Math.Min(c1, kn);
                if (w1 > w0)
                {
                    Elementwise.AddInPlace(grad.AsSpan(row + weightOffset + w0, w1 - w0), blocks.AsSpan(src + w0, w1 - w0));
                }

                int b0 = Math.Max(c0, kn), b1 = c1;
                if (b1 > b0)
                {
                    Elementwise.AddInPlace(grad.AsSpan(row + biasOffset + (b0 - kn), b1 - b0), blocks.AsSpan(src + b0, b1 - b0));
                }
            }
        });
    }

    /// <summary>Base pointers captured by the parallel bodies (fixed locals cannot be captured).</summary>
    private readonly struct Pointers(float* a, float* b, float* c)
    {
        public readonly float* A = a;
        public readonly float* B = b;
        public readonly float* C = c;
    }
}
