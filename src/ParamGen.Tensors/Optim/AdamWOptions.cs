namespace ParamGen.Tensors.Optim;

/// <summary>
/// Hyper-parameters of <see cref="AdamW"/>, with <c>torch.optim.AdamW</c>'s meaning: as
/// <see cref="AdamOptions"/>, but <see cref="OptimizerOptions.WeightDecay"/> is decoupled from the gradient
/// and defaults to 0.01.
/// </summary>
public sealed record AdamWOptions : AdamOptions
{
    /// <summary>Creates the options with PyTorch's AdamW defaults (weight decay 0.01).</summary>
    public AdamWOptions() => WeightDecay = 0.01;
}
