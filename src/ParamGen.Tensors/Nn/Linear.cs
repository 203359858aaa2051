using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Nn;

/// <summary>
/// Affine layer <c>y = x W^T + b</c>, as <c>torch.nn.Linear</c>. State keys: <c>weight</c> <c>[out, in]</c> and
/// <c>bias</c> <c>[out]</c>.
/// </summary>
/// <remarks>Initialised as PyTorch: weight ~ kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)), and
/// bias ~ U(-1/sqrt(in), 1/sqrt(in)).</remarks>
public sealed class Linear : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inFeatures">The size of each input sample.</param>
    /// <param name="outFeatures">The size of each output sample.</param>
    /// <param name="bias">Whether to learn an additive bias (default true).</param>
    /// <param name="generator">The random source for initialisation; <see cref="Generator.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", new Parameter(Tensor.Zeros(outFeatures, inFeatures)))!;
        Bias = RegisterParameter("bias", bias ? new Parameter(Tensor.Zeros(outFeatures)) : null);
        ResetParameters(generator);
    }

    /// <summary>The size of each input sample.</summary>
    public int InFeatures { get; }

    /// <summary>The size of each output sample.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight <c>[out, in]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias <c>[out]</c>, or null when created without one.</summary>
    public Parameter? Bias { get; }

    /// <summary>Re-draws the parameters with PyTorch's default initialisation.</summary>
    /// <param name="generator">The random source; <see cref="Generator.Default"/> when null.</param>
    public void ResetParameters(Generator? generator = null) => Init.LinearDefault(Weight, Bias, generator);

    /// <summary>Applies the layer to <paramref name="input"/> <c>[*, in]</c>, giving <c>[*, out]</c>.</summary>
    /// <exception cref="ArgumentException">The last dimension of the input is not <see cref="InFeatures"/>.</exception>
    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);
}
