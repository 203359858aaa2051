using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors.Tests.Fused;

/// <summary>The kernels' float exp against Math.Exp, and its vector paths against its scalar path.</summary>
public class FastExpTests
{
    [Fact]
    public void ExpIsWithinTwoTenthsOfAMillionthRelativeOverItsRange()
    {
        for (float x = -87.3f; x < 88.3f; x += 0.0007f)
        {
            double expected = Math.Exp(x);
            float actual = FastExp.Exp(x);
            Assert.True(Math.Abs(actual - expected) <= 2e-7 * expected, $"exp({x:G9}) = {actual:G9}, expected {expected:G9}");
        }
    }

    [Fact]
    public void ExpFlushesTinyResultsToZeroAndKeepsNaN()
    {
        Assert.Equal(0f, FastExp.Exp(-87.5f));
        Assert.Equal(0f, FastExp.Exp(float.NegativeInfinity));
        Assert.True(float.IsNaN(FastExp.Exp(float.NaN)));
        Assert.Equal(1f, FastExp.Exp(0f));
    }

    [Fact]
    public void VectorLanesMatchTheScalarBits()
    {
        var xs = new float[64];
        for (int trial = 0; trial < 200; trial++)
        {
            for (int i = 0; i < xs.Length; i++)
            {
                xs[i] = ((trial * 64) + i - 6400) * 0.0137f;
            }

            if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            {
                var v = FastExp.Exp(System.Runtime.Intrinsics.Vector512.Create(xs.AsSpan(0, 16)));
                for (int i = 0; i < 16; i++)
                {
                    Assert.Equal(FastExp.Exp(xs[i]), v[i]);
                }
            }

            if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            {
                var v = FastExp.Exp(System.Runtime.Intrinsics.Vector256.Create(xs.AsSpan(0, 8)));
                for (int i = 0; i < 8; i++)
                {
                    Assert.Equal(FastExp.Exp(xs[i]), v[i]);
                }
            }
        }
    }
}
