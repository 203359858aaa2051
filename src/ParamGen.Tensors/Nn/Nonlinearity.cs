namespace ParamGen.Tensors.Nn;

/// <summary>The nonlinearity an initialiser scales for, as the strings accepted by <c>torch.nn.init.calculate_gain</c>.</summary>
public enum Nonlinearity
{
    /// <summary>Identity (<c>'linear'</c>); gain 1.</summary>
    Linear,

    /// <summary>Convolution without activation (<c>'conv1d'</c>, <c>'conv2d'</c>, ...); gain 1.</summary>
    Conv,

    /// <summary>Logistic sigmoid; gain 1.</summary>
    Sigmoid,

    /// <summary>Hyperbolic tangent; gain 5/3.</summary>
    Tanh,

    /// <summary>Rectified linear unit; gain sqrt(2).</summary>
    Relu,

    /// <summary>Leaky ReLU with negative slope a; gain sqrt(2 / (1 + a^2)) (a defaults to 0.01).</summary>
    LeakyRelu,

    /// <summary>Scaled exponential linear unit; gain 3/4.</summary>
    Selu,
}
