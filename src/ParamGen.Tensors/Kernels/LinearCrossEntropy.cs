using System.Buffers;
using System.Numerics.Tensors;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// The inputs of a softmax cross-entropy over logits = H W^T + b: hidden states H <c>[N, d]</c>, class
/// weights W <c>[C, d]</c>, an optional bias b <c>[C]</c>, per-row class targets (-1 where ignored) and the rows
/// that are not ignored, in order.
/// </summary>
internal readonly record struct LinearCrossEntropyProblem(
    float[] Hidden, int HiddenOffset, float[] Weight, int WeightOffset, float[]? Bias, int BiasOffset,
    int Dim, int Classes, int[] Targets, int[] Active, float Smoothing);

/// <summary>
/// Gradient sinks of <see cref="LinearCrossEntropy"/>; a null array is not computed. dHidden <c>[N, d]</c> is
/// written (rows of ignored targets are left alone); dWeight <c>[C, d]</c> and dBias <c>[C]</c> are overwritten.
/// </summary>
internal readonly record struct LinearCrossEntropyGrads(float[]? DHidden, float[]? DWeight, float[]? DBias)
{
    public bool Any => DHidden is not null || DWeight is not null || DBias is not null;
}

/// <summary>
/// Softmax cross-entropy of logits = H W^T + b computed in chunks of rows against all C classes, so the
/// <c>[N, C]</c> logits never exist: only one <c>[rows, C]</c> chunk does (a few MB, reused from chunk to chunk).
/// Per chunk: the logits by GEMM, a column tile at a time (the tile's slice of W^T stays in L2 for every row), with
/// the bias and each row's partial max taken while the tile is hot; then per row the log-sum of shifted exponentials
/// and the loss, and where a gradient is asked for, G = scale * (softmax - smoothed one-hot) written over the logits;
/// then, again by column tiles while a tile of G is in L2, dW^T += H_chunk^T G, db += column sums of G and the tile's
/// part of dH_chunk = G W, whose parts are then summed in tile order. Chunks run in order, and each phase is one
/// parallel loop over pieces (column tiles of fixed size, rows) whose results do not depend on which thread runs them,
/// so results do not depend on <see cref="Engine.NumThreads"/>.
/// </summary>
internal static class LinearCrossEntropy
{
    /// <summary>Target size of the logits chunk in floats (8 MiB): it stays in the shared L3 cache between phases.</summary>
    private const int ChunkFloats = 1 << 21;

    /// <summary>Columns per tile of the column-parallel phases: a d x 512 slice of W^T or a rows x 512 slice of G fits L2.</summary>
    private const int TileCols = 512;

    /// <summary>Rows per work item of the row phase.</summary>
    private const int RowGroup = 8;

    /// <summary>
    /// Rows per chunk for <paramref name="classes"/> classes, independent of the thread count: a multiple of 48 up to
    /// 1008, so the chunk's GEMMs fill whole micro-tiles (12, 6 or 4 rows high), or 16 or 32 rows for catalogues too
    /// large for 48 rows to fit the target size.
    /// </summary>
    public static int ChunkRows(int classes)
    {
        int rows = ChunkFloats / Math.Max(classes, 1);
        return rows >= 48 ? Math.Min(rows / 48 * 48, 1008) : Math.Max(rows / 16 * 16, 16);
    }

    /// <summary>
    /// Forward: for every active row r, <paramref name="max"/>[r], <paramref name="logSum"/>[r] (the row's
    /// log-sum-exp is max + logSum) and <paramref name="loss"/>[r]. When <paramref name="grads"/> asks for any
    /// gradient, also forms the gradients for an upstream gradient of <paramref name="scale"/> on every row,
    /// from the same logits, so no second pass is needed.
    /// </summary>
    public static void Forward(in LinearCrossEntropyProblem p, float[] max, float[] logSum, float[] loss, float scale, in LinearCrossEntropyGrads grads)
    {
        var prob = p;
        bool grad = grads.Any;
        Run(p, grads, true, (logits, rowMax, c0, s, e) =>
        {
            int classes = prob.Classes;
            for (int i = s; i < e; i++)
            {
                int r = prob.Active[c0 + i];
                max[r] = rowMax[i];
                loss[r] = (float)CrossEntropy.RowLossInPlace(logits.AsSpan(i * classes, classes), prob.Targets[r], rowMax[i], prob.Smoothing, grad, scale, out logSum[r]);
            }
        });
    }

    /// <summary>
    /// Backward from the forward's row statistics: recomputes each chunk's logits and forms the gradients for an
    /// upstream gradient of <paramref name="rowScale"/>[r] on row r (or <paramref name="scale"/> on every row
    /// when <paramref name="rowScale"/> is null).
    /// </summary>
    public static void Backward(in LinearCrossEntropyProblem p, float[] max, float[] logSum, float[]? rowScale, float scale, in LinearCrossEntropyGrads grads)
    {
        var prob = p;
        Run(p, grads, false, (logits, _, c0, s, e) =>
        {
            int classes = prob.Classes;
            for (int i = s; i < e; i++)
            {
                int r = prob.Active[c0 + i];
                var row = logits.AsSpan(i * classes, classes);
                CrossEntropy.RowGrad(row, prob.Targets[r], max[r], logSum[r], rowScale is null ? scale : rowScale[r], prob.Smoothing, row);
            }
        });
    }

    /// <summary>
    /// The chunk loop. <paramref name="rows"/>(logits, rowMax, first, start, end) handles chunk rows [start, end) of
    /// the <c>[rows, C]</c> logits buffer (bias included) whose row i is active row first + i and, when
    /// <paramref name="findMax"/>, has max rowMax[i]; when gradients are asked for, it must leave G in the buffer.
    /// </summary>
    private static void Run(in LinearCrossEntropyProblem p, LinearCrossEntropyGrads grads, bool findMax, Action<float[], float[], int, int, int> rows)
    {
        int n = p.Active.Length, d = p.Dim, classes = p.Classes;
        if (grads.DWeight is not null)
        {
            Array.Clear(grads.DWeight);
        }

        if (grads.DBias is not null)
        {
            Array.Clear(grads.DBias);
        }

        if (n == 0 || classes == 0)
        {
            return;
        }

        int chunk = Math.Min(ChunkRows(classes), n);
        int tiles = (classes + TileCols - 1) / TileCols;
        var pool = ArrayPool<float>.Shared;
        var wt = pool.Rent(Math.Max(d * classes, 1));                                  // W^T [d, C]: the logits GEMM reads it untransposed
        var logits = pool.Rent(chunk * classes);                                       // [chunk, C]: logits, then G
        var partialMax = pool.Rent(chunk * tiles);                                     // [chunk, tiles]
        var rowMax = pool.Rent(chunk);                                                 // [chunk]
        var hc = pool.Rent(Math.Max(chunk * d, 1));                                    // H rows of the chunk [chunk, d]
        var hct = grads.DWeight is null ? null : pool.Rent(Math.Max(d * chunk, 1));    // their transpose [d, chunk]
        var dhp = grads.DHidden is null ? null : pool.Rent(Math.Max(tiles * chunk * d, 1)); // per-tile parts of dH_chunk [tiles, chunk, d]
        var dwt = grads.DWeight is null ? null : pool.Rent(Math.Max(d * classes, 1));  // dW^T [d, C]
        try
        {
            Transpose(p.Weight, p.WeightOffset, classes, d, wt);
            if (dwt is not null)
            {
                Array.Clear(dwt, 0, d * classes);
            }

            var prob = p;
            for (int c0 = 0; c0 < n; c0 += chunk)
            {
                int rc = Math.Min(chunk, n - c0);
                Gather(p, c0, rc, hc, hct);

                // logits [rc, C] = H_chunk [rc, d] W^T [d, C] + b, a column tile at a time.
                ForEachItem(tiles, 2L * rc * d * TileCols, tile =>
                {
                    int j0 = tile * TileCols, w = Math.Min(TileCols, classes - j0);
                    Gemm.Sgemm(false, false, rc, w, d, 1f, hc, 0, d, wt, j0, classes, 0f, logits, j0, classes, parallel: false);
                    for (int i = 0; i < rc; i++)
                    {
                        var row = logits.AsSpan((i * classes) + j0, w);
                        if (prob.Bias is not null)
                        {
                            TensorPrimitives.Add(row, prob.Bias.AsSpan(prob.BiasOffset + j0, w), row);
                        }

                        if (findMax)
                        {
                            partialMax[(i * tiles) + tile] = TensorPrimitives.Max(row);
                        }
                    }
                });

                int first = c0;
                int groups = (rc + RowGroup - 1) / RowGroup;
                ForEachItem(groups, 8L * RowGroup * classes, group =>
                {
                    int s = group * RowGroup, e = Math.Min(s + RowGroup, rc);
                    if (findMax)
                    {
                        for (int i = s; i < e; i++)
                        {
                            rowMax[i] = TensorPrimitives.Max(partialMax.AsSpan(i * tiles, tiles));
                        }
                    }

                    rows(logits, rowMax, first, s, e);
                });

                if (!grads.Any)
                {
                    continue;
                }

                // A column tile at a time, while the tile of G is in L2: dW^T [d, C] += H_chunk^T [d, rc] G [rc, C],
                // db [C] += column sums of G, and the tile's part of dH_chunk, G[:, tile] [rc, w] W[tile] [w, d].
                var db = grads.DBias;
                ForEachItem(tiles, 4L * rc * d * TileCols, tile =>
                {
                    int j0 = tile * TileCols, w = Math.Min(TileCols, classes - j0);
                    if (dwt is not null)
                    {
                        Gemm.Sgemm(false, false, d, w, rc, 1f, hct!, 0, rc, logits, j0, classes, 1f, dwt, j0, classes, parallel: false);
                    }

                    if (db is not null)
                    {
                        ColumnSums(logits, rc, classes, j0, w, db);
                    }

                    if (dhp is not null)
                    {
                        Gemm.Sgemm(false, false, rc, d, w, 1f, logits, j0, classes, prob.Weight, prob.WeightOffset + (j0 * d), d, 0f, dhp, tile * rc * d, d, parallel: false);
                    }
                });

                if (dhp is not null)
                {
                    // dH_chunk = the tiles' partial products, summed in tile order.
                    var sum = dhp.AsSpan(0, rc * d);
                    for (int tile = 1; tile < tiles; tile++)
                    {
                        TensorPrimitives.Add(sum, dhp.AsSpan(tile * rc * d, rc * d), sum);
                    }

                    Scatter(p, c0, rc, dhp, grads.DHidden!);
                }
            }

            if (grads.DWeight is { } dw)
            {
                Transpose(dwt!, 0, d, classes, dw);
            }
        }
        finally
        {
            pool.Return(wt);
            pool.Return(logits);
            pool.Return(partialMax);
            pool.Return(rowMax);
            pool.Return(hc);
            if (hct is not null)
            {
                pool.Return(hct);
            }

            if (dhp is not null)
            {
                pool.Return(dhp);
            }

            if (dwt is not null)
            {
                pool.Return(dwt);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/>(i) for i in [0, count), handing items to up to <see cref="Engine.NumThreads"/>
    /// threads as they free up, so a thread slowed by other work on its core does not hold the others back. What an
    /// item computes and where it writes depend on i alone, so the schedule cannot change a bit of the result.
    /// Serial when the work is too small to pay for a thread hop.
    /// </summary>
    private static void ForEachItem(int count, long costPerItem, Action<int> body)
    {
        if (Engine.NumThreads <= 1 || count <= 1 || count * costPerItem < 65_536)
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Engine.NumThreads }, body);
    }

    /// <summary>Copies the H rows of active rows [c0, c0 + rc) into <paramref name="hc"/> [rc, d] and, if given, <paramref name="hct"/> [d, rc].</summary>
    private static void Gather(in LinearCrossEntropyProblem p, int c0, int rc, float[] hc, float[]? hct)
    {
        int d = p.Dim;
        for (int i = 0; i < rc; i++)
        {
            var src = p.Hidden.AsSpan(p.HiddenOffset + (p.Active[c0 + i] * d), d);
            src.CopyTo(hc.AsSpan(i * d, d));
            if (hct is not null)
            {
                for (int k = 0; k < d; k++)
                {
                    hct[(k * rc) + i] = src[k];
                }
            }
        }
    }

    /// <summary>Writes the chunk's dH rows [rc, d] (from the start of <paramref name="dhc"/>) to the rows of dH they belong to.</summary>
    private static void Scatter(in LinearCrossEntropyProblem p, int c0, int rc, float[] dhc, float[] dHidden)
    {
        int d = p.Dim;
        for (int i = 0; i < rc; i++)
        {
            dhc.AsSpan(i * d, d).CopyTo(dHidden.AsSpan(p.Active[c0 + i] * d, d));
        }
    }

    /// <summary>db[j0 + j] += sum over the chunk's rows of G[i, j0 + j] for j in [0, w), rows in order.</summary>
    private static void ColumnSums(float[] g, int rc, int classes, int j0, int w, float[] db)
    {
        var dst = db.AsSpan(j0, w);
        for (int i = 0; i < rc; i++)
        {
            TensorPrimitives.Add(dst, g.AsSpan((i * classes) + j0, w), dst);
        }
    }
    /// <summary>dst[cols, rows] = src[rows, cols] (src dense from <paramref name="offset"/>), in cache-sized tiles.</summary>
    private static void Transpose(float[] src, int offset, int rows, int cols, float[] dst)
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
                    int s = offset + (i * cols);
                    for (int j = j0; j < j1; j++)
                    {
                        dst[(j * rows) + i] = src[s + j];
                    }
                }
            }
        }
    }
}
