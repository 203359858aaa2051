using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Layer norm and batch norm: bad input throws before any state changes, naming shapes; normalised statistics hold.</summary>
public class NormBadInputTests
{
    [Fact]
    public void LayerNormRejectsShapesThatDoNotFit()
    {
        var g = new Generator(1);
        var x = Tensor.Randn([2, 3, 4], g);
        var e = Assert.Throws<ArgumentException>(() => F.LayerNorm(x, [3]));
        Assert.Contains("[2, 3, 4]", e.Message);
        Assert.Contains("[3]", e.Message);
        Assert.Throws<ArgumentException>(() => F.LayerNorm(x, [1, 2, 3, 4]));
        Assert.Throws<ArgumentException>(() => F.LayerNorm(x, []));
        e = Assert.Throws<ArgumentException>(() => F.LayerNorm(x, [4], weight: Tensor.Ones(3)));
        Assert.Contains("weight", e.Message);
        Assert.Throws<ArgumentException>(() => F.LayerNorm(x, [3, 4], bias: Tensor.Ones(4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.LayerNorm(x, [4], eps: -1f));
    }

    [Fact]
    public void LayerNormOutputHasZeroMeanAndUnitVariancePerRow()
    {
        var x = Tensor.Randn([6, 50], new Generator(2)) * 5f + 3f;
        var y = F.LayerNorm(x, [50], eps: 0f);
        TensorAssert.Close(Tensor.Zeros(6), y.Mean(1), 0, 1e-5);
        TensorAssert.Close(Tensor.Ones(6), y.Var(1, unbiased: false), 0, 1e-4);
    }

    [Fact]
    public void BatchNormRejectsBadShapesAndArgumentsWithoutTouchingRunningStats()
    {
        var g = new Generator(3);
        var x = Tensor.Randn([4, 3], g);
        var rm = Tensor.Randn([3], g);
        var rv = Tensor.Rand([3], g) + 0.5f;
        var (rmBefore, rvBefore) = (rm.ToArray(), rv.ToArray());

        var e = Assert.Throws<ArgumentException>(() => F.BatchNorm(Tensor.Randn([4], g), rm, rv, training: true));
        Assert.Contains("[4]", e.Message);
        Assert.Throws<ArgumentException>(() => F.BatchNorm(Tensor.Randn([2, 3, 4, 5], g), rm, rv, training: true));
        e = Assert.Throws<ArgumentException>(() => F.BatchNorm(x, Tensor.Zeros(4), rv, training: true));
        Assert.Contains("runningMean", e.Message);
        Assert.Contains("[4]", e.Message);
        Assert.Throws<ArgumentException>(() => F.BatchNorm(x, rm, rv, weight: Tensor.Ones(2), training: true));
        Assert.Throws<ArgumentException>(() => F.BatchNorm(x, rm, rv, bias: Tensor.Ones(3, 1), training: true));
        Assert.Throws<ArgumentException>(() => F.BatchNorm(x, rm, null, training: true));
        Assert.Throws<ArgumentException>(() => F.BatchNorm(x, null, null, training: false));
        e = Assert.Throws<ArgumentException>(() => F.BatchNorm(Tensor.Randn([1, 3], g), rm, rv, training: true));
        Assert.Contains("more than one value per channel", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.BatchNorm(x, rm, rv, training: true, momentum: 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.BatchNorm(x, rm, rv, training: true, eps: float.NaN));

        Assert.Equal(rmBefore, rm.ToArray());
        Assert.Equal(rvBefore, rv.ToArray());
    }

    [Fact]
    public void BatchNormTrainingUpdatesRunningStatsWithTheUnbiasedVariance()
    {
        var x = new Tensor([1f, 10f, 3f, 20f, 5f, 60f], 3, 2);
        var rm = Tensor.Zeros(2);
        var rv = Tensor.Ones(2);
        F.BatchNorm(x, rm, rv, training: true, momentum: 0.5f);

        // Channel 0: mean 3, unbiased var 4. Channel 1: mean 30, unbiased var 700.
        Assert.Equal([1.5f, 15f], rm.ToArray());
        Assert.Equal([2.5f, 350.5f], rv.ToArray());
    }
}
