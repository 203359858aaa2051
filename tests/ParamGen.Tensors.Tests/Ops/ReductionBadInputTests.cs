using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Reductions and softmax: bad arguments throw naming the problem; edge values behave as documented.</summary>
public class ReductionBadInputTests
{
    [Fact]
    public void ADimOutOfRangeThrowsNamingTheShapeAndLeavesTheInputUnchanged()
    {
        var x = Tensor.Randn([3, 4], new Generator(1));
        var before = x.ToArray();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => x.Max(2));
        Assert.Contains("[3, 4]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.ArgMin(-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.LogSumExp(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Var(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.Softmax(x, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.LogSoftmax(x, -3));
        Assert.Equal(before, x.ToArray());
    }

    [Fact]
    public void ARepeatedVarianceDimThrowsNamingIt()
    {
        var x = Tensor.Randn([3, 4], new Generator(2));
        var e = Assert.Throws<ArgumentException>(() => x.Var([1, -1]));
        Assert.Contains("-1", e.Message);
        Assert.Throws<ArgumentException>(() => x.Std([0, 0]));
    }

    [Fact]
    public void ReducingAnEmptyDimOrAnEmptyTensorThrows()
    {
        var x = Tensor.Zeros(3, 0);
        var e = Assert.Throws<ArgumentException>(() => x.Max(1));
        Assert.Contains("[3, 0]", e.Message);
        Assert.Throws<ArgumentException>(() => x.ArgMin(1));
        Assert.Throws<ArgumentException>(() => x.Max());
        Assert.Throws<ArgumentException>(() => x.Min());
    }

    [Fact]
    public void MaxPropagatesNaNAsTorch()
    {
        var x = new Tensor([1f, float.NaN, 3f, 2f, 5f, 4f], 2, 3);
        var (v, i) = x.Max(1);
        Assert.True(float.IsNaN(v[0]));
        Assert.Equal(1f, i[0]);
        Assert.Equal(5f, v[1]);
        Assert.Equal(1f, i[1]);
        Assert.True(float.IsNaN(x.Max().Item()));
    }

    [Fact]
    public void ReductionsOfAScalarAlongDimZeroReturnTheScalar()
    {
        var x = Tensor.Scalar(2.5f);
        Assert.Equal(2.5f, x.Max(0).Values.Item());
        Assert.Equal(0, x.Max(0).Values.Rank);
        Assert.Equal(0f, x.ArgMax(-1).Item());
        Assert.Equal(2.5f, x.LogSumExp(0).Item(), 6);
        Assert.Equal(1f, F.Softmax(x, 0).Item());
    }

    [Fact]
    public void AFullyMaskedSliceGivesZeroSoftmaxAndMinusInfinityLogSumExp()
    {
        float ninf = float.NegativeInfinity;
        var rows = new Tensor([ninf, ninf, ninf, 1f, 2f, 3f], 2, 3).RequiresGrad_();
        var y = F.Softmax(rows, -1);
        Assert.Equal([0f, 0f, 0f], y.ToArray()[..3]);
        TensorAssert.Close(F.Softmax(new Tensor([1f, 2f, 3f], 3), 0).AsReadOnlySpan(), y.ToArray()[3..]);
        y.Sum().Backward();
        Assert.All(rows.Grad!.ToArray(), v => Assert.Equal(0f, v, 6));

        var cols = new Tensor([ninf, 1f, ninf, 2f], 2, 2);
        var yc = F.Softmax(cols, 0);
        Assert.Equal(0f, yc[0, 0]);
        Assert.Equal(0f, yc[1, 0]);
        Assert.Equal(1f, yc[0, 1] + yc[1, 1], 6);

        var lse = rows.Detach().LogSumExp(1);
        Assert.True(float.IsNegativeInfinity(lse[0]));
        Assert.True(float.IsNegativeInfinity(cols.LogSumExp(0)[0]));
    }

    [Fact]
    public void VarianceOfOneElementIsNaNWhenUnbiasedAndZeroWhenBiased()
    {
        var x = Tensor.Randn([4, 1], new Generator(3));
        Assert.All(x.Var(1).ToArray(), v => Assert.True(float.IsNaN(v)));
        Assert.All(x.Var(1, unbiased: false).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void LogSumExpIsStableForHugeInputs()
    {
        var x = new Tensor([1000f, 1000f, -1000f], 3);
        Assert.Equal(1000f + MathF.Log(2f), x.LogSumExp(0).Item(), 3);
        var y = F.LogSoftmax(x, 0);
        Assert.Equal(-MathF.Log(2f), y[0], 5);
    }
}
