using ParamGen.Tensors;
using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Tests.Core;

public class TensorBasicsTests
{
    [Fact]
    public void ReshapeIsAViewSharingStorage()
    {
        var t = Tensor.Arange(6);
        var v = t.Reshape(2, -1);
        Assert.Equal(new Shape(2, 3), v.Shape);
        v[1, 2] = 42f;
        Assert.Equal(42f, t[5]);
    }

    [Fact]
    public void CreationOpsProduceTheDocumentedValues()
    {
        Assert.Equal([0f, 0.5f, 1f, 1.5f], Tensor.Arange(0f, 2f, 0.5f).ToArray());
        Assert.Equal([1f, 0f, 0f, 1f], Tensor.Eye(2).ToArray());
        Assert.All(Tensor.Full(2.5f, 3, 2).ToArray(), v => Assert.Equal(2.5f, v));
        Assert.Equal(1, Tensor.Scalar(3f).NumElements);
        Assert.Equal(0, Tensor.Scalar(3f).Rank);
        var ints = Tensor.RandInt(3, 7, [1000], new Generator(1)).ToArray();
        Assert.All(ints, v => Assert.InRange(v, 3f, 6f));
        Assert.Equal(4, ints.Distinct().Count());
    }

    [Fact]
    public void RandnHasStandardMoments()
    {
        var x = Tensor.Randn([200_000], new Generator(5)).ToArray();
        double mean = x.Average();
        double var = x.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(var, 0.98, 1.02);
    }

    [Fact]
    public void SameSeedGivesSameSamplesAndStateRoundTrips()
    {
        var g1 = new Generator(123);
        var g2 = new Generator(123);
        Assert.Equal(Tensor.Randn([50], g1).ToArray(), Tensor.Randn([50], g2).ToArray());
        var state = g1.GetState();
        var next = Tensor.Rand([20], g1).ToArray();
        g2.SetState(state);
        Assert.Equal(next, Tensor.Rand([20], g2).ToArray());
        Assert.NotEqual(Tensor.Rand([20], new Generator(1)).ToArray(), Tensor.Rand([20], new Generator(2)).ToArray());
    }

    [Fact]
    public void MatMulIsBitwiseIdenticalForAnyThreadCount()
    {
        var g = new Generator(9);
        var a = Tensor.Randn([301, 129], g);
        var b = Tensor.Randn([129, 257], g);
        int saved = Engine.NumThreads;
        try
        {
            Engine.NumThreads = 1;
            var one = a.MatMul(b).ToArray();
            Engine.NumThreads = 2;
            var two = a.MatMul(b).ToArray();
            Engine.NumThreads = 3;
            var three = a.MatMul(b).ToArray();
            Assert.Equal(one, two);
            Assert.Equal(one, three);
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 5, 7)]
    [InlineData(4, 32, 16)]
    [InlineData(17, 33, 65)]
    [InlineData(64, 300, 70)]
    [InlineData(5, 1, 129)]
    public void GemmMatchesNaiveProductForAllTransposeFlags(int m, int k, int n)
    {
        var g = new Generator(11);
        var a = Tensor.Randn([m, k], g);
        var b = Tensor.Randn([k, n], g);
        var expected = Naive(a, b);
        Infrastructure.TensorAssert.Close(expected, a.MatMul(b), 1e-5, 1e-4);
        var at = Transpose(a);
        var bt = Transpose(b);
        Infrastructure.TensorAssert.Close(expected, Tensor.MatMul2D(at, b, true, false), 1e-5, 1e-4);
        Infrastructure.TensorAssert.Close(expected, Tensor.MatMul2D(a, bt, false, true), 1e-5, 1e-4);
        Infrastructure.TensorAssert.Close(expected, Tensor.MatMul2D(at, bt, true, true), 1e-5, 1e-4);
    }

    [Fact]
    public void MatMulWithAnEmptyInnerDimensionGivesZerosAndZeroGradients()
    {
        var a = Tensor.Zeros(4, 0).RequiresGrad_();
        var b = Tensor.Zeros(0, 3).RequiresGrad_();
        var c = a.MatMul(b);
        Assert.Equal(new Shape(4, 3), c.Shape);
        Assert.All(c.ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(new Shape(2, 4, 3), Tensor.Zeros(2, 4, 0).MatMul(Tensor.Zeros(0, 3)).Shape);
        c.Sum().Backward();
        Assert.Equal(new Shape(4, 0), a.Grad!.Shape);
    }

    private static Tensor Transpose(Tensor x)
    {
        int r = x.Shape[0], c = x.Shape[1];
        var t = Tensor.Zeros(c, r);
        for (int i = 0; i < r; i++)
        {
            for (int j = 0; j < c; j++)
            {
                t[j, i] = x[i, j];
            }
        }

        return t;
    }

    private static Tensor Naive(Tensor a, Tensor b)
    {
        int m = a.Shape[0], k = a.Shape[1], n = b.Shape[1];
        var c = Tensor.Zeros(m, n);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    s += (double)a[i, p] * b[p, j];
                }

                c[i, j] = (float)s;
            }
        }

        return c;
    }
}
