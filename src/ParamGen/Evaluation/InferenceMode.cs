using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Nn;

namespace ParamGen.Evaluation;

/// <summary>
/// Puts a module in evaluation mode without gradient recording for a block, then restores the mode it was in
/// (training loops call evaluation between epochs and must get their dropout back).
/// </summary>
internal readonly struct InferenceMode : IDisposable
{
    private readonly Module _module;
    private readonly bool _wasTraining;
    private readonly NoGradScope _noGrad;

    private InferenceMode(Module module)
    {
        _module = module;
        _wasTraining = module.Training;
        module.Eval();
        _noGrad = Grad.NoGrad();
    }

    /// <summary>Enters inference mode for <paramref name="module"/>.</summary>
    public static InferenceMode Enter(Module module) => new(module);

    /// <inheritdoc/>
    public void Dispose()
    {
        _noGrad.Dispose();
        if (_wasTraining)
        {
            _module.Train();
        }
    }
}
