using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Tests.Infrastructure;
using Xunit.Sdk;

namespace ParamGen.Tensors.Tests.Nn;

/// <summary>
/// Replays a module case of the "modules" golden group: loads the PyTorch state (C.p.*, C.b.*) into the module with a
/// strict LoadStateDict (so every key must match PyTorch's), runs the forward, compares outputs, backpropagates the
/// recorded upstream gradients and compares every input gradient and every parameter gradient.
/// </summary>
internal static class ModuleGolden
{
    public const string Group = "modules";

    /// <summary>The recorded state of case <paramref name="name"/> under PyTorch's keys.</summary>
    public static Dictionary<string, Tensor> State(string name)
    {
        var file = Golden.Load(Group);
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, t) in file.Tensors)
        {
            foreach (string prefix in new[] { $"{name}.p.", $"{name}.b." })
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    state[key[prefix.Length..]] = t;
                }
            }
        }

        if (state.Count == 0)
        {
            throw new XunitException($"Golden group '{Group}' has no state for case '{name}'.");
        }

        return state;
    }

    /// <summary>A recorded tensor of the case (e.g. <c>aux0</c> or <c>post.running_mean</c>), copied.</summary>
    public static Tensor Get(string name, string suffix) => Golden.Load(Group)[$"{name}.{suffix}"].Clone();

    /// <summary>Runs the case; returns the inputs (with their gradients) for extra checks.</summary>
    public static Tensor[] Run(string name, Module module, Func<Tensor[], Tensor[]> forward, double rtol = 1e-4, double atol = 1e-5)
    {
        var file = Golden.Load(Group);
        var result = module.LoadStateDict(State(name));
        Assert.Empty(result.MissingKeys);
        Assert.Empty(result.UnexpectedKeys);

        var xs = Golden.Inputs(file, name);
        var outs = forward(xs);
        Golden.CompareOutputsAndBackward(file, name, outs, rtol, atol);
        for (int i = 0; i < xs.Length; i++)
        {
            TensorAssert.Close(file[$"{name}.grad{i}"], xs[i].Grad ?? Tensor.ZerosLike(xs[i]), rtol, atol, $"{name} grad of input {i}");
        }

        int compared = 0;
        foreach (var (pname, p) in module.NamedParameters())
        {
            TensorAssert.Close(file[$"{name}.pgrad.{pname}"], p.Grad ?? Tensor.ZerosLike(p), rtol, atol, $"{name} grad of parameter {pname}");
            compared++;
        }

        int recorded = file.Tensors.Count(kv => kv.Key.StartsWith($"{name}.pgrad.", StringComparison.Ordinal));
        Assert.Equal(recorded, compared);
        return xs;
    }

    /// <summary>Single-output convenience overload.</summary>
    public static Tensor[] Run(string name, Module module, Func<Tensor[], Tensor> forward, double rtol = 1e-4, double atol = 1e-5)
        => Run(name, module, xs => [forward(xs)], rtol, atol);
}
