namespace ParamGen.Tensors.Optim;

/// <summary>
/// Adam (Kingma and Ba, 2015) with optional AMSGrad and L2 weight decay added to the gradient: exactly
/// <c>torch.optim.Adam</c>'s update. With <c>g' = g + wd * p</c>: <c>m = b1 m + (1 - b1) g'</c>,
/// <c>v = b2 v + (1 - b2) g'^2</c>, <c>p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)</c>
/// (with <c>v</c> replaced by its running maximum under AMSGrad).
/// </summary>
public sealed class Adam : AdamBase
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to update (e.g. <c>model.Parameters()</c>).</param>
    /// <param name="options">The hyper-parameters; null uses <see cref="AdamOptions"/>' defaults.</param>
    /// <exception cref="ArgumentException">A parameter is repeated or not a leaf, or an option is invalid.</exception>
    public Adam(IEnumerable<Tensor> parameters, AdamOptions? options = null)
        : this([new ParamGroup(parameters)], options)
    {
    }

    /// <summary>Creates the optimizer over several groups.</summary>
    /// <param name="groups">The groups; a group without options takes <paramref name="defaults"/>.</param>
    /// <param name="defaults">The default hyper-parameters; null uses <see cref="AdamOptions"/>' defaults.</param>
    /// <exception cref="ArgumentException">There is no group, a parameter is in two groups, or an option is invalid.</exception>
    public Adam(IEnumerable<ParamGroup> groups, AdamOptions? defaults = null)
        : base(groups, defaults ?? new AdamOptions())
    {
    }

    /// <inheritdoc />
    public override string Name => nameof(Adam);

    private protected override Type OptionsType => typeof(AdamOptions);

    private protected override bool DecoupledWeightDecay => false;
}
