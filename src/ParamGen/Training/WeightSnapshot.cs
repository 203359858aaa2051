using ParamGen.Tensors;
using ParamGen.Tensors.Nn;

namespace ParamGen.Training;

/// <summary>A copy of a module's state (parameters and persistent buffers), taken and restored without new allocations after the first.</summary>
internal sealed class WeightSnapshot
{
    private readonly Dictionary<string, Tensor> _state = new(StringComparer.Ordinal);

    /// <summary>Copies the module's current state into the snapshot.</summary>
    public void Capture(Module module)
    {
        foreach (var (key, t) in module.StateDict())
        {
            if (!_state.TryGetValue(key, out var copy) || copy.Shape != t.Shape)
            {
                copy = new Tensor(new float[t.NumElements], t.Shape.ToArray());
                _state[key] = copy;
            }

            t.AsReadOnlySpan().CopyTo(copy.Span);
        }
    }

    /// <summary>Replaces the snapshot by a state read elsewhere (e.g. a checkpoint file).</summary>
    public void Set(IReadOnlyDictionary<string, Tensor> state)
    {
        _state.Clear();
        foreach (var (key, t) in state)
        {
            _state[key] = t;
        }
    }

    /// <summary>Copies the snapshot back into the module (every key and shape checked first).</summary>
    public void Restore(Module module) => module.LoadStateDict(_state, strict: true);
}
