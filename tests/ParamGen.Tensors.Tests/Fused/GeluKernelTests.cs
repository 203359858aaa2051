using ParamGen.Tensors.Kernels;
using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Tests.Fused;

/// <summary>The vectorised GELU against the double-precision erf reference, and its vector and scalar paths against each other.</summary>
public class GeluKernelTests
{
    /// <summary>Φ in double; erfc for the negative tail, where 1 + erf cancels.</summary>
    private static double RefPhi(double x) => x < -1 ? 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2.0)) : 0.5 * (1.0 + SpecialFunctions.Erf(x / Math.Sqrt(2.0)));

    private static double RefDerivative(double x) => RefPhi(x) + (x * Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI));

    private static float[] Grid()
    {
        var xs = new List<float>();
        for (double v = -16; v <= 16; v += 1.0 / 1024)
        {
            xs.Add((float)v);
        }

        var g = new Generator(1);
        for (int i = 0; i < 20_000; i++)
        {
            xs.Add((float)((g.NextDouble() - 0.5) * 30));
            xs.Add((float)((g.NextDouble() - 0.5) * 1e-3));
        }

        xs.AddRange([0f, -0f, float.Epsilon, -float.Epsilon, 1e-30f, -1e-30f, 13.9f, -13.9f, 14f, -14f, 100f, -100f, float.MaxValue, float.MinValue]);
        return [.. xs];
    }

    [Fact]
    public void ForwardIsWithinHalfAMillionthRelativeOfTheErfReference()
    {
        var x = Grid();
        var y = new float[x.Length];
        Gelu.Forward(x, y);
        double worst = 0;
        int worstAt = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double expected = x[i] * RefPhi(x[i]);

            // Below 1e-30 in magnitude the float result may flush towards zero.
            double excess = Math.Abs(y[i] - expected) - 1e-30;
            double rel = excess <= 0 ? 0 : excess / Math.Abs(expected);
            if (rel > worst)
            {
                (worst, worstAt) = (rel, i);
            }
        }

        Assert.True(worst <= 5e-7, $"gelu({x[worstAt]:G9}) = {y[worstAt]:G9}, expected {x[worstAt] * RefPhi(x[worstAt]):G9} (relative error {worst:E2})");
    }

    [Fact]
    public void BackwardIsWithinAMillionthOfTheErfReference()
    {
        var x = Grid();
        var g = new float[x.Length];
        Array.Fill(g, 1f);
        var d = new float[x.Length];
        Gelu.Backward(g, x, d);
        double worst = 0;
        int worstAt = 0;
        for (int i = 0; i < x.Length; i++)
        {
            // Relative to max(|gelu'|, 0.1): gelu' crosses zero near x = -0.75, where only an absolute bound makes sense.
            double expected = RefDerivative(x[i]);
            double rel = Math.Abs(d[i] - expected) / Math.Max(Math.Abs(expected), 0.1);
            if (rel > worst)
            {
                (worst, worstAt) = (rel, i);
            }
        }

        Assert.True(worst <= 1e-6, $"gelu'({x[worstAt]:G9}) = {d[worstAt]:G9}, expected {RefDerivative(x[worstAt]):G9} (relative error {worst:E2})");
    }

    [Fact]
    public void NonFiniteInputsBehaveAsTheFormula()
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        var y = new float[3];
        Gelu.Forward(x, y);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(float.PositiveInfinity, y[1]);
        Assert.True(float.IsNaN(y[2]) || y[2] == 0f); // -inf * Φ(-inf) = -inf * 0

        var d = new float[3];
        Gelu.Backward([1f, 1f, 1f], x, d);
        Assert.True(float.IsNaN(d[0]));
        Assert.Equal(1f, d[1]);
        Assert.Equal(0f, d[2], 1e-30f);
    }

    [Fact]
    public void EveryElementGetsTheScalarPathsBitsWhateverItsPositionOrTheSpanLength()
    {
        var gen = new Generator(2);
        for (int n = 0; n <= 70; n++)
        {
            var x = new float[n];
            var up = new float[n];
            for (int i = 0; i < n; i++)
            {
                x[i] = (float)((gen.NextDouble() - 0.5) * 12);
                up[i] = (float)(gen.NextDouble() - 0.5);
            }

            var y = new float[n];
            var d = new float[n];
            Gelu.Forward(x, y);
            Gelu.Backward(up, x, d);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(x[i] * Gelu.Phi(x[i])), BitConverter.SingleToInt32Bits(y[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(up[i] * Gelu.Derivative(x[i])), BitConverter.SingleToInt32Bits(d[i]));
            }

            // In place gives the same bits.
            var inPlace = (float[])x.Clone();
            Gelu.Forward(inPlace, inPlace);
            Assert.Equal(y, inPlace);
        }
    }
}
