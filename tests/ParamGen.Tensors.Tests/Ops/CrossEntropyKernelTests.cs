using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using CE = ParamGen.Tensors.Kernels.CrossEntropy;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>
/// The row kernels of the fused cross-entropies against scalar double-precision references, over lengths that
/// do and do not fill their vectors and their 1024-element blocks.
/// </summary>
public class CrossEntropyKernelTests
{
    public static TheoryData<int> Lengths
    {
        get
        {
            var data = new TheoryData<int>();
            foreach (int n in Enumerable.Range(1, 70).Concat([127, 255, 256, 257, 1000, 1023, 1024, 1025, 2047, 2049, 5000]))
            {
                data.Add(n);
            }

            return data;
        }
    }

    private static float[] Row(int n, int seed) => Tensor.Randn([n], new Generator((ulong)seed)).Mul(4f).ToArray();

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ExpSumMatchesTheScalarFormulaInAndOutOfPlace(int n)
    {
        var x = Row(n, n);
        float max = x.Max();
        var e = new float[n];
        float sum = CE.ExpSum(x, max, e);
        var expected = x.Select(v => (float)Math.Exp(v - max)).ToArray();
        TensorAssert.Close(expected, e, 2e-6, 0, "exp(x - max)");
        Assert.Equal(expected.Sum(v => (double)v), sum, 1e-5 * sum);

        var inPlace = (float[])x.Clone();
        Assert.Equal(sum, CE.ExpSum(inPlace, max, inPlace));
        Assert.Equal(e, inPlace);
        Assert.Equal(0f, CE.ExpSum([], 0f, []));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RowGradMatchesTheScalarFormula(int n)
    {
        var x = Row(n, 100 + n);
        int t = n / 3;
        foreach (float smoothing in new[] { 0f, 0.1f })
        {
            double max = x.Max();
            double lse = max + Math.Log(x.Sum(v => Math.Exp(v - max)));
            var (m, logSum) = CE.LogSumExp(x, new float[n]);
            var dx = new float[n];
            CE.RowGrad(x, t, m, logSum, 0.7f, smoothing, dx);
            var expected = x.Select((v, i) => (float)(0.7 * (Math.Exp(v - lse) - (smoothing / n) - (i == t ? 1 - smoothing : 0)))).ToArray();
            TensorAssert.Close(expected, dx, 1e-5, 1e-7, $"dx (smoothing {smoothing})");
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RowLossInPlaceEqualsRowLossAndRowGrad(int n)
    {
        var x = Row(n, 200 + n);
        int t = (2 * n) / 3;
        foreach (float smoothing in new[] { 0f, 0.25f })
        {
            var (max, logSum) = CE.LogSumExp(x, new float[n]);
            double loss = CE.RowLoss(x, t, max, logSum, smoothing);
            var dx = new float[n];
            CE.RowGrad(x, t, max, logSum, 1.5f, smoothing, dx);

            var g = (float[])x.Clone();
            Assert.Equal(loss, CE.RowLossInPlace(g, t, max, smoothing, grad: true, 1.5f, out float ls));
            Assert.Equal(logSum, ls);
            TensorAssert.Close(dx, g, 1e-5, 1e-7, $"gradient (smoothing {smoothing})");

            var e = (float[])x.Clone();
            Assert.Equal(loss, CE.RowLossInPlace(e, t, max, smoothing, grad: false, 1.5f, out ls));
            Assert.Equal(logSum, ls);
            var expected = new float[n];
            CE.ExpSum(x, max, expected);
            Assert.Equal(expected, e);
        }
    }

    [Fact]
    public void RowLossInPlaceTakesTheReferencePathForAnInfiniteMax()
    {
        foreach (var x in new[] { new[] { 1f, float.PositiveInfinity, 0f }, new[] { float.NegativeInfinity, float.NegativeInfinity } })
        {
            var (max, logSum) = CE.LogSumExp(x, new float[x.Length]);
            double loss = CE.RowLoss(x, 0, max, logSum, 0.1f);
            var dx = new float[x.Length];
            CE.RowGrad(x, 0, max, logSum, 1f, 0.1f, dx);
            var g = (float[])x.Clone();
            Assert.Equal(loss, CE.RowLossInPlace(g, 0, max, 0.1f, grad: true, 1f, out float ls));
            Assert.Equal(logSum, ls);
            Assert.Equal(dx, g);
        }
    }
}
