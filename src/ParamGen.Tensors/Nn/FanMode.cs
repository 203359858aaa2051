namespace ParamGen.Tensors.Nn;

/// <summary>Which fan the Kaiming initialisers preserve the variance of, as PyTorch's <c>mode=</c> argument.</summary>
public enum FanMode
{
    /// <summary>Preserve the variance of activations in the forward pass (<c>'fan_in'</c>, the default).</summary>
    FanIn,

    /// <summary>Preserve the variance of gradients in the backward pass (<c>'fan_out'</c>).</summary>
    FanOut,
}
