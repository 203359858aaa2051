namespace ParamGen.Tensors.Optim;

/// <summary>
/// AdamW (Loshchilov and Hutter, 2019): Adam with weight decay decoupled from the gradient, exactly
/// <c>torch.optim.AdamW</c>'s update: first <c>p *= 1 - lr * wd</c>, then the <see cref="Adam"/> update
/// on the raw gradient.
/// </summary>
public sealed class AdamW : AdamBase
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to update (e.g. <c>model.Parameters()</c>).</param>
    /// <param name="options">The hyper-parameters; null uses <see cref="AdamWOptions"/>' defaults (weight decay 0.01).</param>
    /// <exception cref="ArgumentException">A parameter is repeated or not a leaf, or an option is invalid.</exception>
    public AdamW(IEnumerable<Tensor> parameters, AdamWOptions? options = null)
        : this([new ParamGroup(parameters)], options)
    {
    }

    /// <summary>Creates the optimizer over several groups.</summary>
    /// <param name="groups">The groups; a group without options takes <paramref name="defaults"/>.</param>
    /// <param name="defaults">The default hyper-parameters; null uses <see cref="AdamWOptions"/>' defaults.</param>
    /// <exception cref="ArgumentException">There is no group, a parameter is in two groups, or an option is invalid.</exception>
    public AdamW(IEnumerable<ParamGroup> groups, AdamWOptions? defaults = null)
        : base(groups, defaults ?? new AdamWOptions())
    {
    }

    /// <inheritdoc />
    public override string Name => nameof(AdamW);

    private protected override Type OptionsType => typeof(AdamWOptions);

    private protected override bool DecoupledWeightDecay => true;
}
