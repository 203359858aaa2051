using ParamGen.Tensors;
using ParamGen.Tensors.Serialization;
using Xunit.Sdk;

namespace ParamGen.Tensors.Tests.Infrastructure;

/// <summary>
/// Reads the golden files written by <c>tests/golden/make_golden.py</c> (PyTorch, float64 reference) and
/// replays a case: same inputs, compare outputs and every input gradient of sum(out_i * gout_i).
/// </summary>
public static class Golden
{
    private static readonly Dictionary<string, SafeTensorsFile> Cache = [];

    public static SafeTensorsFile Load(string group)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(group, out var file))
            {
                string path = Path.Combine(AppContext.BaseDirectory, "Golden", group + ".safetensors");
                file = SafeTensors.Load(path);
                Cache[group] = file;
            }

            return file;
        }
    }

    /// <summary>Inputs C.in0.. of a case (fresh copies that require grad).</summary>
    public static Tensor[] Inputs(SafeTensorsFile file, string name)
    {
        var list = new List<Tensor>();
        for (int i = 0; file.Contains($"{name}.in{i}"); i++)
        {
            list.Add(file[$"{name}.in{i}"].Clone().RequiresGrad_());
        }

        return list.ToArray();
    }

    /// <summary>Non-differentiable input C.aux{i}.</summary>
    public static Tensor Aux(SafeTensorsFile file, string name, int i) => file[$"{name}.aux{i}"].Clone();

    /// <summary>
    /// Runs case <paramref name="name"/> of <paramref name="group"/>: f on its inputs, then checks outputs and
    /// input gradients against PyTorch. Returns the inputs (with their gradients) for extra checks.
    /// </summary>
    public static Tensor[] Run(string group, string name, Func<Tensor[], Tensor[]> f, double rtol = 1e-4, double atol = 1e-5, bool checkGrads = true)
    {
        var file = Load(group);
        var xs = Inputs(file, name);
        var outs = f(xs);
        CompareOutputsAndBackward(file, name, outs, rtol, atol, checkGrads);
        if (checkGrads)
        {
            for (int i = 0; i < xs.Length; i++)
            {
                if (file.Contains($"{name}.grad{i}"))
                {
                    var g = xs[i].Grad ?? Tensor.ZerosLike(xs[i]);
                    TensorAssert.Close(file[$"{name}.grad{i}"], g, rtol, atol, $"{group}/{name} grad of input {i}");
                }
            }
        }

        return xs;
    }

    /// <summary>Single-output convenience overload.</summary>
    public static Tensor[] Run(string group, string name, Func<Tensor[], Tensor> f, double rtol = 1e-4, double atol = 1e-5, bool checkGrads = true)
        => Run(group, name, xs => [f(xs)], rtol, atol, checkGrads);

    /// <summary>Compares outputs with C.out{i} and, when C.gout{i} exist, runs backward with them.</summary>
    public static void CompareOutputsAndBackward(SafeTensorsFile file, string name, Tensor[] outs, double rtol, double atol, bool backward = true)
    {
        Tensor? total = null;
        for (int i = 0; i < outs.Length; i++)
        {
            if (!file.Contains($"{name}.out{i}"))
            {
                throw new XunitException($"Golden case '{name}' has no out{i}; the test and tests/golden disagree.");
            }

            TensorAssert.Close(file[$"{name}.out{i}"], outs[i], rtol, atol, $"{name} output {i}");
            if (backward && file.Contains($"{name}.gout{i}") && outs[i].RequiresGrad)
            {
                var term = outs[i].Mul(file[$"{name}.gout{i}"]).Sum();
                total = total is null ? term : total.Add(term);
            }
        }

        total?.Backward();
    }
}
