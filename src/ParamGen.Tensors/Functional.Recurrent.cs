using System.Numerics.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

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
    /// The input projections of all steps are one GEMM; each step then costs one <c>[B, H] x [H, 3H]</c> GEMM.
    /// The gates are kept for a hand-written backpropagation through time (one recorded op; <c>HN</c> is a
    /// cheap second op reading the last step of <c>Output</c>).
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

        var gi = new float[rows * h3]; // [B*L, 3H] = X W_ih^T
        Gemm.Sgemm(false, true, rows, h3, inF, 1f, input.Buffer, input.Offset, inF, weightIh.Buffer, weightIh.Offset, inF, 0f, gi, 0, h3);

        // W_hh^T once, so every step is a plain [B, H] x [H, 3H] GEMM without re-packing.
        var whhT = new float[h * h3]; // [H, 3H]
        var whh = weightHh.AsReadOnlySpan();
        for (int o = 0; o < h3; o++)
        {
            for (int i = 0; i < h; i++)
            {
                whhT[(i * h3) + o] = whh[(o * h) + i];
            }
        }

        var output = Tensor.Empty(new Shape(b, l, h)); // [B, L, H]
        var gates = new float[rows * 4 * h];           // [B, L, 4H]: r, z, n, W_hn h + b_hn
        var gh = new float[b * h3];                    // [B, 3H]
        var ob = output.Buffer;
        for (int t = 0; t < l; t++)
        {
            float[]? prevBuf = t > 0 ? ob : h0?.Buffer;
            int prevOff = t > 0 ? (t - 1) * h : h0?.Offset ?? 0;
            int prevLd = t > 0 ? l * h : h;
            if (prevBuf is null)
            {
                Array.Clear(gh);
            }
            else
            {
                Gemm.Sgemm(false, false, b, h3, h, 1f, prevBuf, prevOff, prevLd, whhT, 0, h3, 0f, gh, 0, h3);
            }

            for (int i = 0; i < b; i++)
            {
                int row = (i * l) + t;
                var hPrev = prevBuf is null ? default : new ReadOnlySpan<float>(prevBuf, prevOff + (i * prevLd), h);
                GruCell.Forward(gi.AsSpan(row * h3, h3), gh.AsSpan(i * h3, h3), GruSpan(biasIh), GruSpan(biasHh), hPrev,
                    ob.AsSpan(row * h, h), gates.AsSpan(row * 4 * h, 4 * h));
            }
        }

        var hn = Tensor.Empty(new Shape(b, h)); // [B, H]
        for (int i = 0; i < b; i++)
        {
            ob.AsSpan((((i * l) + l - 1) * h), h).CopyTo(hn.Buffer.AsSpan(i * h, h));
        }

        if (AutogradEngine.NeedsGrad(input, h0, weightIh, weightHh, biasIh, biasHh))
        {
            AutogradEngine.Record(output, "Gru", [input, h0, weightIh, weightHh, biasIh, biasHh],
                g => GruBackward(g, input, h0, weightIh, weightHh, biasIh, biasHh, output, gates));
            AutogradEngine.Record(hn, "GruLastState", [output], g =>
            {
                var full = Tensor.Empty(output.Shape); // [B, L, H], zero except the last step
                for (int i = 0; i < b; i++)
                {
                    g.AsReadOnlySpan().Slice(i * h, h).CopyTo(full.Buffer.AsSpan((((i * l) + l - 1) * h), h));
                }

                AutogradEngine.Accumulate(output, full);
            });
        }

        return (output, hn);
    }

    private static ReadOnlySpan<float> GruSpan(Tensor? t) => t is null ? default : t.AsReadOnlySpan();

    /// <summary>Backpropagation through time for <see cref="Gru"/>, given the gradient of every state.</summary>
    private static void GruBackward(Tensor g, Tensor input, Tensor? h0, Tensor weightIh, Tensor weightHh, Tensor? biasIh, Tensor? biasHh,
        Tensor output, float[] gates)
    {
        int b = input.Shape[0], l = input.Shape[1], inF = input.Shape[2], h = weightHh.Shape[1], h3 = 3 * h;
        int rows = b * l;
        var dGi = new float[rows * h3];   // [B*L, 3H] gradient of W_ih x + b_ih
        var dGh = new float[rows * h3];   // [B*L, 3H] gradient of W_hh h + b_hh
        var carry = new float[b * h];     // [B, H] gradient reaching h_t from later steps
        var dh = new float[h];
        var ob = output.Buffer;
        var gs = g.AsReadOnlySpan();
        var h0Span = GruSpan(h0);
        for (int t = l - 1; t >= 0; t--)
        {
            for (int i = 0; i < b; i++)
            {
                int row = (i * l) + t;
                var carryRow = carry.AsSpan(i * h, h);
                TensorPrimitives.Add(gs.Slice(row * h, h), carryRow, dh);
                var hPrev = t > 0 ? new ReadOnlySpan<float>(ob, (row - 1) * h, h) : h0Span.IsEmpty ? default : h0Span.Slice(i * h, h);
                GruCell.Backward(dh, gates.AsSpan(row * 4 * h, 4 * h), hPrev, dGi.AsSpan(row * h3, h3), dGh.AsSpan(row * h3, h3), carryRow);
            }

            // carry += dGh_t W_hh: the recurrent path into h_{t-1}.
            Gemm.Sgemm(false, false, b, h, h3, 1f, dGh, t * h3, l * h3, weightHh.Buffer, weightHh.Offset, h, 1f, carry, 0, h);
        }

        if (h0 is not null && h0.RequiresGrad)
        {
            AutogradEngine.Accumulate(h0, new Tensor(carry, 0, h0.Shape));
        }

        if (input.RequiresGrad)
        {
            var dx = Tensor.Empty(input.Shape); // [B, L, In] = dGi W_ih
            Gemm.Sgemm(false, false, rows, inF, h3, 1f, dGi, 0, h3, weightIh.Buffer, weightIh.Offset, inF, 0f, dx.Buffer, 0, inF);
            AutogradEngine.Accumulate(input, dx);
        }

        if (weightIh.RequiresGrad)
        {
            var dw = Tensor.Empty(weightIh.Shape); // [3H, In] = dGi^T X
            Gemm.Sgemm(true, false, h3, inF, rows, 1f, dGi, 0, h3, input.Buffer, input.Offset, inF, 0f, dw.Buffer, 0, inF);
            AutogradEngine.Accumulate(weightIh, dw);
        }

        if (weightHh.RequiresGrad)
        {
            // States entering each step: h0 (or zeros) at t = 0, else the previous output.
            var hPrevAll = new float[rows * h]; // [B*L, H]
            for (int i = 0; i < b; i++)
            {
                if (!h0Span.IsEmpty)
                {
                    h0Span.Slice(i * h, h).CopyTo(hPrevAll.AsSpan(i * l * h, h));
                }

                ob.AsSpan(i * l * h, (l - 1) * h).CopyTo(hPrevAll.AsSpan((i * l * h) + h, (l - 1) * h));
            }

            var dw = Tensor.Empty(weightHh.Shape); // [3H, H] = dGh^T H_prev
            Gemm.Sgemm(true, false, h3, h, rows, 1f, dGh, 0, h3, hPrevAll, 0, h, 0f, dw.Buffer, 0, h);
            AutogradEngine.Accumulate(weightHh, dw);
        }

        if (biasIh is not null && biasIh.RequiresGrad)
        {
            AutogradEngine.Accumulate(biasIh, GruColumnSums(dGi, rows, h3));
        }

        if (biasHh is not null && biasHh.RequiresGrad)
        {
            AutogradEngine.Accumulate(biasHh, GruColumnSums(dGh, rows, h3));
        }
    }

    /// <summary>The sum over rows of a row-major [rows, cols] matrix, as a [cols] tensor.</summary>
    private static Tensor GruColumnSums(float[] m, int rows, int cols)
    {
        var sum = Tensor.Empty(new Shape(cols));
        var s = sum.Span;
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(s, m.AsSpan(r * cols, cols), s);
        }

        return sum;
    }

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
