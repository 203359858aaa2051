namespace ParamGen.Tensors;

// Owner: sequence ops.
public static partial class Functional
{
    /// <summary>
    /// One GRU layer over a whole batch-first sequence, as <c>nn.GRU(batch_first=True)</c> with PyTorch's gate
    /// order (reset, update, new): r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
    /// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 - z) ⊙ n + z ⊙ h.
    /// </summary>
    /// <param name="input">Inputs <c>[B, L, In]</c>.</param>
    /// <param name="h0">Initial state <c>[B, H]</c>; zeros when null.</param>
    /// <param name="weightIh">Input weights <c>[3H, In]</c>.</param>
    /// <param name="weightHh">Recurrent weights <c>[3H, H]</c>.</param>
    /// <param name="biasIh">Input bias <c>[3H]</c> or null.</param>
    /// <param name="biasHh">Recurrent bias <c>[3H]</c> or null.</param>
    /// <returns>All states <c>[B, L, H]</c> and the last state <c>[B, H]</c>.</returns>
    public static (Tensor Output, Tensor HN) Gru(Tensor input, Tensor? h0, Tensor weightIh, Tensor weightHh, Tensor? biasIh, Tensor? biasHh)
        => throw new NotImplementedException();
}
