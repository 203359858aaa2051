namespace ParamGen.Tensors.Kernels;

/// <summary>
/// The elementwise part of one GRU step for one batch row, PyTorch gate order (r, z, n). The projections
/// <c>W_ih x</c> and <c>W_hh h</c> come from GEMMs done by the caller; biases are added here.
/// </summary>
internal static class GruCell
{
    /// <summary>
    /// h' = (1 - z) n + z h from the projections, saving r, z, n and W_hn h + b_hn (the gate values backward needs).
    /// </summary>
    /// <param name="gi">W_ih x for this row, <c>[3H]</c> (no bias).</param>
    /// <param name="gh">W_hh h for this row, <c>[3H]</c> (no bias).</param>
    /// <param name="bih">Input bias <c>[3H]</c> or empty.</param>
    /// <param name="bhh">Recurrent bias <c>[3H]</c> or empty.</param>
    /// <param name="hPrev">Previous state <c>[H]</c>, or empty for zeros.</param>
    /// <param name="hNew">New state <c>[H]</c>.</param>
    /// <param name="gates">Saved r, z, n, W_hn h + b_hn, <c>[4H]</c>.</param>
    public static void Forward(ReadOnlySpan<float> gi, ReadOnlySpan<float> gh, ReadOnlySpan<float> bih, ReadOnlySpan<float> bhh,
        ReadOnlySpan<float> hPrev, Span<float> hNew, Span<float> gates)
    {
        int h = hNew.Length;
        for (int j = 0; j < h; j++)
        {
            float ar = gi[j] + gh[j];
            float az = gi[h + j] + gh[h + j];
            float ain = gi[(2 * h) + j];
            float hn = gh[(2 * h) + j];
            if (!bih.IsEmpty)
            {
                ar += bih[j];
                az += bih[h + j];
                ain += bih[(2 * h) + j];
            }

            if (!bhh.IsEmpty)
            {
                ar += bhh[j];
                az += bhh[h + j];
                hn += bhh[(2 * h) + j];
            }

            float r = Sigmoid(ar);
            float z = Sigmoid(az);
            float n = MathF.Tanh(ain + (r * hn));
            float prev = hPrev.IsEmpty ? 0f : hPrev[j];
            hNew[j] = ((1f - z) * n) + (z * prev);
            gates[j] = r;
            gates[h + j] = z;
            gates[(2 * h) + j] = n;
            gates[(3 * h) + j] = hn;
        }
    }

    /// <summary>
    /// Backward of one step: from dh (gradient of h'), the gradients of the input-side pre-activations
    /// (r, z and the n input term), of the recurrent-side ones (r, z and W_hn h + b_hn), and the direct part z ⊙ dh of dh_prev.
    /// </summary>
    /// <param name="dh">Gradient of the new state <c>[H]</c>.</param>
    /// <param name="gates">Saved r, z, n, W_hn h + b_hn, <c>[4H]</c>.</param>
    /// <param name="hPrev">Previous state <c>[H]</c>, or empty for zeros.</param>
    /// <param name="dgi">Gradient of W_ih x + b_ih, <c>[3H]</c>.</param>
    /// <param name="dgh">Gradient of W_hh h + b_hh, <c>[3H]</c>.</param>
    /// <param name="dhPrevDirect">z ⊙ dh, <c>[H]</c> (the recurrent GEMM term is added by the caller).</param>
    public static void Backward(ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev,
        Span<float> dgi, Span<float> dgh, Span<float> dhPrevDirect)
    {
        int h = dh.Length;
        for (int j = 0; j < h; j++)
        {
            float r = gates[j], z = gates[h + j], n = gates[(2 * h) + j], hn = gates[(3 * h) + j];
            float prev = hPrev.IsEmpty ? 0f : hPrev[j];
            float g = dh[j];
            float dan = g * (1f - z) * (1f - (n * n));
            float daz = g * (prev - n) * z * (1f - z);
            float dar = dan * hn * r * (1f - r);
            dgi[j] = dar;
            dgi[h + j] = daz;
            dgi[(2 * h) + j] = dan;
            dgh[j] = dar;
            dgh[h + j] = daz;
            dgh[(2 * h) + j] = dan * r;
            dhPrevDirect[j] = g * z;
        }
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
