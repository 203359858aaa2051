using ParamGen.Tensors.Memory;

namespace ParamGen.Tensors.Autograd;

/// <summary>
/// One recorded op in the define-by-run graph: its inputs and the rule that, given the gradient of
/// the op's output, accumulates gradients into those inputs through <see cref="AutogradEngine.Accumulate"/>.
/// </summary>
/// <remarks>
/// A rule may create tensors freely, but must not keep any it creates beyond its call except by passing
/// them to <see cref="AutogradEngine.Accumulate"/>: inside a <see cref="TensorScope"/>, <c>Backward</c>
/// recycles every tensor it created as soon as no pending gradient refers to its storage.
/// </remarks>
internal sealed class GradNode(string name, Tensor[] inputs, Action<Tensor> backward)
{
    public string Name { get; } = name;

    public Tensor[] Inputs { get; } = inputs;

    public Action<Tensor> Backward { get; } = backward;

    /// <summary>The scope active when the op was recorded: its saved tensors die with it.</summary>
    public TensorScope? Scope { get; } = TensorScope.Current;

    /// <summary>Whether <c>Backward</c> has run this rule at least once.</summary>
    public bool Consumed { get; set; }
}
