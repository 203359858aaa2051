namespace ParamGen.Tensors.Autograd;

/// <summary>
/// One recorded op in the define-by-run graph: its inputs and the rule that, given the gradient of
/// the op's output, accumulates gradients into those inputs through <see cref="AutogradEngine.Accumulate"/>.
/// </summary>
internal sealed class GradNode(string name, Tensor[] inputs, Action<Tensor> backward)
{
    public string Name { get; } = name;

    public Tensor[] Inputs { get; } = inputs;

    public Action<Tensor> Backward { get; } = backward;
}
