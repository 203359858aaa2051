using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Where the [L, D] matrix of one attention head sits inside a larger buffer: head f (flat index over
/// batch x heads) starts at <c>Offset + (f / heads) * BatchStride + (f % heads) * HeadStride</c> and its rows are
/// <see cref="RowStride"/> apart, each row contiguous. Heads are read and written in place this way, for example
/// straight from a packed <c>[B, L, 3, heads, D]</c> projection and into a merged <c>[B, L, heads, D]</c> output,
/// so no head split or merge is ever copied.
/// </summary>
internal readonly record struct HeadLayout(float[] Buffer, int Offset, int BatchStride, int HeadStride, int RowStride)
{
    /// <summary>Index of row 0 of head <paramref name="f"/>.</summary>
    public int Start(int f, int heads) => Offset + ((f / heads) * BatchStride) + ((f % heads) * HeadStride);
}

/// <summary>
/// Everything one fused attention op shares between its heads: sizes, scale, masks and dropout. Head f is
/// query rows [Lq, D], keys [Lk, D], values [Lk, Dv]; its probabilities live at f * Lq * Lk in the saved buffer.
/// </summary>
internal sealed class AttentionPlan
{
    /// <summary>Number of heads, flat over batch and heads.</summary>
    public required int Count { get; init; }

    /// <summary>Heads per batch entry, the divisor of <see cref="HeadLayout.Start"/>.</summary>
    public required int Heads { get; init; }

    public required int Lq { get; init; }

    public required int Lk { get; init; }

    public required int D { get; init; }

    public required int Dv { get; init; }

    public required float Scale { get; init; }

    /// <summary>Whether query i sees only keys j &lt;= i + Lk - Lq.</summary>
    public bool Causal { get; init; }

    /// <summary>Additive mask storage, or null; head f's row i, key j at MaskBase + MaskOffsets[f] + i * MaskRowStride + j * MaskColStride.</summary>
    public float[]? Mask { get; init; }

    public int MaskBase { get; init; }

    public int[]? MaskOffsets { get; init; }

    public int MaskRowStride { get; init; }

    public int MaskColStride { get; init; }

    /// <summary>Key padding rows [*, Lk] (non-zero blocks the key), or null; head f uses row f / PadDiv.</summary>
    public float[]? Pad { get; init; }

    public int PadBase { get; init; }

    public int PadDiv { get; init; } = 1;

    /// <summary>Whether dropout applies to the probabilities (mask element index f * Lq * Lk + i * Lk + j).</summary>
    public bool Dropout { get; init; }

    public ulong Seed { get; init; }

    public uint Threshold { get; init; }

    public float DropScale { get; init; }

    /// <summary>Row length of the per-thread score scratch: Lk rounded up to whole vectors (16 floats where the
    /// CPU has 512-bit vectors, else 8), so tiles never need a scalar tail.</summary>
    public int Ld => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? Math.Max(16, (Lk + 15) & ~15) : Math.Max(8, (Lk + 7) & ~7);

    /// <summary>One past the last key query i sees.</summary>
    public int KeyEnd(int i) => Causal ? Math.Clamp(i + (Lk - Lq) + 1, 0, Lk) : Lk;

    /// <summary>The first query that sees key j.</summary>
    public int QueryBegin(int j) => Causal ? Math.Clamp(j - (Lk - Lq), 0, Lq) : 0;

    /// <summary>Adds the additive mask and blocks padded keys in row i of head f's scores.</summary>
    public void ApplyMasks(int f, int i, Span<float> row)
    {
        if (Mask is not null)
        {
            int m0 = MaskBase + MaskOffsets![f] + (i * MaskRowStride);
            if (MaskColStride == 1)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(row, Mask.AsSpan(m0, row.Length), row);
            }
            else
            {
                System.Numerics.Tensors.TensorPrimitives.Add(row, Mask[m0], row);
            }
        }

        if (Pad is not null)
        {
            var pad = Pad.AsSpan(PadBase + ((f / PadDiv) * Lk), row.Length);
            for (int j = 0; j < row.Length; j++)
            {
                if (pad[j] != 0f)
                {
                    row[j] = float.NegativeInfinity;
                }
            }
        }
    }
}

/// <summary>
/// Fused attention for one head, forward and backward: softmax(scale Q K^T + masks) (dropped) V with the small
/// products done by <see cref="PanelGemm"/> and the causal structure used to skip blocked work (a query block
/// stops at the last key any of its queries sees; a key block starts at the first query that sees it).
/// Only the probabilities are saved for backward; the dropout mask is regenerated from the plan's seed.
/// </summary>
internal static class AttentionHead
{
    private const int RowBlock = 4;

    /// <summary>Per-thread work space for one head at a time.</summary>
    public sealed class Scratch(AttentionPlan plan)
    {
        /// <summary>K^T or V^T, [max(D, Dv), Ld], zero past Lk.</summary>
        public float[] Transposed { get; } = new float[Math.Max(plan.D, plan.Dv) * plan.Ld];

        /// <summary>Scores, then dropped probabilities, or dP then dS: [Lq, Ld].</summary>
        public float[] Rows { get; } = new float[plan.Lq * plan.Ld];

        /// <summary>Dropped probabilities in backward: [Lq, Ld].</summary>
        public float[] Dropped { get; } = plan.Dropout ? new float[plan.Lq * plan.Ld] : [];
    }

    /// <summary>Computes head f's output rows and saves its probabilities at probs[f * Lq * Lk].</summary>
    public static void Forward(AttentionPlan pl, int f, in HeadLayout q, in HeadLayout k, in HeadLayout v, in HeadLayout o, float[] probs, Scratch s)
    {
        int lq = pl.Lq, lk = pl.Lk, ld = pl.Ld;
        int qo = q.Start(f, pl.Heads), ko = k.Start(f, pl.Heads), vo = v.Start(f, pl.Heads), oo = o.Start(f, pl.Heads);
        int p0 = f * lq * lk;
        if (f + 1 < pl.Count)
        {
            PrefetchRows(q, f + 1, pl.Heads, lq, pl.D);
            PrefetchRows(k, f + 1, pl.Heads, lk, pl.D);
            PrefetchRows(v, f + 1, pl.Heads, lk, pl.Dv);
        }

        var kt = s.Transposed;
        var rows = s.Rows;
        TransposeInto(k.Buffer, ko, k.RowStride, lk, pl.D, kt, ld);

        // Scores [Lq, Ld] = scale Q K^T, each query block only as far as its last visible key (rounded to a vector).
        for (int i0 = 0; i0 < lq; i0 += RowBlock)
        {
            int r = Math.Min(RowBlock, lq - i0);
            int n = Math.Min(ld, (pl.KeyEnd(i0 + r - 1) + 7) & ~7);
            PanelGemm.Rows(r, n, 0, pl.D, pl.Scale, q.Buffer, qo + (i0 * q.RowStride), q.RowStride, 1, kt, 0, ld, rows, i0 * ld, ld);
        }

        for (int i = 0; i < lq; i++)
        {
            int jEnd = pl.KeyEnd(i);
            var score = rows.AsSpan(i * ld, jEnd);
            pl.ApplyMasks(f, i, score);
            var prob = probs.AsSpan(p0 + (i * lk), lk);
            AttentionRows.Softmax(score, prob[..jEnd]);
            prob[jEnd..].Clear();
            if (pl.Dropout)
            {
                DropoutMask.Apply(pl.Seed, p0 + (i * lk), pl.Threshold, pl.DropScale, prob, rows.AsSpan(i * ld, lk));
            }
        }

        // Output rows = (dropped) P V, written straight into the output layout.
        var (a, aOff, lda) = pl.Dropout ? (rows, 0, ld) : (probs, p0, lk);
        for (int i0 = 0; i0 < lq; i0 += RowBlock)
        {
            int r = Math.Min(RowBlock, lq - i0);
            PanelGemm.Rows(r, pl.Dv, 0, pl.KeyEnd(i0 + r - 1), 1f, a, aOff + (i0 * lda), lda, 1, v.Buffer, vo, v.RowStride, o.Buffer, oo + (i0 * o.RowStride), o.RowStride);
        }
    }

    /// <summary>
    /// Head f's gradients from the output gradient <paramref name="g"/> (laid out as the output): writes dQ, dK and dV
    /// rows where their layouts are given, and dS (the score gradient) at gScores[f * Lq * Lk] when given.
    /// </summary>
    public static void Backward(AttentionPlan pl, int f, in HeadLayout q, in HeadLayout k, in HeadLayout v, in HeadLayout g, float[] probs,
        HeadLayout? dq, HeadLayout? dk, HeadLayout? dv, float[]? gScores, Scratch s)
    {
        int lq = pl.Lq, lk = pl.Lk, ld = pl.Ld, h = pl.Heads;
        int qo = q.Start(f, h), ko = k.Start(f, h), vo = v.Start(f, h), go = g.Start(f, h);
        int p0 = f * lq * lk;
        if (f + 1 < pl.Count)
        {
            PrefetchRows(q, f + 1, h, lq, pl.D);
            PrefetchRows(k, f + 1, h, lk, pl.D);
            PrefetchRows(v, f + 1, h, lk, pl.Dv);
            PrefetchRows(g, f + 1, h, lq, pl.Dv);
            PrefetchRows(new HeadLayout(probs, (f + 1) * lq * lk, 0, 0, 0), 0, 1, 1, lq * lk);
        }
        if (dv is { } dvl)
        {
            // dV = Pd^T dO with Pd the probabilities as applied (dropped); key block j0 starts at its first query.
            var (a, aOff, lda) = (probs, p0, lk);
            if (pl.Dropout)
            {
                for (int i = 0; i < lq; i++)
                {
                    DropoutMask.Apply(pl.Seed, p0 + (i * lk), pl.Threshold, pl.DropScale, probs.AsSpan(p0 + (i * lk), lk), s.Dropped.AsSpan(i * ld, lk));
                }

                (a, aOff, lda) = (s.Dropped, 0, ld);
            }

            int dvo = dvl.Start(f, h);
            for (int j0 = 0; j0 < lk; j0 += RowBlock)
            {
                int r = Math.Min(RowBlock, lk - j0);
                PanelGemm.Rows(r, pl.Dv, pl.QueryBegin(j0), lq, 1f, a, aOff + j0, 1, lda, g.Buffer, go, g.RowStride, dvl.Buffer, dvo + (j0 * dvl.RowStride), dvl.RowStride);
            }
        }

        if (dq is null && dk is null && gScores is null)
        {
            return;
        }

        // dP = dO V^T, through the dropout mask, then the softmax backward to dS; zero past each query's last key.
        var vt = s.Transposed;
        var ds = s.Rows;
        TransposeInto(v.Buffer, vo, v.RowStride, lk, pl.Dv, vt, ld);
        for (int i0 = 0; i0 < lq; i0 += RowBlock)
        {
            int r = Math.Min(RowBlock, lq - i0);
            int n = Math.Min(ld, (pl.KeyEnd(i0 + r - 1) + 7) & ~7);
            PanelGemm.Rows(r, n, 0, pl.Dv, 1f, g.Buffer, go + (i0 * g.RowStride), g.RowStride, 1, vt, 0, ld, ds, i0 * ld, ld);
        }

        for (int i = 0; i < lq; i++)
        {
            int jEnd = pl.KeyEnd(i);
            var row = ds.AsSpan(i * ld, jEnd);
            if (pl.Dropout)
            {
                DropoutMask.Apply(pl.Seed, p0 + (i * lk), pl.Threshold, pl.DropScale, row, row);
            }

            AttentionRows.SoftmaxBackward(probs.AsSpan(p0 + (i * lk), jEnd), row);
            ds.AsSpan((i * ld) + jEnd, ld - jEnd).Clear();
            if (gScores is not null)
            {
                ds.AsSpan(i * ld, lk).CopyTo(gScores.AsSpan(p0 + (i * lk), lk));
            }
        }

        if (dq is { } dql)
        {
            // dQ = scale dS K; query block i0 stops at its last visible key.
            int dqo = dql.Start(f, h);
            for (int i0 = 0; i0 < lq; i0 += RowBlock)
            {
                int r = Math.Min(RowBlock, lq - i0);
                PanelGemm.Rows(r, pl.D, 0, pl.KeyEnd(i0 + r - 1), pl.Scale, ds, i0 * ld, ld, 1, k.Buffer, ko, k.RowStride, dql.Buffer, dqo + (i0 * dql.RowStride), dql.RowStride);
            }
        }

        if (dk is { } dkl)
        {
            // dK = scale dS^T Q; key block j0 starts at its first query.
            int dko = dkl.Start(f, h);
            for (int j0 = 0; j0 < lk; j0 += RowBlock)
            {
                int r = Math.Min(RowBlock, lk - j0);
                PanelGemm.Rows(r, pl.D, pl.QueryBegin(j0), lq, pl.Scale, ds, j0, 1, ld, q.Buffer, qo, q.RowStride, dkl.Buffer, dko + (j0 * dkl.RowStride), dkl.RowStride);
            }
        }
    }

    /// <summary>
    /// Asks for the rows of the next head ahead of use: a head's rows are strided through a large buffer and read
    /// once, so without the hint each head starts with a run of cache misses the hardware prefetcher does not foresee.
    /// </summary>
    private static unsafe void PrefetchRows(in HeadLayout m, int f, int heads, int rows, int cols)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        int start = m.Start(f, heads);
        fixed (float* p = m.Buffer)
        {
            for (int j = 0; j < rows; j++)
            {
                float* row = p + start + ((long)j * m.RowStride);
                for (int c = 0; c < cols; c += 16)
                {
                    Sse.Prefetch0(row + c);
                }
            }
        }
    }

    /// <summary>dst[c, j] = src[off + j * rowStride + c] for j &lt; rows, c &lt; cols; columns rows..ld of dst are zeroed.</summary>
    /// <remarks>8 x 8 blocks are transposed in registers (AVX) where the CPU has it; the rest element by element.</remarks>
    private static void TransposeInto(float[] src, int off, int rowStride, int rows, int cols, float[] dst, int ld)
    {
        int j0 = 0;
        if (Avx.IsSupported)
        {
            ref float rs = ref MemoryMarshal.GetArrayDataReference(src);
            ref float rd = ref MemoryMarshal.GetArrayDataReference(dst);
            for (; j0 + 8 <= rows; j0 += 8)
            {
                int c0 = 0;
                for (; c0 + 8 <= cols; c0 += 8)
                {
                    SimdTranspose.Transpose8x8(ref Unsafe.Add(ref rs, off + (j0 * rowStride) + c0), rowStride, ref Unsafe.Add(ref rd, (c0 * ld) + j0), ld);
                }

                for (int c = c0; c < cols; c++)
                {
                    for (int j = j0; j < j0 + 8; j++)
                    {
                        dst[(c * ld) + j] = src[off + (j * rowStride) + c];
                    }
                }
            }
        }

        for (int c = 0; c < cols; c++)
        {
            var d = dst.AsSpan(c * ld, ld);
            for (int j = j0; j < rows; j++)
            {
                d[j] = src[off + (j * rowStride) + c];
            }

            d[rows..].Clear();
        }
    }
}
