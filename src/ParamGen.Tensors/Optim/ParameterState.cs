namespace ParamGen.Tensors.Optim;

/// <summary>
/// What an optimizer keeps for one parameter: the number of updates applied to it and its buffers (moment
/// averages, momentum), created on the parameter's first update and reused by every later one.
/// </summary>
internal sealed class ParameterState
{
    public ParameterState(int bufferCount) => Buffers = new float[]?[bufferCount];

    /// <summary>The number of updates applied (PyTorch's <c>state['step']</c>).</summary>
    public long Step { get; set; }

    /// <summary>The buffers, in the order of the optimizer's buffer names; null until first written.</summary>
    public float[]?[] Buffers { get; }
}
