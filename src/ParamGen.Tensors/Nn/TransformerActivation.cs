namespace ParamGen.Tensors.Nn;

/// <summary>The activation of a <see cref="TransformerBlock"/>'s feed-forward layer, as PyTorch's <c>activation=</c> argument.</summary>
public enum TransformerActivation
{
    /// <summary>Rectified linear unit (<c>"relu"</c>, the default).</summary>
    Relu,

    /// <summary>Exact (erf) Gaussian error linear unit (<c>"gelu"</c>).</summary>
    Gelu,
}
