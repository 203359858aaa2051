using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Tests.Nn;

/// <summary>Initialisers follow torch.nn.init: bounds, moments, fans and gains; default module inits use PyTorch's formulas.</summary>
public class InitTests
{
    private const int N = 200_000;

    private static (double Min, double Max, double Mean, double Std) Stats(Tensor t)
    {
        var s = t.AsReadOnlySpan();
        double min = double.MaxValue, max = double.MinValue, sum = 0, sq = 0;
        foreach (float v in s)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
        }

        double mean = sum / s.Length;
        foreach (float v in s)
        {
            sq += (v - mean) * (v - mean);
        }

        return (min, max, mean, Math.Sqrt(sq / (s.Length - 1)));
    }

    /// <summary>Checks that every value lies within ±bound and that the extremes come close to it (so the range is not narrower).</summary>
    private static void AssertSymmetricUniform(Tensor t, double bound)
    {
        var (min, max, mean, std) = Stats(t);
        Assert.True(min >= -bound && max <= bound, $"values [{min}, {max}] exceed ±{bound}");
        if (t.NumElements >= 1000)
        {
            Assert.True(min < -0.98 * bound && max > 0.98 * bound, $"values [{min}, {max}] do not reach ±{bound}");
            Assert.InRange(mean, -0.03 * bound, 0.03 * bound);
            Assert.InRange(std, 0.97 * bound / Math.Sqrt(3), 1.03 * bound / Math.Sqrt(3));
        }
    }

    [Fact]
    public void UniformStaysInRangeWithUniformMoments()
    {
        var t = Init.Uniform(Tensor.Zeros(N), -2f, 3f, new Generator(1));
        var (min, max, mean, std) = Stats(t);
        Assert.True(min >= -2 && max < 3);
        Assert.True(min < -1.99 && max > 2.99);
        Assert.InRange(mean, 0.5 - 0.01, 0.5 + 0.01);
        Assert.InRange(std, 5 / Math.Sqrt(12) * 0.99, 5 / Math.Sqrt(12) * 1.01);
    }

    [Fact]
    public void NormalHasRequestedMeanAndStd()
    {
        var t = Init.Normal(Tensor.Zeros(N), 1f, 2f, new Generator(2));
        var (_, _, mean, std) = Stats(t);
        Assert.InRange(mean, 1 - 0.02, 1 + 0.02);
        Assert.InRange(std, 2 * 0.99, 2 * 1.01);
    }

    [Theory]
    [InlineData(0f, 1f, -2f, 2f, 0.0, 0.8796256610342398)]
    [InlineData(1f, 2f, 0f, 3f, 1.4132624361230661, 0.8313200565040956)]
    public void TruncNormalUsesAbsoluteBoundsAndHasTruncatedMoments(float mean, float std, float a, float b, double expectedMean, double expectedStd)
    {
        // Expected moments of N(mean, std^2) truncated to [a, b] (closed form, computed with Python's math.erf).
        var t = Init.TruncNormal(Tensor.Zeros(N), mean, std, a, b, new Generator(3));
        var (min, max, m, s) = Stats(t);
        Assert.True(min >= a && max <= b, $"values [{min}, {max}] leave [{a}, {b}]");
        Assert.True(min < a + 0.01 && max > b - 0.01, $"values [{min}, {max}] do not fill [{a}, {b}]");
        Assert.InRange(m, expectedMean - 0.01, expectedMean + 0.01);
        Assert.InRange(s, expectedStd * 0.99, expectedStd * 1.01);
    }

    [Fact]
    public void TruncNormalWithInfiniteBoundIsFiniteNormal()
    {
        var t = Init.TruncNormal(Tensor.Zeros(N), 0f, 1f, float.NegativeInfinity, float.PositiveInfinity, new Generator(4));
        var (min, max, mean, std) = Stats(t);
        Assert.True(double.IsFinite(min) && double.IsFinite(max));
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(std, 0.99, 1.01);
    }

    [Fact]
    public void ConstantZerosAndOnesFillEveryElement()
    {
        var t = Tensor.Randn([3, 7], new Generator(5));
        Assert.All(Init.Constant(t, 0.25f).ToArray(), v => Assert.Equal(0.25f, v));
        Assert.All(Init.Zeros(t).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(Init.Ones(t).ToArray(), v => Assert.Equal(1f, v));
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(2.5f)]
    public void XavierUniformBoundIsGainTimesSqrtSixOverFanSum(float gain)
    {
        var t = Init.XavierUniform(Tensor.Zeros(300, 500), gain, new Generator(6));
        AssertSymmetricUniform(t, gain * Math.Sqrt(6.0 / 800));
    }

    [Fact]
    public void XavierNormalStdIsGainTimesSqrtTwoOverFanSum()
    {
        // Conv-shaped: fan_in = 8 * 5, fan_out = 16 * 5.
        var t = Init.XavierNormal(Tensor.Zeros(160, 80, 5), 2f, new Generator(7));
        var (_, _, mean, std) = Stats(t);
        double expected = 2 * Math.Sqrt(2.0 / ((80 * 5) + (160 * 5)));
        Assert.InRange(mean, -0.01 * expected, 0.01 * expected);
        Assert.InRange(std, expected * 0.99, expected * 1.01);
    }

    [Fact]
    public void KaimingUniformDefaultsToLeakyReluWithZeroSlopeAndFanIn()
    {
        var t = Init.KaimingUniform(Tensor.Zeros(500, 400), generator: new Generator(8));
        AssertSymmetricUniform(t, Math.Sqrt(2.0) * Math.Sqrt(3.0 / 400));
    }

    [Fact]
    public void KaimingUniformWithSqrtFiveSlopeIsOneOverSqrtFanIn()
    {
        // The Linear/Conv default: gain sqrt(2 / (1 + 5)) makes the bound exactly 1/sqrt(fan_in).
        var t = Init.KaimingUniform(Tensor.Zeros(500, 400), MathF.Sqrt(5f), generator: new Generator(9));
        AssertSymmetricUniform(t, 1 / Math.Sqrt(400));
    }

    [Fact]
    public void KaimingNormalFanOutReluHasStdSqrtTwoOverFanOut()
    {
        var t = Init.KaimingNormal(Tensor.Zeros(120, 60, 30), 0f, FanMode.FanOut, Nonlinearity.Relu, new Generator(10));
        var (_, _, mean, std) = Stats(t);
        double expected = Math.Sqrt(2.0) / Math.Sqrt(120 * 30);
        Assert.InRange(mean, -0.01 * expected, 0.01 * expected);
        Assert.InRange(std, expected * 0.99, expected * 1.01);
    }

    [Fact]
    public void KaimingLeavesEmptyTensorsAlone()
    {
        var t = Tensor.Zeros(0, 5);
        Assert.Same(t, Init.KaimingUniform(t));
        Assert.Same(t, Init.KaimingNormal(t));
    }

    [Theory]
    [InlineData(Nonlinearity.Linear, null, 1.0)]
    [InlineData(Nonlinearity.Conv, null, 1.0)]
    [InlineData(Nonlinearity.Sigmoid, null, 1.0)]
    [InlineData(Nonlinearity.Tanh, null, 5.0 / 3.0)]
    [InlineData(Nonlinearity.Relu, null, 1.4142135623730951)]
    [InlineData(Nonlinearity.LeakyRelu, null, 1.4141428569978354)]
    [InlineData(Nonlinearity.LeakyRelu, 0.2f, 1.3867504905630728)]
    [InlineData(Nonlinearity.LeakyRelu, 0f, 1.4142135623730951)]
    [InlineData(Nonlinearity.Selu, null, 0.75)]
    public void CalculateGainMatchesTorch(Nonlinearity nonlinearity, float? param, double expected)
        => Assert.Equal(expected, Init.CalculateGain(nonlinearity, param), 6);

    [Fact]
    public void FansAreComputedAsTorchDoes()
    {
        Assert.Equal((7, 3), Init.CalculateFanInAndFanOut(Tensor.Zeros(3, 7)));
        Assert.Equal((8 * 5, 16 * 5), Init.CalculateFanInAndFanOut(Tensor.Zeros(16, 8, 5)));
        Assert.Equal(8 * 5 * 2, Init.FanIn(Tensor.Zeros(16, 8, 5, 2)));
        Assert.Equal(16 * 5 * 2, Init.FanOut(Tensor.Zeros(16, 8, 5, 2)));
    }

    [Fact]
    public void FansOfAVectorAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Init.FanIn(Tensor.Zeros(5)));
        Assert.Contains("[5]", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Init.XavierUniform(Tensor.Zeros(5)));
        Assert.Throws<ArgumentException>(() => Init.KaimingNormal(Tensor.Scalar(1f)));
    }

    [Fact]
    public void InitialisersWriteInPlaceWithoutRecordingAGraph()
    {
        var p = new Parameter(Tensor.Zeros(4, 6));
        var storage = p.Span.ToArray();
        Assert.Same(p, Init.XavierUniform(p, generator: new Generator(11)));
        Init.TruncNormal(p, generator: new Generator(12));
        Assert.True(p.IsLeaf);
        Assert.True(p.RequiresGrad);
        Assert.Null(p.Grad);
        Assert.NotEqual(storage, p.ToArray());
    }

    [Fact]
    public void SameSeedGivesSameValuesAndDifferentSeedsDiffer()
    {
        float[] Draw(ulong seed) => Init.KaimingUniform(Tensor.Zeros(8, 9), generator: new Generator(seed)).ToArray();
        Assert.Equal(Draw(21), Draw(21));
        Assert.NotEqual(Draw(21), Draw(22));
    }

    [Fact]
    public void InvalidArgumentsThrowBeforeWriting()
    {
        var t = Tensor.Full(7f, 3, 4);
        Assert.Contains("low=1", Assert.Throws<ArgumentException>(() => Init.Uniform(t, 1f, 0f)).Message, StringComparison.Ordinal);
        Assert.Contains("std=-1", Assert.Throws<ArgumentException>(() => Init.Normal(t, 0f, -1f)).Message, StringComparison.Ordinal);
        Assert.Contains("a=2", Assert.Throws<ArgumentException>(() => Init.TruncNormal(t, a: 2f, b: 2f)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Init.TruncNormal(t, std: 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Init.CalculateGain((Nonlinearity)99));
        Assert.All(t.ToArray(), v => Assert.Equal(7f, v));
    }

    [Fact]
    public void LinearDefaultInitIsUniformOverOneOverSqrtFanIn()
    {
        var lin = new Linear(400, 300, generator: new Generator(31));
        AssertSymmetricUniform(lin.Weight, 1 / Math.Sqrt(400));
        var (min, max, _, _) = Stats(lin.Bias!);
        Assert.True(min >= -0.05 && max <= 0.05 && max - min > 0.09, $"bias range [{min}, {max}] is not U(-0.05, 0.05)");
    }

    [Fact]
    public void Conv1dDefaultInitUsesGroupedFanIn()
    {
        // fan_in = (in / groups) * K = (8 / 2) * 5.
        var conv = new Conv1d(8, 600, 5, groups: 2, generator: new Generator(32));
        AssertSymmetricUniform(conv.Weight, 1 / Math.Sqrt(20));
        AssertSymmetricUniform(conv.Bias!, 1 / Math.Sqrt(20));
    }

    [Fact]
    public void GruDefaultInitIsUniformOverOneOverSqrtHidden()
    {
        var gru = new Gru(30, 64, numLayers: 2, generator: new Generator(33));
        foreach (var (name, p) in gru.NamedParameters())
        {
            var (min, max, _, _) = Stats(p);
            Assert.True(min >= -0.125 && max <= 0.125, $"{name} range [{min}, {max}] exceeds ±1/8");
            Assert.True(min < -0.11 && max > 0.11, $"{name} range [{min}, {max}] is narrower than ±1/8");
        }
    }

    [Fact]
    public void EmbeddingDefaultInitIsStandardNormalWithZeroPaddingRow()
    {
        var emb = new Embedding(1000, 64, paddingIdx: -1, generator: new Generator(34));
        Assert.Equal(999, emb.PaddingIdx);
        var w = emb.Weight.ToArray();
        Assert.All(w[(999 * 64)..], v => Assert.Equal(0f, v));
        var (_, _, mean, std) = Stats(Tensor.FromSpan(w.AsSpan(0, 999 * 64), 999 * 64));
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(std, 0.98, 1.02);
    }

    [Fact]
    public void AttentionDefaultInitIsXavierInProjectionAndZeroBiases()
    {
        var mha = new MultiHeadAttention(64, 4, generator: new Generator(35));
        AssertSymmetricUniform(mha.InProjWeight, Math.Sqrt(6.0 / (64 + (3 * 64))));
        Assert.All(mha.InProjBias!.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(mha.OutProj.Bias!.ToArray(), v => Assert.Equal(0f, v));
        AssertSymmetricUniform(mha.OutProj.Weight, 1 / Math.Sqrt(64));
    }

    [Fact]
    public void NormLayersStartAsIdentity()
    {
        var ln = new LayerNorm([3, 4]);
        Assert.Equal(new Shape(3, 4), ln.Weight!.Shape);
        Assert.All(ln.Weight.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(ln.Bias!.ToArray(), v => Assert.Equal(0f, v));
        var bn = new BatchNorm1d(5);
        Assert.All(bn.Weight!.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(bn.Bias!.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(bn.RunningMean!.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(bn.RunningVar!.ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal(0f, bn.NumBatchesTracked!.Item());
    }
}
