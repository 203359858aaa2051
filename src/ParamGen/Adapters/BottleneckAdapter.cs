using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;

namespace ParamGen.Adapters;

/// <summary>
/// The bottleneck adapter of Houlsby et al. (2019), used by Paragon and HAMUR:
/// <c>y = x + act(x · down + down_bias) · up + up_bias</c>, down <c>[d, r]</c>, up <c>[r, d]</c> (the residual is optional).
/// </summary>
/// <remarks>
/// <para>Weights, in layout order: <c>down [d, r]</c>, <c>down_bias [r]</c>, <c>up [r, d]</c>, <c>up_bias [d]</c>. Static, they are
/// parameters under those names (state keys <c>adapters.{slot}.down</c>, ...); Generated, they are read per sample from the
/// generator's packed output by <see cref="ParameterView.MatMul"/>, one batched product per projection with the bias fused.</para>
/// <para>Static initialisation: <c>down</c> as PyTorch's <c>nn.Linear</c> (U(±1/√d)), <c>up</c> ~ N(0, 0.01²) and zero biases, so
/// a new residual adapter is close to the identity (the pretrained backbone's output barely moves) while both
/// projections get gradients from the first step. Without the residual, <c>up</c> is initialised as <c>down</c> (U(±1/√r)).</para>
/// </remarks>
public sealed class BottleneckAdapter : Adapter
{
    private readonly WeightSpec[] _specs;
    private readonly Parameter? _down, _downBias, _up, _upBias;

    /// <summary>Creates the adapter.</summary>
    /// <param name="width">The slot width d.</param>
    /// <param name="bottleneck">The bottleneck width r (commonly d/2 to d/8).</param>
    /// <param name="source">Where the weights come from (default <see cref="AdapterWeightSource.Static"/>).</param>
    /// <param name="activation">The nonlinearity after the down projection (default ReLU, as Houlsby et al.).</param>
    /// <param name="residual">Whether to add the input back (default true).</param>
    /// <param name="generator">Randomness for the static initialisation; <see cref="Generator.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A width is below 1.</exception>
    public BottleneckAdapter(int width, int bottleneck, AdapterWeightSource source = AdapterWeightSource.Static,
        AdapterActivation activation = AdapterActivation.Relu, bool residual = true, Generator? generator = null)
        : base(width, source)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bottleneck, 1);
        Bottleneck = bottleneck;
        Activation = activation;
        Residual = residual;
        _specs = [new("down", [width, bottleneck]), new("down_bias", [bottleneck]), new("up", [bottleneck, width]), new("up_bias", [width])];
        if (source == AdapterWeightSource.Static)
        {
            var g = generator ?? Generator.Default;
            _down = RegisterParameter("down", new Parameter(Tensor.Zeros(width, bottleneck)))!;
            _downBias = RegisterParameter("down_bias", new Parameter(Tensor.Zeros(bottleneck)))!;
            _up = RegisterParameter("up", new Parameter(Tensor.Zeros(bottleneck, width)))!;
            _upBias = RegisterParameter("up_bias", new Parameter(Tensor.Zeros(width)))!;
            float bound = 1f / MathF.Sqrt(width);
            Init.Uniform(_down, -bound, bound, g);
            if (residual)
            {
                Init.Normal(_up, 0f, 0.01f, g);
            }
            else
            {
                float upBound = 1f / MathF.Sqrt(bottleneck);
                Init.Uniform(_up, -upBound, upBound, g);
            }
        }
    }

    /// <summary>The bottleneck width r.</summary>
    public int Bottleneck { get; }

    /// <summary>The nonlinearity after the down projection.</summary>
    public AdapterActivation Activation { get; }

    /// <summary>Whether the input is added back.</summary>
    public bool Residual { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<WeightSpec> WeightSpecs => _specs;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x, SlotWeights? weights)
    {
        CheckInput(x);
        Tensor y;
        if (Source == AdapterWeightSource.Static)
        {
            var h = Activation.Apply(x.MatMul(_down!).Add(_downBias!)); // [B, L, r]
            y = h.MatMul(_up!).Add(_upBias!);                           // [B, L, d]
        }
        else
        {
            var w = RequireWeights(x, weights);
            var h = Activation.Apply(w["down"].MatMul(x, w["down_bias"])); // [B, L, r]
            y = w["up"].MatMul(h, w["up_bias"]);                           // [B, L, d]
        }

        return Residual ? x.Add(y) : y;
    }
}
