namespace ParamGen.Training;

/// <summary>The optimizer a <see cref="Trainer"/> builds.</summary>
public enum OptimizerKind
{
    /// <summary>Adam with weight decay added to the gradient as an L2 term (<c>torch.optim.Adam</c>; the default).</summary>
    Adam,

    /// <summary>AdamW: weight decay applied to the parameters directly, decoupled from the gradient (<c>torch.optim.AdamW</c>).</summary>
    AdamW,
}
