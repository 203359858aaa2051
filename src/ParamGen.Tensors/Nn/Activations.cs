namespace ParamGen.Tensors.Nn;

/// <summary>Rectified linear unit max(x, 0) as a module, as <c>torch.nn.ReLU</c>. Holds no state.</summary>
public sealed class Relu : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Relu();
}

/// <summary>Gaussian error linear unit as a module, as <c>torch.nn.GELU</c>. Holds no state.</summary>
/// <param name="tanhApproximation">Use PyTorch's <c>approximate='tanh'</c> form (default false: the exact erf form).</param>
public sealed class Gelu(bool tanhApproximation = false) : Module<Tensor, Tensor>
{
    /// <summary>Whether the tanh approximation is used.</summary>
    public bool TanhApproximation { get; } = tanhApproximation;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Gelu(TanhApproximation);
}

/// <summary>Hyperbolic tangent as a module, as <c>torch.nn.Tanh</c>. Holds no state.</summary>
public sealed class Tanh : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Tanh();
}

/// <summary>Logistic sigmoid as a module, as <c>torch.nn.Sigmoid</c>. Holds no state.</summary>
public sealed class Sigmoid : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Sigmoid();
}

/// <summary>Sigmoid linear unit x·σ(x) as a module, as <c>torch.nn.SiLU</c>. Holds no state.</summary>
public sealed class Silu : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Silu();
}
