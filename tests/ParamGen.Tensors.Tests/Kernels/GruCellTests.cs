using ParamGen.Tensors.Kernels;
using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Tests.KernelTests;

/// <summary>
/// The vectorised GRU cell against a double-precision scalar reference, for widths that exercise the 16-lane,
/// 8-lane and scalar paths, and its σ and tanh against the exact functions.
/// </summary>
public class GruCellTests
{
    public static TheoryData<int> Widths => new() { 1, 3, 7, 8, 15, 16, 17, 24, 31, 33, 47, 128, 131 };

    private static float[] Random(Generator g, int n, double scale)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)((g.NextDouble() - 0.5) * 2 * scale);
        }

        return a;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Theory]
    [MemberData(nameof(Widths))]
    public void ForwardMatchesTheDoubleReference(int h)
    {
        var g = new Generator((ulong)h);
        var gi = Random(g, 3 * h, 6);
        var gh = Random(g, 3 * h, 6);
        var bhn = Random(g, h, 1);
        var prev = Random(g, h, 1);
        var gates = (float[])gi.Clone();
        var hn = new float[h];
        var hNew = new float[h];
        GruCell.Forward(gh, bhn, prev, gates, hn, hNew);
        for (int j = 0; j < h; j++)
        {
            double r = Sigmoid((double)gi[j] + gh[j]);
            double z = Sigmoid((double)gi[h + j] + gh[h + j]);
            double hnv = (double)gh[(2 * h) + j] + bhn[j];
            double n = Math.Tanh(gi[(2 * h) + j] + (r * hnv));
            double expected = ((1 - z) * n) + (z * prev[j]);
            Assert.True(Math.Abs(r - gates[j]) <= 1e-6, $"H {h}, j {j}: r {gates[j]:G9}, expected {r:G9}");
            Assert.True(Math.Abs(z - gates[h + j]) <= 1e-6, $"H {h}, j {j}: z {gates[h + j]:G9}, expected {z:G9}");
            Assert.True(Math.Abs(n - gates[(2 * h) + j]) <= 1e-6, $"H {h}, j {j}: n {gates[(2 * h) + j]:G9}, expected {n:G9}");
            Assert.True(Math.Abs(hnv - hn[j]) <= 1e-6, $"H {h}, j {j}: hn {hn[j]:G9}, expected {hnv:G9}");
            Assert.True(Math.Abs(expected - hNew[j]) <= 2e-6, $"H {h}, j {j}: h' {hNew[j]:G9}, expected {expected:G9}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void BackwardMatchesTheDoubleReference(int h)
    {
        var g = new Generator(1000 + (ulong)h);
        var dOut = Random(g, h, 2);
        var carry = Random(g, h, 2);
        var carryIn = (float[])carry.Clone();
        var gates = new float[3 * h];
        for (int j = 0; j < 2 * h; j++)
        {
            gates[j] = (float)g.NextDouble();
        }

        Array.Copy(Random(g, h, 1), 0, gates, 2 * h, h);
        var hn = Random(g, h, 3);
        var prev = Random(g, h, 1);
        var d = new float[4 * h];
        var sumBefore = Random(g, 4 * h, 1);
        var dSum = (float[])sumBefore.Clone();
        GruCell.Backward(dOut, carry, gates, hn, prev, d, dSum);
        for (int j = 0; j < 4 * h; j++)
        {
            Assert.Equal(sumBefore[j] + d[j], dSum[j]);
        }

        for (int j = 0; j < h; j++)
        {
            double r = gates[j], z = gates[h + j], n = gates[(2 * h) + j];
            double dh = (double)dOut[j] + carryIn[j];
            double dan = dh * (1 - z) * (1 - (n * n));
            double daz = dh * (prev[j] - n) * z * (1 - z);
            double dar = dan * hn[j] * r * (1 - r);
            double[] expected = [dar, daz, dan, dan * r];
            for (int k = 0; k < 4; k++)
            {
                float actual = d[(k * h) + j];
                Assert.True(Math.Abs(expected[k] - actual) <= 1e-6 + (1e-6 * Math.Abs(expected[k])), $"H {h}, j {j}, part {k}: {actual:G9}, expected {expected[k]:G9}");
            }

            Assert.True(Math.Abs((dh * z) - carry[j]) <= 1e-6 + (1e-6 * Math.Abs(dh * z)), $"H {h}, j {j}: carry {carry[j]:G9}, expected {dh * z:G9}");
        }
    }

    [Theory]
    [InlineData(17)]
    [InlineData(47)]
    [InlineData(131)]
    public void AnElementGetsTheSameBitsOnTheVectorAndScalarPaths(int h)
    {
        var g = new Generator(2000 + (ulong)h);
        var gi = Random(g, 3 * h, 6);
        var gh = Random(g, 3 * h, 6);
        var bhn = Random(g, h, 1);
        var prev = Random(g, h, 1);
        var gates = (float[])gi.Clone();
        var hn = new float[h];
        var hNew = new float[h];
        GruCell.Forward(gh, bhn, prev, gates, hn, hNew);
        var dOut = Random(g, h, 2);
        var carry = Random(g, h, 2);
        var carryIn = (float[])carry.Clone();
        var d = new float[4 * h];
        GruCell.Backward(dOut, carry, gates, hn, prev, d, default);

        for (int j = 0; j < h; j++)
        {
            // The same element alone in a width-1 row goes through the scalar path.
            float[] gates1 = [gi[j], gi[h + j], gi[(2 * h) + j]];
            float[] gh1 = [gh[j], gh[h + j], gh[(2 * h) + j]];
            var hn1 = new float[1];
            var hNew1 = new float[1];
            GruCell.Forward(gh1, [bhn[j]], [prev[j]], gates1, hn1, hNew1);
            Assert.Equal(hNew[j], hNew1[0]);
            Assert.Equal([gates[j], gates[h + j], gates[(2 * h) + j], hn[j]], [gates1[0], gates1[1], gates1[2], hn1[0]]);

            float[] carry1 = [carryIn[j]];
            var d1 = new float[4];
            GruCell.Backward([dOut[j]], carry1, gates1, hn1, [prev[j]], d1, default);
            Assert.Equal([d[j], d[h + j], d[(2 * h) + j], d[(3 * h) + j], carry[j]], [d1[0], d1[1], d1[2], d1[3], carry1[0]]);
        }
    }

    [Fact]
    public void SigmoidAndTanhAreWithinAFewUlpsOfTheExactFunctions()
    {
        double worstSigmoid = 0, worstTanh = 0;
        for (double v = -30; v <= 30; v += 1.0 / 4096)
        {
            float x = (float)v;
            double s = Sigmoid(x);
            worstSigmoid = Math.Max(worstSigmoid, Math.Abs(GruCell.Sigmoid(x) - s) / s);

            // tanh relative to max(|tanh|, 1e-3): near zero the polynomial keeps relative accuracy too.
            double t = Math.Tanh(x);
            worstTanh = Math.Max(worstTanh, Math.Abs(GruCell.Tanh(x) - t) / Math.Max(Math.Abs(t), 1e-3));
        }

        Assert.True(worstSigmoid <= 4e-7, $"sigmoid relative error {worstSigmoid:E2}");
        Assert.True(worstTanh <= 4e-7, $"tanh relative error {worstTanh:E2}");
        Assert.Equal(1f, GruCell.Tanh(100f));
        Assert.Equal(-1f, GruCell.Tanh(-100f));
        Assert.Equal(1f, GruCell.Sigmoid(100f));
        Assert.Equal(0f, GruCell.Sigmoid(-200f), 1e-30f);
    }
}
