using System.Numerics.Tensors;

namespace ParamGen.Tensors.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and (L2) weight decay:
/// exactly <c>torch.optim.SGD</c>'s update. With <c>d = g + wd * p</c>: the momentum buffer starts as
/// <c>d</c> and becomes <c>momentum * buf + (1 - dampening) * d</c>; the step uses <c>d + momentum * buf</c>
/// (Nesterov) or <c>buf</c>; then <c>p -= lr * step</c>.
/// </summary>
public sealed class Sgd : Optimizer
{
    private static readonly string[] MomentumBuffers = ["momentum_buffer"];

    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to update (e.g. <c>model.Parameters()</c>).</param>
    /// <param name="options">The hyper-parameters; null uses <see cref="SgdOptions"/>' defaults.</param>
    /// <exception cref="ArgumentException">A parameter is repeated or not a leaf, or an option is invalid.</exception>
    public Sgd(IEnumerable<Tensor> parameters, SgdOptions? options = null)
        : this([new ParamGroup(parameters)], options)
    {
    }

    /// <summary>Creates the optimizer over several groups.</summary>
    /// <param name="groups">The groups; a group without options takes <paramref name="defaults"/>.</param>
    /// <param name="defaults">The default hyper-parameters; null uses <see cref="SgdOptions"/>' defaults.</param>
    /// <exception cref="ArgumentException">There is no group, a parameter is in two groups, or an option is invalid.</exception>
    public Sgd(IEnumerable<ParamGroup> groups, SgdOptions? defaults = null)
        : base(groups, defaults ?? new SgdOptions())
    {
    }

    /// <inheritdoc />
    public override string Name => nameof(Sgd);

    private protected override Type OptionsType => typeof(SgdOptions);

    private protected override string[] BufferNames(OptimizerOptions options) =>
        ((SgdOptions)options).Momentum != 0 ? MomentumBuffers : [];

    private protected override void Update(OptimizerOptions options, double learningRate, Span<float> param, ReadOnlySpan<float> grad, ParameterState state, Span<float> scratchA, Span<float> scratchB)
    {
        var o = (SgdOptions)options;
        ReadOnlySpan<float> d = grad;
        if (o.WeightDecay != 0)
        {
            TensorPrimitives.MultiplyAdd(param, (float)o.WeightDecay, grad, scratchA); // d = g + wd * p
            d = scratchA;
        }

        if (o.Momentum != 0)
        {
            float momentum = (float)o.Momentum;
            var buf = state.Buffers[0];
            if (buf is null)
            {
                buf = d.ToArray();
                state.Buffers[0] = buf;
            }
            else
            {
                TensorPrimitives.Multiply(buf, momentum, buf);
                TensorPrimitives.MultiplyAdd(d, (float)(1 - o.Dampening), buf, buf);
            }

            if (o.Nesterov)
            {
                TensorPrimitives.MultiplyAdd(buf, momentum, d, scratchA); // d + momentum * buf (d may be scratchA: same element, read first)
                d = scratchA;
            }
            else
            {
                d = buf;
            }
        }

        TensorPrimitives.MultiplyAdd(d, (float)-learningRate, param, param);
    }
}
