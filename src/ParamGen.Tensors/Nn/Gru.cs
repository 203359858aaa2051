using System.Globalization;
using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Nn;

/// <summary>
/// A stack of GRU layers over batch-first sequences, as <c>torch.nn.GRU(input_size, hidden_size, num_layers, bias,
/// batch_first=True, dropout)</c> (unidirectional), computed with <see cref="Functional.Gru"/>.
/// </summary>
/// <remarks>
/// <para>State keys are PyTorch's, per layer k: <c>weight_ih_l{k}</c> <c>[3H, In_k]</c>, <c>weight_hh_l{k}</c>
/// <c>[3H, H]</c>, <c>bias_ih_l{k}</c> <c>[3H]</c>, <c>bias_hh_l{k}</c> <c>[3H]</c>, with gates in PyTorch's order
/// (reset, update, new); In_0 is the input size and In_k = H above.</para>
/// <para>Initialised as PyTorch: every parameter ~ U(-1/sqrt(H), 1/sqrt(H)).</para>
/// </remarks>
public sealed class Gru : Module<Tensor, (Tensor Output, Tensor HN)>
{
    private readonly Generator? _generator;
    private readonly Parameter[] _weightIh;
    private readonly Parameter[] _weightHh;
    private readonly Parameter?[] _biasIh;
    private readonly Parameter?[] _biasHh;

    /// <summary>Creates the stack.</summary>
    /// <param name="inputSize">The width of each input step.</param>
    /// <param name="hiddenSize">The state width H.</param>
    /// <param name="numLayers">The number of stacked layers (default 1).</param>
    /// <param name="bias">Whether the layers have biases (default true).</param>
    /// <param name="dropout">Dropout probability on the output of every layer but the last, in training mode (default 0).</param>
    /// <param name="generator">The random source for initialisation and dropout; <see cref="Generator.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or <paramref name="dropout"/> is outside [0, 1].</exception>
    public Gru(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, float dropout = 0f, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numLayers, 1);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        DropoutP = Dropout.CheckProbability(dropout, nameof(Gru));
        _generator = generator;
        _weightIh = new Parameter[numLayers];
        _weightHh = new Parameter[numLayers];
        _biasIh = new Parameter?[numLayers];
        _biasHh = new Parameter?[numLayers];
        int gates = 3 * hiddenSize;
        for (int k = 0; k < numLayers; k++)
        {
            string l = k.ToString(CultureInfo.InvariantCulture);
            _weightIh[k] = RegisterParameter($"weight_ih_l{l}", new Parameter(Tensor.Zeros(gates, k == 0 ? inputSize : hiddenSize)))!;
            _weightHh[k] = RegisterParameter($"weight_hh_l{l}", new Parameter(Tensor.Zeros(gates, hiddenSize)))!;
            _biasIh[k] = RegisterParameter($"bias_ih_l{l}", bias ? new Parameter(Tensor.Zeros(gates)) : null);
            _biasHh[k] = RegisterParameter($"bias_hh_l{l}", bias ? new Parameter(Tensor.Zeros(gates)) : null);
        }

        ResetParameters(generator);
    }

    /// <summary>The width of each input step.</summary>
    public int InputSize { get; }

    /// <summary>The state width H.</summary>
    public int HiddenSize { get; }

    /// <summary>The number of stacked layers.</summary>
    public int NumLayers { get; }

    /// <summary>The dropout probability between layers (training mode only).</summary>
    public float DropoutP { get; }

    /// <summary>The input weights <c>[3H, In_k]</c> of each layer.</summary>
    public IReadOnlyList<Parameter> WeightIh => _weightIh;

    /// <summary>The recurrent weights <c>[3H, H]</c> of each layer.</summary>
    public IReadOnlyList<Parameter> WeightHh => _weightHh;

    /// <summary>The input biases <c>[3H]</c> of each layer (null entries without biases).</summary>
    public IReadOnlyList<Parameter?> BiasIh => _biasIh;

    /// <summary>The recurrent biases <c>[3H]</c> of each layer (null entries without biases).</summary>
    public IReadOnlyList<Parameter?> BiasHh => _biasHh;

    /// <summary>Re-draws every parameter from U(-1/sqrt(H), 1/sqrt(H)), in registration order.</summary>
    /// <param name="generator">The random source; <see cref="Generator.Default"/> when null.</param>
    public void ResetParameters(Generator? generator = null)
    {
        float bound = 1f / MathF.Sqrt(HiddenSize);
        foreach (var p in Parameters(recurse: false))
        {
            Init.Uniform(p, -bound, bound, generator);
        }
    }

    /// <summary>Runs the stack from a zero initial state.</summary>
    public override (Tensor Output, Tensor HN) Forward(Tensor input) => Forward(input, null);

    /// <summary>Runs the stack over <paramref name="input"/>.</summary>
    /// <param name="input">The sequence <c>[B, L, In]</c> (or unbatched <c>[L, In]</c>).</param>
    /// <param name="h0">The initial states <c>[layers, B, H]</c> (or <c>[layers, H]</c> when unbatched); zeros when null.</param>
    /// <returns>The last layer's states at every step <c>[B, L, H]</c> and every layer's final state <c>[layers, B, H]</c>
    /// (without the batch dim when unbatched).</returns>
    /// <exception cref="ArgumentException">A shape does not fit; the message names the shapes.</exception>
    public (Tensor Output, Tensor HN) Forward(Tensor input, Tensor? h0)
    {
        ArgumentNullException.ThrowIfNull(input);
        if ((input.Rank != 2 && input.Rank != 3) || input.Shape[-1] != InputSize)
        {
            throw new ArgumentException($"Gru(input {InputSize}, hidden {HiddenSize}) expects input [B, L, {InputSize}] or [L, {InputSize}]; got {input.Shape}.", nameof(input));
        }

        if (input.Rank == 2)
        {
            if (h0 is not null && h0.Shape != new Shape(NumLayers, HiddenSize))
            {
                throw new ArgumentException($"Gru: an unbatched input {input.Shape} needs h0 [layers, H] = [{NumLayers}, {HiddenSize}]; got {h0.Shape}.", nameof(h0));
            }

            var (o, hn) = Forward(input.Unsqueeze(0), h0?.Unsqueeze(1));
            return (o.Squeeze(0), hn.Squeeze(1));
        }

        int b = input.Shape[0];
        if (h0 is not null && h0.Shape != new Shape(NumLayers, b, HiddenSize))
        {
            throw new ArgumentException($"Gru: h0 must be [layers, B, H] = [{NumLayers}, {b}, {HiddenSize}]; got {h0.Shape}.", nameof(h0));
        }

        var x = input;                                                             // [B, L, In]
        var finals = new Tensor[NumLayers];
        for (int k = 0; k < NumLayers; k++)
        {
            var hk = h0?.Select(0, k);                                             // [B, H]
            (x, finals[k]) = Functional.Gru(x, hk, _weightIh[k], _weightHh[k], _biasIh[k], _biasHh[k]); // [B, L, H], [B, H]
            if (k < NumLayers - 1 && Training && DropoutP > 0)
            {
                x = Functional.Dropout(x, DropoutP, training: true, _generator);
            }
        }

        var hN = NumLayers == 1 ? finals[0].Unsqueeze(0) : Tensor.Stack(finals, 0); // [layers, B, H]
        return (x, hN);
    }
}
