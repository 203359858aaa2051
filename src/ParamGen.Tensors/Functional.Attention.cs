using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

// Owner: sequence ops.
public static partial class Functional
{
    /// <summary>
    /// Scaled dot-product attention softmax(q k^T * scale + mask) v for <c>q [B, H, Lq, D]</c>, <c>k, v [B, H, Lk, D]</c>
    /// (any number of leading dims, identical for the three), as <c>F.scaled_dot_product_attention</c>. Fused: one
    /// recorded op that keeps only the attention probabilities for backward (a dropout mask is regenerated from
    /// one seed); the work is split over the (batch, head) pairs, each computed the same way for any thread count.
    /// </summary>
    /// <param name="query">Queries <c>[..., Lq, D]</c>.</param>
    /// <param name="key">Keys <c>[..., Lk, D]</c>.</param>
    /// <param name="value">Values <c>[..., Lk, Dv]</c>.</param>
    /// <param name="attnMask">Optional additive mask broadcastable to <c>[..., Lq, Lk]</c> (use -inf to block); null by
    /// default. It receives a gradient when it requires one (learned biases).</param>
    /// <param name="keyPaddingMask">Optional <c>[B, Lk]</c> mask, non-zero where the key is padding (blocked for every query of
    /// that batch row); B is the first dimension of <paramref name="query"/> (1 when the inputs have rank 2). Null by default.</param>
    /// <param name="isCausal">Block keys after the query position (query i sees keys 0..i + Lk - Lq, i.e. aligned to the
    /// bottom right as for a query block at the end of the keys); false by default. With Lq = Lk this is PyTorch's
    /// <c>is_causal</c>; PyTorch aligns to the top left when Lq differs from Lk.</param>
    /// <param name="dropoutP">Dropout probability on the attention weights, applied whenever it is positive (pass 0 in
    /// evaluation); 0 by default. One 64-bit draw from the generator seeds the whole mask.</param>
    /// <param name="scale">Score scale; 1/sqrt(D) when null (the default).</param>
    /// <param name="generator">Random source for dropout; <see cref="Random.Generator.Default"/> when null.</param>
    /// <returns>The attended values <c>[..., Lq, Dv]</c>.</returns>
    /// <remarks>A query whose keys are all blocked gets zero output and zero gradient (PyTorch gives NaN).</remarks>
    /// <exception cref="ArgumentException">The shapes of the inputs or masks do not fit; the message names them.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dropoutP"/> is outside [0, 1].</exception>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null, Tensor? keyPaddingMask = null,
        bool isCausal = false, float dropoutP = 0f, float? scale = null, Random.Generator? generator = null)
    {
        ValidateAttention(query, key, value, attnMask, keyPaddingMask, dropoutP);
        int rank = query.Rank;
        int lq = query.Shape[-2], d = query.Shape[-1], lk = key.Shape[-2], dv = value.Shape[-1];
        int count = query.Shape.Product(0, rank - 2);
        var scoreShape = new Shape([.. query.Shape.Dims[..^2], lq, lk]);
        var plan = PlanAttention(count, 1, lq, lk, d, dv, scale ?? (1f / MathF.Sqrt(d)), isCausal, attnMask, scoreShape,
            keyPaddingMask, keyPaddingMask is null ? 1 : count / keyPaddingMask.Shape[0], dropoutP, generator);
        var y = Tensor.Uninitialized(new Shape([.. query.Shape.Dims[..^2], lq, dv])); // [..., Lq, Dv]

        // Each head is a contiguous [L, D] block: batch stride L * D, no head stride (heads = 1).
        return RunAttention(plan, "ScaledDotProductAttention", [query, key, value],
            (0, new HeadLayout(query.Buffer, query.Offset, lq * d, 0, d)),
            (1, new HeadLayout(key.Buffer, key.Offset, lk * d, 0, d)),
            (2, new HeadLayout(value.Buffer, value.Offset, lk * dv, 0, dv)),
            y, new HeadLayout(y.Buffer, y.Offset, lq * dv, 0, dv), attnMask, scoreShape);
    }

    /// <summary>
    /// Multi-head attention read straight from projections laid out <c>[B, L, width]</c>, without splitting or
    /// merging heads: the query heads are columns [qCol, qCol + d) of <paramref name="query"/> (head h at qCol + h * D),
    /// likewise keys and values; the result is <c>[B, Lq, d]</c> with the heads merged. <paramref name="key"/> and
    /// <paramref name="value"/> may be the same tensor as <paramref name="query"/> (a packed <c>[B, L, 3d]</c> in-projection):
    /// it then gets one gradient with its three column blocks filled.
    /// </summary>
    /// <param name="query">Queries <c>[B, Lq, wq]</c>.</param>
    /// <param name="qCol">First query column.</param>
    /// <param name="key">Keys <c>[B, Lk, wk]</c>.</param>
    /// <param name="kCol">First key column.</param>
    /// <param name="value">Values <c>[B, Lk, wv]</c>.</param>
    /// <param name="vCol">First value column.</param>
    /// <param name="d">Model width (heads x head size).</param>
    /// <param name="heads">Number of heads.</param>
    /// <param name="attnMask">Additive mask broadcastable to <c>[B, heads, Lq, Lk]</c>, or null.</param>
    /// <param name="keyPaddingMask"><c>[B, Lk]</c>, non-zero at padding keys, or null.</param>
    /// <param name="isCausal">Block keys after each query's position (bottom-right aligned).</param>
    /// <param name="dropoutP">Dropout on the attention weights (0 for none).</param>
    /// <param name="generator">Source of the dropout seed.</param>
    internal static Tensor MultiHeadAttentionCore(Tensor query, int qCol, Tensor key, int kCol, Tensor value, int vCol, int d, int heads,
        Tensor? attnMask, Tensor? keyPaddingMask, bool isCausal, float dropoutP, Random.Generator? generator)
    {
        int b = query.Shape[0], lq = query.Shape[1], lk = key.Shape[1], dh = d / heads;
        var scoreShape = new Shape(b, heads, lq, lk);
        var plan = PlanAttention(b * heads, heads, lq, lk, dh, dh, 1f / MathF.Sqrt(dh), isCausal, attnMask, scoreShape, keyPaddingMask, heads, dropoutP, generator);
        var y = Tensor.Uninitialized(new Shape(b, lq, d)); // [B, Lq, d]
        Tensor[] sources = ReferenceEquals(key, query) && ReferenceEquals(value, query) ? [query] : [query, key, value];
        int kSlot = sources.Length == 1 ? 0 : 1, vSlot = sources.Length == 1 ? 0 : 2;
        static HeadLayout Heads(Tensor t, int col, int dh) => new(t.Buffer, t.Offset + col, t.Shape[1] * t.Shape[2], dh, t.Shape[2]);
        return RunAttention(plan, "MultiHeadAttention", sources, (0, Heads(query, qCol, dh)), (kSlot, Heads(key, kCol, dh)), (vSlot, Heads(value, vCol, dh)),
            y, new HeadLayout(y.Buffer, y.Offset, lq * d, dh, d), attnMask, scoreShape);
    }

    private static AttentionPlan PlanAttention(int count, int heads, int lq, int lk, int d, int dv, float scale, bool isCausal, Tensor? attnMask, Shape scoreShape,
        Tensor? keyPaddingMask, int padDiv, float dropoutP, Random.Generator? generator)
    {
        // Where each head's additive mask starts; computed once so the parallel loop only reads.
        int[]? maskOffsets = null;
        int maskRowStride = 0, maskColStride = 0;
        if (attnMask is not null)
        {
            int rank = scoreShape.Rank;
            var strides = Broadcast.PaddedStrides(attnMask.Shape, rank);
            maskRowStride = strides[rank - 2];
            maskColStride = strides[rank - 1];
            maskOffsets = AttentionHeadOffsets(scoreShape, strides, count);
        }

        // One draw seeds the whole counter-based mask; none when nothing (p = 0) or everything (p = 1) is dropped.
        bool dropout = dropoutP > 0f;
        ulong seed = dropout && dropoutP < 1f ? (generator ?? Random.Generator.Default).NextUInt64() : 0UL;
        return new AttentionPlan
        {
            Count = count,
            Heads = heads,
            Lq = lq,
            Lk = lk,
            D = d,
            Dv = dv,
            Scale = scale,
            Causal = isCausal,
            Mask = attnMask?.Buffer,
            MaskBase = attnMask?.Offset ?? 0,
            MaskOffsets = maskOffsets,
            MaskRowStride = maskRowStride,
            MaskColStride = maskColStride,
            Pad = keyPaddingMask?.Buffer,
            PadBase = keyPaddingMask?.Offset ?? 0,
            PadDiv = padDiv,
            Dropout = dropout,
            Seed = seed,
            Threshold = DropoutMask.Threshold(dropoutP),
            DropScale = DropoutMask.Scale(dropoutP),
        };
    }

    /// <summary>
    /// Runs the fused heads of <paramref name="plan"/> into <paramref name="y"/> and records one backward rule that
    /// writes each source's gradient through the same layouts (a source used for several roles gets one gradient).
    /// </summary>
    private static Tensor RunAttention(AttentionPlan plan, string name, Tensor[] sources, (int Slot, HeadLayout Layout) q, (int Slot, HeadLayout Layout) k,
        (int Slot, HeadLayout Layout) v, Tensor y, HeadLayout yl, Tensor? attnMask, Shape scoreShape)
    {
        int count = plan.Count, lq = plan.Lq, lk = plan.Lk;
        var probs = Tensor.ScopedArray(count * lq * lk); // [count, Lq, Lk], kept for backward
        var ql = q.Layout;
        var kl = k.Layout;
        var vl = v.Layout;
        long cost = 2L * lq * lk * (plan.D + plan.Dv);
        WorkSplit.Dynamic(count, cost, (start, end) =>
        {
            var scratch = new AttentionHead.Scratch(plan);
            for (int f = start; f < end; f++)
            {
                AttentionHead.Forward(plan, f, ql, kl, vl, yl, probs, scratch);
            }
        });

        if (!AutogradEngine.NeedsGrad([.. sources, attnMask]))
        {
            return y;
        }

        AutogradEngine.Record(y, name, [.. sources, attnMask], g =>
        {
            // Every element of a gradient is written: each role's heads cover its columns of the source.
            var grads = Array.ConvertAll(sources, t => t.RequiresGrad ? Tensor.Uninitialized(t.Shape) : null);

            // A gradient buffer has the source's layout, shifted to the buffer's own offset 0.
            HeadLayout? GradLayout((int Slot, HeadLayout Layout) role) => grads[role.Slot] is { } gt
                ? role.Layout with { Buffer = gt.Buffer, Offset = role.Layout.Offset - sources[role.Slot].Offset }
                : null;

            var dq = GradLayout(q);
            var dk = GradLayout(k);
            var dv = GradLayout(v);
            var gScores = attnMask is { RequiresGrad: true } ? Tensor.Uninitialized(scoreShape) : null; // [..., Lq, Lk]
            var gl = yl with { Buffer = g.Buffer, Offset = g.Offset + (yl.Offset - y.Offset) };
            WorkSplit.Dynamic(count, 2 * cost, (start, end) =>
            {
                var scratch = new AttentionHead.Scratch(plan);
                for (int f = start; f < end; f++)
                {
                    AttentionHead.Backward(plan, f, ql, kl, vl, gl, probs, dq, dk, dv, gScores?.Buffer, scratch);
                }
            });

            for (int i = 0; i < sources.Length; i++)
            {
                if (grads[i] is { } gi)
                {
                    AutogradEngine.Accumulate(sources[i], gi);
                }
            }

            if (gScores is not null)
            {
                // The mask may be broadcast; Accumulate sums the score gradient back to its shape.
                AutogradEngine.Accumulate(attnMask!, gScores);
            }
        });

        return y;
    }

    /// <summary>Offset of each head's [Lq, Lk] block inside a mask broadcast to <paramref name="scoreShape"/>.</summary>
    private static int[] AttentionHeadOffsets(Shape scoreShape, int[] maskStrides, int heads)
    {
        int lead = scoreShape.Rank - 2;
        var offsets = new int[heads];
        var idx = new int[lead];
        int off = 0;
        for (int h = 0; h < heads; h++)
        {
            offsets[h] = off;
            for (int dim = lead - 1; dim >= 0; dim--)
            {
                idx[dim]++;
                off += maskStrides[dim];
                if (idx[dim] < scoreShape.Dims[dim])
                {
                    break;
                }

                off -= maskStrides[dim] * idx[dim];
                idx[dim] = 0;
            }
        }

        return offsets;
    }

    /// <summary>Whether <paramref name="from"/> broadcasts to exactly <paramref name="to"/> (trailing dims aligned).</summary>
    private static bool AttentionMaskBroadcasts(Shape from, Shape to)
    {
        if (from.Rank > to.Rank)
        {
            return false;
        }

        for (int i = 1; i <= from.Rank; i++)
        {
            int f = from[from.Rank - i];
            if (f != 1 && f != to[to.Rank - i])
            {
                return false;
            }
        }

        return true;
    }

    private static void ValidateAttention(Tensor query, Tensor key, Tensor value, Tensor? attnMask, Tensor? keyPaddingMask, float dropoutP)
    {
        const string Op = "ScaledDotProductAttention";
        if (query.Rank < 2 || key.Rank != query.Rank || value.Rank != query.Rank)
        {
            throw new ArgumentException($"{Op}: query {query.Shape}, key {key.Shape} and value {value.Shape} must have the same rank, at least 2 ([..., L, D]).");
        }

        int rank = query.Rank;
        for (int i = 0; i < rank - 2; i++)
        {
            if (key.Shape[i] != query.Shape[i] || value.Shape[i] != query.Shape[i])
            {
                throw new ArgumentException($"{Op}: leading dimensions differ: query {query.Shape}, key {key.Shape}, value {value.Shape} (dimension {i}).");
            }
        }

        if (key.Shape[-1] != query.Shape[-1])
        {
            throw new ArgumentException($"{Op}: query {query.Shape} and key {key.Shape} have different feature sizes ({query.Shape[-1]} vs {key.Shape[-1]}).");
        }

        if (value.Shape[-2] != key.Shape[-2])
        {
            throw new ArgumentException($"{Op}: key {key.Shape} and value {value.Shape} have different lengths ({key.Shape[-2]} vs {value.Shape[-2]}).");
        }

        if (key.Shape[-2] == 0)
        {
            throw new ArgumentException($"{Op}: key {key.Shape} has no positions to attend to.");
        }

        var scoreShape = new Shape([.. query.Shape.Dims[..^2], query.Shape[-2], key.Shape[-2]]);
        if (attnMask is not null && !AttentionMaskBroadcasts(attnMask.Shape, scoreShape))
        {
            throw new ArgumentException($"{Op}: attnMask {attnMask.Shape} does not broadcast to the score shape {scoreShape}.");
        }

        if (keyPaddingMask is not null)
        {
            int b = rank >= 3 ? query.Shape[0] : 1;
            if (keyPaddingMask.Rank != 2 || keyPaddingMask.Shape[0] != b || keyPaddingMask.Shape[1] != key.Shape[-2])
            {
                throw new ArgumentException($"{Op}: keyPaddingMask {keyPaddingMask.Shape} must be [{b}, {key.Shape[-2]}] ([B, Lk]) for query {query.Shape} and key {key.Shape}.");
            }
        }

        if (!(dropoutP >= 0f && dropoutP <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(dropoutP), $"{Op}: dropoutP {dropoutP} is outside [0, 1].");
        }
    }
}
