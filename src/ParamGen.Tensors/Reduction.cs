namespace ParamGen.Tensors;

/// <summary>How a loss reduces its per-element values, as PyTorch's <c>reduction=</c> argument.</summary>
public enum Reduction
{
    /// <summary>No reduction: one value per element (or per sample).</summary>
    None,

    /// <summary>The mean over elements (over non-ignored targets for cross-entropy). The default.</summary>
    Mean,

    /// <summary>The sum over elements.</summary>
    Sum,
}
