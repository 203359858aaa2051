using ParamGen.Tensors;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>The full reduction <c>Tensor.Sum()</c>: every length through the vector loop and its scalar tail, and double accumulation.</summary>
public sealed class SumKernelTests
{
    [Fact]
    public void EveryLengthSumsExactlyWhenTheTotalIsRepresentable()
    {
        // Halves and small integers: every partial sum is exact in double, so any order gives the same total.
        for (int n = 0; n <= 70; n++)
        {
            var values = Enumerable.Range(0, n).Select(i => ((i * 37) % 11) - 5.5f).ToArray();
            double expected = values.Sum(v => (double)v);
            Assert.Equal((float)expected, Tensor.FromSpan(values, Math.Max(n, 0)).Sum().Item());
        }
    }

    [Fact]
    public void ALongSumKeepsDoublePrecision()
    {
        // One million times 0.1f: a float running sum drifts by about 1%; a double accumulation stays within float rounding.
        var values = new float[1_000_003];
        Array.Fill(values, 0.1f);
        double expected = values.Length * (double)0.1f;
        float got = Tensor.FromSpan(values, values.Length).Sum().Item();
        Assert.Equal((float)expected, got);
    }
}
