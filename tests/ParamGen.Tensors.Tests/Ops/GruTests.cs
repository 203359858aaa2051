using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using Xunit.Sdk;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>The GRU layer: agreement with torch.nn.GRU, backpropagation through time, and shape validation.</summary>
public class GruTests
{
    private const string Group = "seq";

    private static Tensor R(Generator g, float scale, params int[] shape) => Tensor.Randn(shape, g).Mul(scale).Detach();

    /// <summary>
    /// Replays a module case recorded from torch.nn.GRU(batch_first=True): its weights (C.p.*) go in as the
    /// functional op's arguments; outputs, input gradients and weight gradients (C.pgrad.*) must agree.
    /// </summary>
    private static void RunModuleCase(string name, bool withH0, bool bias)
    {
        var file = Golden.Load(Group);
        var xs = Golden.Inputs(file, name);
        Tensor P(string p) => file[$"{name}.p.{p}"].Clone().RequiresGrad_();
        var weights = new Dictionary<string, Tensor> { ["weight_ih_l0"] = P("weight_ih_l0"), ["weight_hh_l0"] = P("weight_hh_l0") };
        if (bias)
        {
            weights["bias_ih_l0"] = P("bias_ih_l0");
            weights["bias_hh_l0"] = P("bias_hh_l0");
        }

        var (y, hn) = F.Gru(xs[0], withH0 ? xs[1] : null, weights["weight_ih_l0"], weights["weight_hh_l0"],
            weights.GetValueOrDefault("bias_ih_l0"), weights.GetValueOrDefault("bias_hh_l0"));
        Golden.CompareOutputsAndBackward(file, name, [y, hn], 1e-4, 1e-5);
        for (int i = 0; i < xs.Length; i++)
        {
            TensorAssert.Close(file[$"{name}.grad{i}"], xs[i].Grad!, 1e-4, 1e-5, $"{name} grad of input {i}");
        }

        foreach (var (key, w) in weights)
        {
            TensorAssert.Close(file[$"{name}.pgrad.{key}"], w.Grad!, 1e-4, 1e-5, $"{name} grad of {key}");
        }
    }

    [Fact]
    public void GruWithInitialStateAndBiasesMatchesTorch() => RunModuleCase("gru.full", withH0: true, bias: true);

    [Fact]
    public void GruWithoutInitialStateMatchesTorch() => RunModuleCase("gru.noh0", withH0: false, bias: true);

    [Fact]
    public void GruWithoutBiasesMatchesTorch() => RunModuleCase("gru.nobias", withH0: true, bias: false);

    [Fact]
    public void GruOfLengthOneMatchesTorch() => RunModuleCase("gru.len1", withH0: true, bias: true);

    [Theory]
    [InlineData(2, 5, 3, 4)]
    [InlineData(1, 1, 1, 1)]
    [InlineData(3, 7, 17, 9)]
    public void GradientsOfAllStatesMatchFiniteDifferences(int b, int l, int inF, int h)
    {
        var g = new Generator(21);
        Tensor[] inputs = [R(g, 1f, b, l, inF), R(g, 1f, b, h), R(g, 0.5f, 3 * h, inF), R(g, 0.5f, 3 * h, h), R(g, 0.5f, 3 * h), R(g, 0.5f, 3 * h)];
        GradCheck.Check(x => F.Gru(x[0], x[1], x[2], x[3], x[4], x[5]).Output, inputs);
    }

    [Fact]
    public void GradientsThroughTheLastStateOnlyMatchFiniteDifferences()
    {
        var g = new Generator(22);
        Tensor[] inputs = [R(g, 1f, 2, 6, 3), R(g, 0.5f, 12, 3), R(g, 0.5f, 12, 4), R(g, 0.5f, 12)];
        GradCheck.Check(x => F.Gru(x[0], null, x[1], x[2], x[3], null).HN, inputs);
    }

    /// <summary>The same layer from separate ops (linear, sigmoid, tanh, one step at a time), through autograd.</summary>
    internal static Tensor StepByStep(Tensor x, Tensor? h0, Tensor wih, Tensor whh, Tensor? bih, Tensor? bhh)
    {
        int b = x.Shape[0], l = x.Shape[1], h = whh.Shape[1];
        var state = h0 ?? Tensor.Zeros(b, h); // [B, H]
        var states = new List<Tensor>();
        for (int t = 0; t < l; t++)
        {
            var gi = F.Linear(x.Select(1, t), wih, bih); // [B, 3H]
            var gh = F.Linear(state, whh, bhh);          // [B, 3H]
            var r = (gi.Narrow(1, 0, h) + gh.Narrow(1, 0, h)).Sigmoid();
            var z = (gi.Narrow(1, h, h) + gh.Narrow(1, h, h)).Sigmoid();
            var n = (gi.Narrow(1, 2 * h, h) + (r * gh.Narrow(1, 2 * h, h))).Tanh();
            state = n + (z * (state - n));
            states.Add(state);
        }

        return Tensor.Stack(states, 1); // [B, L, H]
    }

    [Theory]
    [InlineData(37, 5, 6, 19, true, true)]
    [InlineData(50, 4, 3, 33, false, true)]
    [InlineData(29, 3, 4, 16, true, false)]
    [InlineData(26, 3, 5, 32, true, true)]
    public void ManyBatchRowsMatchTheStepByStepLayer(int b, int l, int inF, int h, bool withH0, bool bias)
    {
        // Enough rows for several row blocks, widths that leave a scalar tail in the cell, and H = 32, whose
        // per-step gradient rows (4H = 128 floats) are stored padded.
        var g = new Generator(26);
        Tensor[] fused = [R(g, 1f, b, l, inF), R(g, 1f, b, h), R(g, 0.4f, 3 * h, inF), R(g, 0.4f, 3 * h, h), R(g, 0.5f, 3 * h), R(g, 0.5f, 3 * h)];
        var reference = fused.Select(t => t.Clone().RequiresGrad_()).ToArray();
        foreach (var t in fused)
        {
            t.RequiresGrad_();
        }

        Tensor? Pick(Tensor[] xs, int i) => (i == 1 && !withH0) || (i >= 4 && !bias) ? null : xs[i];
        var w = R(g, 1f, b, l, h);
        var y = F.Gru(fused[0], Pick(fused, 1), fused[2], fused[3], Pick(fused, 4), Pick(fused, 5)).Output;
        var expected = StepByStep(reference[0], Pick(reference, 1), reference[2], reference[3], Pick(reference, 4), Pick(reference, 5));
        TensorAssert.Close(expected, y, 1e-4, 2e-6, "output");
        y.Mul(w).Sum().Backward();
        expected.Mul(w).Sum().Backward();
        for (int i = 0; i < fused.Length; i++)
        {
            if (Pick(fused, i) is not null)
            {
                TensorAssert.Close(reference[i].Grad!, fused[i].Grad!, 1e-4, 2e-5, $"grad of input {i}");
            }
        }
    }

    [Fact]
    public void LastStateIsTheFinalOutputStep()
    {
        var g = new Generator(23);
        var (y, hn) = F.Gru(R(g, 1f, 3, 4, 2), R(g, 1f, 3, 5), R(g, 0.5f, 15, 2), R(g, 0.5f, 15, 5), null, null);
        for (int b = 0; b < 3; b++)
        {
            for (int j = 0; j < 5; j++)
            {
                Assert.Equal(y[b, 3, j], hn[b, j]);
            }
        }
    }

    [Fact]
    public void ZeroInitialStateEqualsNoInitialState()
    {
        var g = new Generator(24);
        var x = R(g, 1f, 2, 3, 4);
        var wih = R(g, 0.5f, 9, 4);
        var whh = R(g, 0.5f, 9, 3);
        var a = F.Gru(x, null, wih, whh, null, null).Output.ToArray();
        var b = F.Gru(x, Tensor.Zeros(2, 3), wih, whh, null, null).Output.ToArray();
        Assert.Equal(a, b);
    }

    public static TheoryData<string> BadInputs => new() { "inputRank", "weightHh", "weightIh", "h0", "biasIh", "biasHh", "empty" };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadShapesThrowNamingThemAndLeaveInputsUnchanged(string what)
    {
        var g = new Generator(25);
        var x = R(g, 1f, 2, 3, 4);
        var h0 = R(g, 1f, 2, 5);
        var wih = R(g, 0.5f, 15, 4);
        var whh = R(g, 0.5f, 15, 5);
        var bias = R(g, 0.5f, 15);
        var before = x.ToArray();
        var e = Assert.Throws<ArgumentException>(() => what switch
        {
            "inputRank" => F.Gru(R(g, 1f, 2, 4), h0, wih, whh, bias, bias),
            "weightHh" => F.Gru(x, h0, wih, R(g, 1f, 14, 5), bias, bias),
            "weightIh" => F.Gru(x, h0, R(g, 1f, 15, 3), whh, bias, bias),
            "h0" => F.Gru(x, R(g, 1f, 3, 5), wih, whh, bias, bias),
            "biasIh" => F.Gru(x, h0, wih, whh, R(g, 1f, 12), bias),
            "biasHh" => F.Gru(x, h0, wih, whh, bias, R(g, 1f, 15, 1)),
            "empty" => F.Gru(Tensor.Zeros(2, 0, 4), h0, wih, whh, bias, bias),
            _ => throw new XunitException(what),
        });
        Assert.StartsWith("Gru:", e.Message);
        Assert.Contains("[", e.Message);
        Assert.Equal(before, x.ToArray());
    }
}
