using ParamGen.Tensors;

namespace ParamGen.Adapters;

/// <summary>The nonlinearity between an adapter's layers.</summary>
public enum AdapterActivation
{
    /// <summary>max(0, x): the activation of the original bottleneck adapters (Houlsby et al., 2019).</summary>
    Relu,

    /// <summary>Exact GELU.</summary>
    Gelu,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,

    /// <summary>x · sigmoid(x).</summary>
    Silu,

    /// <summary>Logistic sigmoid.</summary>
    Sigmoid,

    /// <summary>None (the layers compose linearly).</summary>
    Identity,
}

/// <summary>Applies an <see cref="AdapterActivation"/>.</summary>
internal static class AdapterActivationExtensions
{
    public static Tensor Apply(this AdapterActivation activation, Tensor x) => activation switch
    {
        AdapterActivation.Relu => x.Relu(),
        AdapterActivation.Gelu => x.Gelu(),
        AdapterActivation.Tanh => x.Tanh(),
        AdapterActivation.Silu => x.Silu(),
        AdapterActivation.Sigmoid => x.Sigmoid(),
        AdapterActivation.Identity => x,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown adapter activation."),
    };
}
