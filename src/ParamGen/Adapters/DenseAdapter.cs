using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;

namespace ParamGen.Adapters;

/// <summary>
/// Dense layer(s) on the state, as the generated user-state layers of DUET and SOLID: widths
/// <c>d -> h1 -> ... -> d</c>, the activation between layers (not after the last), and optionally the input added back:
/// <c>y = x + f(x)</c>.
/// </summary>
/// <remarks>
/// <para>Weights, in layout order: <c>layer0 [d, h1]</c>, <c>layer0_bias [h1]</c>, ..., <c>layer{n} [h_n, d]</c>,
/// <c>layer{n}_bias [d]</c>; with no hidden layers, one <c>layer0 [d, d]</c> and its bias. Generated weights are read
/// per sample from the packed output, one batched product per layer with the bias fused.</para>
/// <para>Static initialisation: each layer as PyTorch's <c>nn.Linear</c> (U(±1/√fan_in)), zero biases; with the residual
/// (the default), the last layer ~ N(0, 0.01²) so the new adapter starts close to the identity.</para>
/// </remarks>
public sealed class DenseAdapter : Adapter
{
    private readonly WeightSpec[] _specs;
    private readonly Parameter[] _weights = [];
    private readonly Parameter[] _biases = [];

    /// <summary>Creates the adapter.</summary>
    /// <param name="width">The slot width d.</param>
    /// <param name="hidden">Widths of the hidden layers; null or empty (the default) for a single <c>d -> d</c> layer.</param>
    /// <param name="source">Where the weights come from (default <see cref="AdapterWeightSource.Static"/>).</param>
    /// <param name="activation">The nonlinearity between layers (default ReLU).</param>
    /// <param name="residual">Whether to add the input back (default true).</param>
    /// <param name="generator">Randomness for the static initialisation; <see cref="Generator.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A width is below 1.</exception>
    public DenseAdapter(int width, IReadOnlyList<int>? hidden = null, AdapterWeightSource source = AdapterWeightSource.Static,
        AdapterActivation activation = AdapterActivation.Relu, bool residual = true, Generator? generator = null)
        : base(width, source)
    {
        hidden ??= [];
        foreach (int h in hidden)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(h, 1, nameof(hidden));
        }

        Widths = [width, .. hidden, width];
        Activation = activation;
        Residual = residual;
        int layers = Widths.Count - 1;
        _specs = new WeightSpec[2 * layers];
        for (int i = 0; i < layers; i++)
        {
            _specs[2 * i] = new($"layer{i}", [Widths[i], Widths[i + 1]]);
            _specs[(2 * i) + 1] = new($"layer{i}_bias", [Widths[i + 1]]);
        }

        if (source == AdapterWeightSource.Static)
        {
            var g = generator ?? Generator.Default;
            _weights = new Parameter[layers];
            _biases = new Parameter[layers];
            for (int i = 0; i < layers; i++)
            {
                _weights[i] = RegisterParameter(_specs[2 * i].Name, new Parameter(Tensor.Zeros(Widths[i], Widths[i + 1])))!;
                _biases[i] = RegisterParameter(_specs[(2 * i) + 1].Name, new Parameter(Tensor.Zeros(Widths[i + 1])))!;
                if (residual && i == layers - 1)
                {
                    Init.Normal(_weights[i], 0f, 0.01f, g);
                }
                else
                {
                    float bound = 1f / MathF.Sqrt(Widths[i]);
                    Init.Uniform(_weights[i], -bound, bound, g);
                }
            }
        }
    }

    /// <summary>The layer widths from input to output: <c>[d, h1, ..., d]</c>.</summary>
    public IReadOnlyList<int> Widths { get; }

    /// <summary>The nonlinearity between layers.</summary>
    public AdapterActivation Activation { get; }

    /// <summary>Whether the input is added back.</summary>
    public bool Residual { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<WeightSpec> WeightSpecs => _specs;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x, SlotWeights? weights)
    {
        CheckInput(x);
        var w = Source == AdapterWeightSource.Generated ? RequireWeights(x, weights) : null;
        int layers = Widths.Count - 1;
        var h = x; // [B, L, d]
        for (int i = 0; i < layers; i++)
        {
            if (i > 0)
            {
                h = Activation.Apply(h);
            }

            h = w is null
                ? h.MatMul(_weights[i]).Add(_biases[i])                            // [B, L, h_{i+1}]
                : w[_specs[2 * i].Name].MatMul(h, w[_specs[(2 * i) + 1].Name]);    // [B, L, h_{i+1}]
        }

        return Residual ? x.Add(h) : h;
    }
}
