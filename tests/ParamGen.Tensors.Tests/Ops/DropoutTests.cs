using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>
/// Dropout cannot be matched to PyTorch's RNG, so its contract is tested directly: the zeroed fraction, the
/// 1/(1-p) scaling, the gradient mask, reproducibility from the generator, and the p = 0, p = 1 and eval cases.
/// </summary>
public class DropoutTests
{
    [Theory]
    [InlineData(0.1f)]
    [InlineData(0.5f)]
    [InlineData(0.9f)]
    public void ZeroesAFractionPAndScalesSurvivorsByOneOverOneMinusP(float p)
    {
        const int N = 40_000;
        var x = Tensor.Rand([N], new Generator(1)) + 0.5f;
        var y = F.Dropout(x, p, training: true, new Generator(2));
        var xs = x.ToArray();
        var ys = y.ToArray();
        int zeros = 0;
        for (int i = 0; i < N; i++)
        {
            if (ys[i] == 0f)
            {
                zeros++;
            }
            else
            {
                Assert.Equal(xs[i] / (1f - p), ys[i], xs[i] * 1e-5f);
            }
        }

        // Binomial standard deviation is at most 0.0025 here; allow five of them.
        Assert.InRange(zeros / (double)N, p - 0.0125, p + 0.0125);
    }

    [Fact]
    public void GradientIsTheMaskDividedByOneMinusP()
    {
        const float P = 0.3f;
        var x = Tensor.Randn([7, 33], new Generator(3)).RequiresGrad_();
        var y = F.Dropout(x, P, generator: new Generator(4));
        var upstream = Tensor.Randn([7, 33], new Generator(5));
        y.Backward(upstream);
        var xs = x.ToArray();
        var ys = y.ToArray();
        var gs = x.Grad!.ToArray();
        var us = upstream.ToArray();
        for (int i = 0; i < xs.Length; i++)
        {
            float mask = ys[i] == 0f ? 0f : 1f / (1f - P);
            Assert.Equal(us[i] * mask, gs[i], 1e-5f);
        }

        GradCheck.Check(t => F.Dropout(t[0], P, generator: new Generator(6)), [Tensor.Randn([3, 17], new Generator(7))]);
    }

    [Fact]
    public void TheSameSeedGivesTheSameMaskAndAnotherSeedADifferentOne()
    {
        var x = Tensor.Ones(1000);
        var a = F.Dropout(x, 0.5f, generator: new Generator(42)).ToArray();
        var b = F.Dropout(x, 0.5f, generator: new Generator(42)).ToArray();
        var c = F.Dropout(x, 0.5f, generator: new Generator(43)).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);

        // Consecutive calls on one generator draw fresh masks.
        var gen = new Generator(42);
        var first = F.Dropout(x, 0.5f, generator: gen).ToArray();
        var second = F.Dropout(x, 0.5f, generator: gen).ToArray();
        Assert.Equal(a, first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void EvaluationOrPZeroReturnsTheInputAndPOneGivesZeros()
    {
        var x = Tensor.Randn([4, 5], new Generator(8)).RequiresGrad_();
        Assert.Same(x, F.Dropout(x, 0.5f, training: false));
        Assert.Same(x, F.Dropout(x, 0f));

        var y = F.Dropout(x, 1f);
        Assert.All(y.ToArray(), v => Assert.Equal(0f, v));
        y.Sum().Backward();
        Assert.All(x.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void AnInvalidPIsRejectedNamingIt(float p)
    {
        var x = Tensor.Ones(3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => F.Dropout(x, p));
        Assert.Contains("p must be in [0, 1]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.Dropout(x, p, training: false));
    }
}
