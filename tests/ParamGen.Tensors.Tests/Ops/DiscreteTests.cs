using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Gumbel-softmax (soft and straight-through hard) and nearest-codeword quantisation.</summary>
public class DiscreteTests
{
    private const string Group = "seq";

    /// <summary>The documented noise g = -log(-log(u)), u on the half-offset 53-bit grid, drawn in element order.</summary>
    private static double[] GumbelNoise(ulong seed, int count)
    {
        var gen = new Generator(seed);
        var noise = new double[count];
        for (int i = 0; i < count; i++)
        {
            double u = ((gen.NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));
            noise[i] = -Math.Log(-Math.Log(u));
        }

        return noise;
    }

    [Fact]
    public void SoftSampleIsTheSoftmaxOfNoisyLogitsOverTau()
    {
        var logits = Tensor.Randn([3, 4, 5], new Generator(61));
        var y = F.GumbelSoftmax(logits, tau: 0.7f, dim: 1, generator: new Generator(9));
        var noise = GumbelNoise(9, logits.NumElements);
        var x = logits.ToArray();
        var expected = new float[x.Length];
        for (int a = 0; a < 3; a++)
        {
            for (int c = 0; c < 5; c++)
            {
                // Softmax over dim 1 (stride 5) in double.
                var z = Enumerable.Range(0, 4).Select(j => (x[(a * 20) + (j * 5) + c] + noise[(a * 20) + (j * 5) + c]) / 0.7).ToArray();
                double max = z.Max();
                double sum = z.Sum(v => Math.Exp(v - max));
                for (int j = 0; j < 4; j++)
                {
                    expected[(a * 20) + (j * 5) + c] = (float)(Math.Exp(z[j] - max) / sum);
                }
            }
        }

        TensorAssert.Close(expected, y.ToArray(), 1e-5, 1e-6, "gumbel-softmax");
    }

    [Fact]
    public void InternalNoiseOverloadMatchesThePublicSample()
    {
        var logits = Tensor.Randn([4, 6], new Generator(62));
        var noise = new Tensor(GumbelNoise(3, 24).Select(v => (float)v).ToArray(), 4, 6);
        var viaNoise = F.GumbelSoftmax(logits, noise, 1.3f, false, -1).ToArray();
        var viaSeed = F.GumbelSoftmax(logits, tau: 1.3f, generator: new Generator(3)).ToArray();
        Assert.Equal(viaNoise, viaSeed);
    }

    [Fact]
    public void HardSampleIsExactlyOneHotAtTheSoftArgMax()
    {
        var logits = Tensor.Randn([7, 9], new Generator(63));
        var soft = F.GumbelSoftmax(logits, tau: 0.5f, generator: new Generator(4)).ToArray();
        var hard = F.GumbelSoftmax(logits, tau: 0.5f, hard: true, generator: new Generator(4)).ToArray();
        for (int r = 0; r < 7; r++)
        {
            var row = soft.AsSpan(r * 9, 9).ToArray();
            int arg = Array.IndexOf(row, row.Max());
            for (int j = 0; j < 9; j++)
            {
                Assert.Equal(j == arg ? 1f : 0f, hard[(r * 9) + j]);
            }
        }
    }

    [Fact]
    public void HardGradientEqualsSoftGradient()
    {
        var w = Tensor.Randn([5, 8], new Generator(64));
        var a = Tensor.Randn([5, 8], new Generator(65)).RequiresGrad_();
        var b = a.Detach().Clone().RequiresGrad_();
        F.GumbelSoftmax(a, tau: 0.8f, generator: new Generator(6)).Mul(w).Sum().Backward();
        F.GumbelSoftmax(b, tau: 0.8f, hard: true, generator: new Generator(6)).Mul(w).Sum().Backward();
        Assert.Equal(a.Grad!.ToArray(), b.Grad!.ToArray());
        Assert.Contains(a.Grad!.ToArray(), v => v != 0f);
    }

    [Theory]
    [InlineData(new[] { 4, 7 }, -1, 1f)]
    [InlineData(new[] { 3, 17, 2 }, 1, 0.5f)]
    [InlineData(new[] { 33 }, 0, 2f)]
    public void SoftGradientMatchesFiniteDifferencesWithAFixedSeed(int[] shape, int dim, float tau)
    {
        var logits = Tensor.Randn(shape, new Generator(66));
        GradCheck.Check(x => F.GumbelSoftmax(x[0], tau, dim: dim, generator: new Generator(8)), [logits]);
    }

    [Fact]
    public void HardSamplesFollowTheSoftmaxOfTheLogits()
    {
        // The Gumbel-max trick: arg-max of logits + noise is a draw from softmax(logits).
        const int Rows = 20000;
        var p = new[] { 0.2f, 0.5f, 0.3f };
        var logits = Tensor.Zeros(Rows, 3);
        for (int r = 0; r < Rows; r++)
        {
            for (int j = 0; j < 3; j++)
            {
                logits[r, j] = MathF.Log(p[j]);
            }
        }

        var hard = F.GumbelSoftmax(logits, hard: true, generator: new Generator(10));
        var counts = hard.Sum(0).ToArray();
        for (int j = 0; j < 3; j++)
        {
            // Standard error of a frequency at n = 20000 is at most 0.0036; 0.015 is over four of them.
            Assert.InRange(counts[j] / Rows, p[j] - 0.015f, p[j] + 0.015f);
        }
    }

    [Fact]
    public void GumbelSoftmaxRejectsBadArgumentsAndLeavesLogitsUnchanged()
    {
        var logits = Tensor.Randn([2, 3], new Generator(67));
        var before = logits.ToArray();
        Assert.Contains("tau 0", Assert.Throws<ArgumentOutOfRangeException>(() => F.GumbelSoftmax(logits, tau: 0f)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.GumbelSoftmax(logits, tau: float.NaN));
        Assert.Contains("[2, 3]", Assert.Throws<ArgumentOutOfRangeException>(() => F.GumbelSoftmax(logits, dim: 2)).Message);
        Assert.Contains("[]", Assert.Throws<ArgumentException>(() => F.GumbelSoftmax(Tensor.Scalar(1f))).Message);
        Assert.Contains("[2, 2]", Assert.Throws<ArgumentException>(() => F.GumbelSoftmax(logits, Tensor.Zeros(2, 2), 1f, false, -1)).Message);
        Assert.Equal(before, logits.ToArray());
    }

    [Fact]
    public void NearestCodewordMatchesTorch()
    {
        var xs = Golden.Run(Group, "codeword", x =>
        {
            var (q, c, i) = F.NearestCodeword(x[0], x[1]);
            return [q, c, i];
        });
        Assert.NotNull(xs[0].Grad);
        Assert.NotNull(xs[1].Grad);
    }

    [Fact]
    public void TiesGoToTheLowerIndex()
    {
        // Rows 1 and 3 are the same codeword; (0, 0) is equally far from rows 0 and 2.
        var codebook = new Tensor([1f, 0f, 5f, 5f, -1f, 0f, 5f, 5f], 4, 2);
        var input = new Tensor([0f, 0f, 5f, 5f, 4f, 4.5f], 3, 2);
        var (q, _, idx) = F.NearestCodeword(input, codebook);
        Assert.Equal([0f, 1f, 1f], idx.ToArray());
        Assert.Equal([1f, 0f, 5f, 5f, 5f, 5f], q.ToArray());
    }

    [Fact]
    public void QuantizedPassesGradientStraightThroughAndCodewordsScatterToTheCodebook()
    {
        var codebook = new Tensor([0f, 0f, 10f, 10f, -10f, 5f], 3, 2).RequiresGrad_();
        var input = new Tensor([1f, 1f, 9f, 8f, 0.5f, -1f, 11f, 10f], 4, 2).RequiresGrad_();
        var (q, c, idx) = F.NearestCodeword(input, codebook);
        Assert.Equal([0f, 1f, 0f, 1f], idx.ToArray());
        var w = new Tensor([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], 4, 2);
        q.Mul(w).Sum().Add(c.Mul(w.Mul(10f)).Sum()).Backward();
        Assert.Equal(w.ToArray(), input.Grad!.ToArray());
        Assert.Equal([60f, 80f, 100f, 120f, 0f, 0f], codebook.Grad!.ToArray());
    }

    [Fact]
    public void CodewordGradientMatchesFiniteDifferences()
    {
        // Inputs close to their codewords, so perturbing the codebook never changes an assignment.
        var g = new Generator(68);
        var codebook = Tensor.Randn([7, 5], g).Mul(3f).Detach();
        var input = Tensor.Zeros(17, 5);
        for (int r = 0; r < 17; r++)
        {
            for (int j = 0; j < 5; j++)
            {
                input[r, j] = codebook[(r * 3) % 7, j] + (0.1f * (float)g.NextNormal());
            }
        }

        GradCheck.Check(x => F.NearestCodeword(input, x[0]).Codewords, [codebook]);
    }

    [Fact]
    public void LeadingDimensionsAreKeptInTheIndices()
    {
        var g = new Generator(69);
        var input = Tensor.Randn([2, 3, 4], g);
        var codebook = Tensor.Randn([5, 4], g);
        var (q, _, idx) = F.NearestCodeword(input, codebook);
        Assert.Equal(new Shape(2, 3), idx.Shape);
        Assert.Equal(input.Shape, q.Shape);
        Assert.Equal(F.NearestCodeword(input.Reshape(6, 4), codebook).Indices.ToArray(), idx.ToArray());
    }

    [Fact]
    public void NearestCodewordRejectsMismatchedShapesAndLeavesInputsUnchanged()
    {
        var g = new Generator(70);
        var input = Tensor.Randn([4, 3], g);
        var before = input.ToArray();
        Assert.Contains("[5, 2]", Assert.Throws<ArgumentException>(() => F.NearestCodeword(input, Tensor.Randn([5, 2], g))).Message);
        Assert.Contains("[5]", Assert.Throws<ArgumentException>(() => F.NearestCodeword(input, Tensor.Randn([5], g))).Message);
        Assert.Contains("[0, 3]", Assert.Throws<ArgumentException>(() => F.NearestCodeword(input, Tensor.Zeros(0, 3))).Message);
        Assert.Equal(before, input.ToArray());
    }
}
