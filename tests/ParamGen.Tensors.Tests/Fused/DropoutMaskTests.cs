using ParamGen.Tensors.Kernels;
using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Tests.Fused;

/// <summary>The counter-based dropout mask: SIMD against the scalar definition, independence from chunking, and its statistics.</summary>
public class DropoutMaskTests
{
    [Theory]
    [InlineData(0.2f, 0L)]
    [InlineData(0.5f, 1L)]
    [InlineData(0.9f, 12_345L)]
    public void ApplyMatchesTheScalarDefinitionForEveryLengthAndStart(float p, long start)
    {
        var gen = new Generator(3);
        uint th = DropoutMask.Threshold(p);
        float scale = DropoutMask.Scale(p);
        for (int n = 0; n <= 70; n++)
        {
            ulong seed = gen.NextUInt64();
            var x = new float[n];
            gen.FillNormal(x);
            var y = new float[n];
            DropoutMask.Apply(seed, start, th, scale, x, y);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(DropoutMask.Keep(seed, start + i, th) ? x[i] * scale : 0f, y[i]);
            }
        }
    }

    [Fact]
    public void AnySplitOfTheIndexRangeGivesTheSameMask()
    {
        const int N = 1000;
        uint th = DropoutMask.Threshold(0.3f);
        float scale = DropoutMask.Scale(0.3f);
        var x = new float[N];
        Array.Fill(x, 1f);
        var whole = new float[N];
        DropoutMask.Apply(99, 0, th, scale, x, whole);
        foreach (int cut in new[] { 1, 7, 16, 333, 999 })
        {
            var parts = new float[N];
            DropoutMask.Apply(99, 0, th, scale, x.AsSpan(0, cut), parts.AsSpan(0, cut));
            DropoutMask.Apply(99, cut, th, scale, x.AsSpan(cut), parts.AsSpan(cut));
            Assert.Equal(whole, parts);
        }

        // In place gives the same values.
        DropoutMask.Apply(99, 0, th, scale, x, x);
        Assert.Equal(whole, x);
    }

    [Fact]
    public void KeptFractionIsOneMinusPAndNeighboursAreUncorrelated()
    {
        const int N = 200_000;
        foreach (float p in new[] { 0.1f, 0.2f, 0.5f })
        {
            uint th = DropoutMask.Threshold(p);
            int kept = 0, bothKept = 0;
            bool previous = false;
            for (int i = 0; i < N; i++)
            {
                bool k = DropoutMask.Keep(7, i, th);
                kept += k ? 1 : 0;
                bothKept += k && previous ? 1 : 0;
                previous = k;
            }

            // Binomial standard deviations are at most 0.0012 here; allow five.
            double q = 1 - p;
            Assert.InRange(kept / (double)N, q - 0.006, q + 0.006);
            Assert.InRange(bothKept / (double)(N - 1), (q * q) - 0.006, (q * q) + 0.006);
        }
    }

    [Fact]
    public void ProbabilityZeroKeepsEverythingAndOneDropsEverything()
    {
        for (int i = 0; i < 10_000; i++)
        {
            Assert.True(DropoutMask.Keep(5, i, DropoutMask.Threshold(0f)));
            Assert.False(DropoutMask.Keep(5, i, DropoutMask.Threshold(1f)));
        }

        Assert.Equal(0f, DropoutMask.Scale(1f));
        float[] x = [float.NaN, 1f];
        var y = new float[2];
        DropoutMask.Apply(5, 0, DropoutMask.Threshold(1f), 0f, x, y);
        Assert.True(float.IsNaN(y[0]), "a dropped NaN stays NaN, as x * 0 in PyTorch");
        Assert.Equal(0f, y[1]);
    }

    [Fact]
    public void DifferentSeedsGiveDifferentMasks()
    {
        uint th = DropoutMask.Threshold(0.5f);
        int same = 0;
        for (int i = 0; i < 1000; i++)
        {
            same += DropoutMask.Keep(1, i, th) == DropoutMask.Keep(2, i, th) ? 1 : 0;
        }

        Assert.InRange(same, 400, 600);
    }
}
