using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;
using ParamGen.Tensors.Memory;

namespace ParamGen.Tensors;

// Owner: sequence ops.
public static partial class Functional
{
    /// <summary>
    /// One GRU layer over a whole batch-first sequence, as <c>nn.GRU(batch_first=True)</c> with PyTorch's gate
    /// order (reset, update, new): r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
    /// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 - z) ⊙ n + z ⊙ h.
    /// </summary>
    /// <remarks>
    /// The input projections of all steps (with b_ih and the r, z parts of b_hh) are one GEMM. The batch is then cut
    /// into blocks of rows, and each thread runs every step of its blocks: a <c>[rows, H] x [H, 3H]</c> GEMM and the
    /// fused cell, with no barrier between steps. Every element is computed the same way whatever the blocks, so the
    /// result does not depend on the thread count. Internally the steps are stored time-major (<c>[L, B, ...]</c>), so
    /// the rows a block touches in one step are contiguous. The gates are kept for a hand-written backpropagation
    /// through time, split the same way (one recorded op; <c>HN</c> is a cheap second op reading the last state).
    /// </remarks>
    /// <param name="input">Inputs <c>[B, L, In]</c> with L at least 1.</param>
    /// <param name="h0">Initial state <c>[B, H]</c>; zeros when null.</param>
    /// <param name="weightIh">Input weights <c>[3H, In]</c>.</param>
    /// <param name="weightHh">Recurrent weights <c>[3H, H]</c>.</param>
    /// <param name="biasIh">Input bias <c>[3H]</c> or null.</param>
    /// <param name="biasHh">Recurrent bias <c>[3H]</c> or null.</param>
    /// <returns>All states <c>[B, L, H]</c> and the last state <c>[B, H]</c>.</returns>
    /// <exception cref="ArgumentException">A shape does not fit; the message names it and the expected shape.</exception>
    public static (Tensor Output, Tensor HN) Gru(Tensor input, Tensor? h0, Tensor weightIh, Tensor weightHh, Tensor? biasIh, Tensor? biasHh)
    {
        ValidateGru(input, h0, weightIh, weightHh, biasIh, biasHh);
        int b = input.Shape[0], l = input.Shape[1], inF = input.Shape[2], h = weightHh.Shape[1], h3 = 3 * h;
        int rows = b * l;
        bool needsGrad = AutogradEngine.NeedsGrad(input, h0, weightIh, weightHh, biasIh, biasHh);

        // What backward needs lives with the graph; without one it is scratch. Row t * B + i is step t of sequence i.
        var gates = needsGrad ? Tensor.ScopedArray(rows * h3) : TensorPool.Rent(rows * h3);        // [L*B, 3H]: X W_ih^T + biases, then r, z, n
        var hnAll = needsGrad ? Tensor.ScopedArray(rows * h) : TensorPool.Rent(rows * h);          // [L*B, H]: W_hn h + b_hn
        var states = needsGrad ? Tensor.ScopedArray((l + 1) * b * h) : TensorPool.Rent((l + 1) * b * h); // [(L+1)*B, H]: h0, h_0, ..., h_{L-1}
        using (var xT = TensorPool.RentScratch(rows * inF)) // [L*B, In]
        using (var bias = TensorPool.RentScratch(h3))
        {
            GruTimeMajor(input.Buffer, input.Offset, xT.Array, b, l, inF);
            bool hasBias = GruInputBias(biasIh, biasHh, bias.Span);
            Gemm.Sgemm(false, true, rows, h3, inF, 1f, xT.Array, 0, inF, weightIh.Buffer, weightIh.Offset, inF,
                0f, gates, 0, h3, hasBias ? bias.Array : null, 0);
        }

        if (h0 is null)
        {
            states.AsSpan(0, b * h).Clear();
        }
        else
        {
            h0.AsReadOnlySpan().CopyTo(states);
        }

        var output = Tensor.Uninitialized(new Shape(b, l, h)); // [B, L, H]
        GruForwardSteps(b, l, h, weightHh, biasHh, gates, hnAll, states, output.Buffer);
        var hn = Tensor.Uninitialized(new Shape(b, h)); // [B, H]
        states.AsSpan(rows * h, b * h).CopyTo(hn.Span);

        if (!needsGrad)
        {
            TensorPool.Return(gates);
            TensorPool.Return(hnAll);
            TensorPool.Return(states);
            return (output, hn);
        }

        AutogradEngine.Record(output, "Gru", [input, h0, weightIh, weightHh, biasIh, biasHh],
            g => GruBackward(g, input, h0, weightIh, weightHh, biasIh, biasHh, gates, hnAll, states));
        AutogradEngine.Record(hn, "GruLastState", [output], g =>
        {
            var full = Tensor.Empty(output.Shape); // [B, L, H], zero except the last step
            for (int i = 0; i < b; i++)
            {
                g.AsReadOnlySpan().Slice(i * h, h).CopyTo(full.Buffer.AsSpan(((i * l) + l - 1) * h, h));
            }

            AutogradEngine.Accumulate(output, full);
        });

        return (output, hn);
    }

    /// <summary>
    /// The bias added to the input projections: b_ih plus the r and z parts of b_hh (the n part of b_hh is scaled
    /// by r, so the cell adds it). False when there is no bias at all.
    /// </summary>
    private static bool GruInputBias(Tensor? biasIh, Tensor? biasHh, Span<float> bias)
    {
        if (biasIh is null && biasHh is null)
        {
            return false;
        }

        int h2 = bias.Length / 3 * 2;
        bias.Clear();
        if (biasIh is not null)
        {
            biasIh.AsReadOnlySpan().CopyTo(bias);
        }

        if (biasHh is not null)
        {
            Elementwise.AddInPlace(bias[..h2], biasHh.AsReadOnlySpan()[..h2]);
        }

        return true;
    }

    /// <summary>dst[t * B + i] = src[srcOffset + i * L + t], rows of <paramref name="width"/> floats: batch-major to time-major.</summary>
    private static void GruTimeMajor(float[] src, int srcOffset, float[] dst, int b, int l, int width) =>
        WorkSplit.Dynamic(b, (long)l * width, (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                for (int t = 0; t < l; t++)
                {
                    src.AsSpan(srcOffset + (((i * l) + t) * width), width).CopyTo(dst.AsSpan(((t * b) + i) * width, width));
                }
            }
        });

    /// <summary>
    /// Runs the recurrence: on entry <paramref name="gates"/> holds the biased input projections and the first B rows
    /// of <paramref name="states"/> the initial state; on return <paramref name="gates"/> holds r, z, n of every step,
    /// <paramref name="hnAll"/> W_hn h + b_hn, <paramref name="states"/> every state, and <paramref name="ob"/> the
    /// states batch-major.
    /// </summary>
    private static void GruForwardSteps(int b, int l, int h, Tensor weightHh, Tensor? biasHh, float[] gates, float[] hnAll, float[] states, float[] ob)
    {
        int h3 = 3 * h;

        // W_hh^T once, so every step is a plain [rows, H] x [H, 3H] GEMM reading it in place.
        using var whhTScratch = TensorPool.RentScratch(h * h3); // [H, 3H]
        var whhT = whhTScratch.Array;
        var whh = weightHh.AsReadOnlySpan();
        for (int o = 0; o < h3; o++)
        {
            for (int i = 0; i < h; i++)
            {
                whhT[(i * h3) + o] = whh[(o * h) + i];
            }
        }

        using var zeros = TensorPool.RentScratch(h, clear: true); // b_hn when there is no bias
        var bhn = biasHh?.Buffer ?? zeros.Array;
        int bhnOff = biasHh is null ? 0 : biasHh.Offset + (2 * h);
        ForEachGruRowBlock(b, (long)l * h3 * h, (i0, i1) =>
        {
            int nr = i1 - i0;
            var gh = TensorPool.Rent(nr * h3); // [rows, 3H] = h W_hh^T
            try
            {
                for (int t = 0; t < l; t++)
                {
                    int s0 = (t * b) + i0; // this block's first row at step t; its state entering the step is states row s0
                    Gemm.Sgemm(false, false, nr, h3, h, 1f, states, s0 * h, h, whhT, 0, h3, 0f, gh, 0, h3, parallel: false);
                    for (int i = 0; i < nr; i++)
                    {
                        int s = s0 + i;
                        var hNew = states.AsSpan((s + b) * h, h);
                        GruCell.Forward(gh.AsSpan(i * h3, h3), bhn.AsSpan(bhnOff, h), states.AsSpan(s * h, h),
                            gates.AsSpan(s * h3, h3), hnAll.AsSpan(s * h, h), hNew);
                        hNew.CopyTo(ob.AsSpan((((i0 + i) * l) + t) * h, h));
                    }
                }
            }
            finally
            {
                TensorPool.Return(gh);
            }
        });
    }

    /// <summary>
    /// Runs body(i0, i1) over blocks of batch rows on the engine's threads. Blocks are unions of whole units of
    /// <see cref="GruUnitRows"/> rows (GEMM tiles); each runs every step of its rows, and no result depends on where
    /// the blocks fall.
    /// </summary>
    private static void ForEachGruRowBlock(int b, long costPerRow, Action<int, int> body)
    {
        int unit = GruUnitRows;
        int units = (b + unit - 1) / unit;
        WorkSplit.Dynamic(units, unit * costPerRow, (s, e) => body(s * unit, Math.Min(e * unit, b)));
    }

    private static int GruUnitRows => GemmPacked.TileRows(Gemm.BestIsa);

    /// <summary>Backpropagation through time for <see cref="Gru"/>, given the gradient of every state.</summary>
    private static void GruBackward(Tensor g, Tensor input, Tensor? h0, Tensor weightIh, Tensor weightHh, Tensor? biasIh, Tensor? biasHh,
        float[] gates, float[] hnAll, float[] states)
    {
        int b = input.Shape[0], l = input.Shape[1], h = weightHh.Shape[1], h3 = 3 * h, h4 = 4 * h;
        int rows = b * l;
        bool h0Grad = h0 is not null && h0.RequiresGrad;
        bool biasGrad = (biasIh is not null && biasIh.RequiresGrad) || (biasHh is not null && biasHh.RequiresGrad);
        int unit = GruUnitRows, units = (b + unit - 1) / unit;

        // d[row] = (da_r, da_z, da_n, r da_n): the first 3H are the gradient of W_ih x + b_ih, and (da_r, da_z, r da_n)
        // that of W_hh h + b_hh, so the two share their r and z parts. The bias gradients are summed per unit of rows
        // as the cell produces d (fixed units, so the sums do not depend on the thread count).
        int ldd = GruGradStride(h);
        var d = TensorPool.Rent(rows * ldd);                                      // [L*B, 4H], rows ldd apart
        var gT = TensorPool.Rent(rows * h);                                       // [L*B, H] the output gradient, time-major
        var dSums = biasGrad ? TensorPool.RentScratch(units * h4, clear: true).Array : null; // [units, 4H]
        var dh0 = h0Grad ? Tensor.Empty(h0!.Shape) : null;                        // [B, H]
        var carry = dh0?.Buffer ?? TensorPool.RentScratch(b * h, clear: true).Array; // [B, H] gradient reaching h_t from later steps
        try
        {
            GruTimeMajor(g.Buffer, g.Offset, gT, b, l, h);
            ForEachGruRowBlock(b, (long)l * h3 * h, (i0, i1) =>
            {
                int nr = i1 - i0;
                for (int t = l - 1; t >= 0; t--)
                {
                    int s0 = (t * b) + i0;
                    for (int i = i0; i < i1; i++)
                    {
                        int s = (t * b) + i;
                        var dSum = dSums is null ? default : dSums.AsSpan(i / unit * h4, h4);
                        GruCell.Backward(gT.AsSpan(s * h, h), carry.AsSpan(i * h, h), gates.AsSpan(s * h3, h3),
                            hnAll.AsSpan(s * h, h), states.AsSpan(s * h, h), d.AsSpan(s * ldd, h4), dSum);
                    }

                    if (t > 0 || h0Grad)
                    {
                        // carry += (da_r, da_z) W_hh[0:2H] + (r da_n) W_hh[2H:3H]: the recurrent path into h_{t-1}.
                        Gemm.Sgemm(false, false, nr, h, 2 * h, 1f, d, s0 * ldd, ldd, weightHh.Buffer, weightHh.Offset, h,
                            1f, carry, i0 * h, h, parallel: false);
                        Gemm.Sgemm(false, false, nr, h, h, 1f, d, (s0 * ldd) + h3, ldd, weightHh.Buffer, weightHh.Offset + (2 * h * h), h,
                            1f, carry, i0 * h, h, parallel: false);
                    }
                }
            });

            if (dh0 is not null)
            {
                AutogradEngine.Accumulate(h0!, dh0);
            }

            GruInputGrads(input, weightIh, d, b, l, h);

            if (weightHh.RequiresGrad)
            {
                // dW_hh = dGh^T H_prev, H_prev being the first L*B rows of states.
                var dw = Tensor.Uninitialized(weightHh.Shape); // [3H, H]
                Gemm.Sgemm(true, false, 2 * h, h, rows, 1f, d, 0, ldd, states, 0, h, 0f, dw.Buffer, dw.Offset, h);
                Gemm.Sgemm(true, false, h, h, rows, 1f, d, h3, ldd, states, 0, h, 0f, dw.Buffer, dw.Offset + (2 * h * h), h);
                AutogradEngine.Accumulate(weightHh, dw);
            }

            if (dSums is not null)
            {
                using var sums = TensorPool.RentScratch(h4);
                ColumnSums.Combine(dSums, units, h4, sums.Span);
                if (biasIh is not null)
                {
                    AutogradEngine.Accumulate(biasIh, Tensor.FromSpan(sums.Span[..h3], h3));
                }

                if (biasHh is not null)
                {
                    var dbhh = Tensor.Uninitialized(new Shape(h3)); // [3H] = (da_r, da_z, r da_n) summed
                    sums.Span[..(2 * h)].CopyTo(dbhh.Span);
                    sums.Span[h3..].CopyTo(dbhh.Span[(2 * h)..]);
                    AutogradEngine.Accumulate(biasHh, dbhh);
                }
            }
        }
        finally
        {
            TensorPool.Return(d);
            TensorPool.Return(gT);
            if (dSums is not null)
            {
                TensorPool.Return(dSums);
            }

            if (dh0 is null)
            {
                TensorPool.Return(carry);
            }
        }
    }

    /// <summary>
    /// dx = dGi W_ih and dW_ih = dGi^T X from d (time-major, dGi its first 3H columns).
    /// </summary>
    private static void GruInputGrads(Tensor input, Tensor weightIh, float[] d, int b, int l, int h)
    {
        int inF = input.Shape[2], rows = b * l, h3 = 3 * h, ldd = GruGradStride(h);
        if (!input.RequiresGrad && !weightIh.RequiresGrad)
        {
            return;
        }

        using var xTScratch = TensorPool.RentScratch(rows * inF); // [L*B, In]
        var xT = xTScratch.Array;
        if (input.RequiresGrad)
        {
            Gemm.Sgemm(false, false, rows, inF, h3, 1f, d, 0, ldd, weightIh.Buffer, weightIh.Offset, inF, 0f, xT, 0, inF);
            var dx = Tensor.Uninitialized(input.Shape); // [B, L, In]
            GruBatchMajor(xT, dx.Buffer, dx.Offset, b, l, inF);
            AutogradEngine.Accumulate(input, dx);
        }

        if (weightIh.RequiresGrad)
        {
            GruTimeMajor(input.Buffer, input.Offset, xT, b, l, inF);
            var dw = Tensor.Uninitialized(weightIh.Shape); // [3H, In]
            Gemm.Sgemm(true, false, h3, inF, rows, 1f, d, 0, ldd, xT, 0, inF, 0f, dw.Buffer, dw.Offset, inF);
            AutogradEngine.Accumulate(weightIh, dw);
        }
    }

    /// <summary>
    /// The row stride of the per-step gradients d (4H wide): padded by 16 floats when 4H is a multiple of 128, because
    /// the weight-gradient GEMMs walk down its columns, and rows a power-of-two multiple of 512 bytes apart share a
    /// few L1 sets ([12800, 512] read by columns: 10.6 ms at stride 512, 7.1 ms at stride 528, on one Zen 4 core).
    /// </summary>
    private static int GruGradStride(int h) => 4 * h % 128 == 0 ? (4 * h) + 16 : 4 * h;

    /// <summary>dst[dstOffset + i * L + t] = src[t * B + i], rows of <paramref name="width"/> floats: time-major to batch-major.</summary>
    private static void GruBatchMajor(float[] src, float[] dst, int dstOffset, int b, int l, int width) =>
        WorkSplit.Dynamic(b, (long)l * width, (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                for (int t = 0; t < l; t++)
                {
                    src.AsSpan(((t * b) + i) * width, width).CopyTo(dst.AsSpan(dstOffset + (((i * l) + t) * width), width));
                }
            }
        });

    private static void ValidateGru(Tensor input, Tensor? h0, Tensor weightIh, Tensor weightHh, Tensor? biasIh, Tensor? biasHh)
    {
        if (input.Rank != 3 || input.Shape[1] == 0)
        {
            throw new ArgumentException($"Gru: input {input.Shape} must be [B, L, In] with L >= 1.");
        }

        if (weightHh.Rank != 2 || weightHh.Shape[0] != 3 * weightHh.Shape[1] || weightHh.Shape[1] == 0)
        {
            throw new ArgumentException($"Gru: weightHh {weightHh.Shape} must be [3H, H] with H >= 1.");
        }

        int h = weightHh.Shape[1];
        int inF = input.Shape[2];
        if (weightIh.Rank != 2 || weightIh.Shape[0] != 3 * h || weightIh.Shape[1] != inF)
        {
            throw new ArgumentException($"Gru: weightIh {weightIh.Shape} must be [{3 * h}, {inF}] ([3H, In]) for input {input.Shape} and weightHh {weightHh.Shape}.");
        }

        if (h0 is not null && (h0.Rank != 2 || h0.Shape[0] != input.Shape[0] || h0.Shape[1] != h))
        {
            throw new ArgumentException($"Gru: h0 {h0.Shape} must be [{input.Shape[0]}, {h}] ([B, H]) for input {input.Shape}.");
        }

        if (biasIh is not null && (biasIh.Rank != 1 || biasIh.Shape[0] != 3 * h))
        {
            throw new ArgumentException($"Gru: biasIh {biasIh.Shape} must be [{3 * h}] ([3H]).");
        }

        if (biasHh is not null && (biasHh.Rank != 1 || biasHh.Shape[0] != 3 * h))
        {
            throw new ArgumentException($"Gru: biasHh {biasHh.Shape} must be [{3 * h}] ([3H]).");
        }
    }
}
