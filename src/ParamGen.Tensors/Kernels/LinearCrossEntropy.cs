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
/// <c>[N, C]</c> logits never exist: only one <c>[rows, C]</c> chunk does, reused from chunk to chunk.
/// Per chunk: the logits by GEMM; per row the max and log-sum of shifted exponentials (and the loss), and where
/// a gradient is asked for, G = scale * (softmax - smoothed one-hot) written over the logits; then
/// dH_chunk = G W, dW^T += H_chunk^T G and db += column sums of G. Chunks run in order and every phase is
/// either row-separable or split over fixed column blocks, and each GEMM accumulates an element in the same
/// order whatever the thread count, so results do not depend on <see cref="Engine.NumThreads"/>.
/// </summary>
internal static class LinearCrossEntropy
{
    /// <summary>Target size of the logits chunk in floats (8 MiB): several fit the shared L3 cache.</summary>
    private const int ChunkFloats = 1 << 21;

    /// <summary>Column block of the bias-gradient column sums: a parallel split fixed in size, so order-free.</summary>
    private const int ColumnBlock = 1024;

    /// <summary>Rows per chunk for <paramref name="classes"/> classes: a multiple of 16 in [16, 1024], independent of the thread count.</summary>
    public static int ChunkRows(int classes) => Math.Clamp(ChunkFloats / Math.Max(classes, 1) / 16 * 16, 16, 1024);

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
        Run(p, grads, (logits, c0, s, e) =>
        {
            int classes = prob.Classes;
            float[]? scratch = grad ? null : ArrayPool<float>.Shared.Rent(Math.Max(classes, 1));
            try
            {
                for (int i = s; i < e; i++)
                {
                    int r = prob.Active[c0 + i];
                    int t = prob.Targets[r];
                    var row = logits.AsSpan(i * classes, classes);
                    AddBias(prob, row);
                    if (grad)
                    {
                        loss[r] = (float)CrossEntropy.RowLossAndGrad(row, t, prob.Smoothing, scale, out max[r], out logSum[r]);
                    }
                    else
                    {
                        (max[r], logSum[r]) = CrossEntropy.LogSumExp(row, scratch);
                        loss[r] = (float)CrossEntropy.RowLoss(row, t, max[r], logSum[r], prob.Smoothing);
                    }
                }
            }
            finally
            {
                if (scratch is not null)
                {
                    ArrayPool<float>.Shared.Return(scratch);
                }
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
        Run(p, grads, (logits, c0, s, e) =>
        {
            int classes = prob.Classes;
            for (int i = s; i < e; i++)
            {
                int r = prob.Active[c0 + i];
                var row = logits.AsSpan(i * classes, classes);
                AddBias(prob, row);
                CrossEntropy.RowGrad(row, prob.Targets[r], max[r], logSum[r], rowScale is null ? scale : rowScale[r], prob.Smoothing, row);
            }
        });
    }

    /// <summary>Adds the bias (if any) to one row of logits, as Linear's broadcast add does.</summary>
    private static void AddBias(in LinearCrossEntropyProblem p, Span<float> row)
    {
        if (p.Bias is not null)
        {
            TensorPrimitives.Add(row, p.Bias.AsSpan(p.BiasOffset, row.Length), row);
        }
    }

    /// <summary>
    /// The chunk loop. <paramref name="rows"/>(logits, first, start, end) handles chunk rows [start, end) of the
    /// <c>[rows, C]</c> logits buffer whose row i is active row first + i; when gradients are asked for, it must
    /// leave G in the buffer.
    /// </summary>
    private static void Run(in LinearCrossEntropyProblem p, LinearCrossEntropyGrads grads, Action<float[], int, int, int> rows)
    {
        int n = p.Active.Length, d = p.Dim, classes = p.Classes;
        if (n == 0 || classes == 0)
        {
            if (grads.DWeight is not null)
            {
                Array.Clear(grads.DWeight);
            }

            if (grads.DBias is not null)
            {
                Array.Clear(grads.DBias);
            }

            return;
        }

        int chunk = Math.Min(ChunkRows(classes), n);
        var pool = ArrayPool<float>.Shared;
        var wt = pool.Rent(Math.Max(d * classes, 1));          // W^T [d, C], so the logits GEMM reads B untransposed
        var logits = pool.Rent(chunk * classes);                // [chunk, C]: logits, then G
        var hc = pool.Rent(Math.Max(chunk * d, 1));             // H rows of the chunk [chunk, d]
        var hct = grads.DWeight is null ? null : pool.Rent(Math.Max(d * chunk, 1)); // their transpose [d, chunk]
        var dhc = grads.DHidden is null ? null : pool.Rent(Math.Max(chunk * d, 1)); // dH of the chunk [chunk, d]
        var dwt = grads.DWeight is null ? null : pool.Rent(Math.Max(d * classes, 1)); // dW^T [d, C]
        try
        {
            Transpose(p.Weight, p.WeightOffset, classes, d, wt);
            if (dwt is not null)
            {
                Array.Clear(dwt, 0, d * classes);
            }

            if (grads.DBias is not null)
            {
                Array.Clear(grads.DBias);
            }

            for (int c0 = 0; c0 < n; c0 += chunk)
            {
                int rc = Math.Min(chunk, n - c0);
                Gather(p, c0, rc, hc, hct);

                // logits [rc, C] = H_chunk [rc, d] W^T [d, C]
                Gemm.Sgemm(false, false, rc, classes, d, 1f, hc, 0, d, wt, 0, classes, 0f, logits, 0, classes);
                int first = c0;
                Engine.ParallelFor(rc, 6L * classes, (s, e) => rows(logits, first, s, e));
                if (!grads.Any)
                {
                    continue;
                }

                if (dhc is not null)
                {
                    // dH_chunk [rc, d] = G [rc, C] W [C, d]
                    Gemm.Sgemm(false, false, rc, d, classes, 1f, logits, 0, classes, p.Weight, p.WeightOffset, d, 0f, dhc, 0, d);
                    Scatter(p, c0, rc, dhc, grads.DHidden!);
                }

                if (dwt is not null)
                {
                    // dW^T [d, C] += H_chunk^T [d, rc] G [rc, C]
                    Gemm.Sgemm(false, false, d, classes, rc, 1f, hct!, 0, rc, logits, 0, classes, 1f, dwt, 0, classes);
                }

                if (grads.DBias is { } db)
                {
                    int blocks = (classes + ColumnBlock - 1) / ColumnBlock;
                    Engine.ParallelFor(blocks, (long)rc * ColumnBlock, (s, e) => ColumnSums(logits, rc, classes, s * ColumnBlock, Math.Min(e * ColumnBlock, classes), db));
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
            pool.Return(hc);
            if (hct is not null)
            {
                pool.Return(hct);
            }

            if (dhc is not null)
            {
                pool.Return(dhc);
            }

            if (dwt is not null)
            {
                pool.Return(dwt);
            }
        }
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

    /// <summary>Writes the chunk's dH rows [rc, d] to the rows of dH they belong to.</summary>
    private static void Scatter(in LinearCrossEntropyProblem p, int c0, int rc, float[] dhc, float[] dHidden)
    {
        int d = p.Dim;
        for (int i = 0; i < rc; i++)
        {
            dhc.AsSpan(i * d, d).CopyTo(dHidden.AsSpan(p.Active[c0 + i] * d, d));
        }
    }

    /// <summary>db[j] += sum over the chunk's rows of G[i, j] for j in [j0, j1), rows in order.</summary>
    private static void ColumnSums(float[] g, int rc, int classes, int j0, int j1, float[] db)
    {
        var dst = db.AsSpan(j0, j1 - j0);
        for (int i = 0; i < rc; i++)
        {
            TensorPrimitives.Add(dst, g.AsSpan((i * classes) + j0, j1 - j0), dst);
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
