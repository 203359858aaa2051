using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Losses: bad input throws naming the problem and changes nothing; documented edge behaviour holds.</summary>
public class LossBadInputTests
{
    [Fact]
    public void AClassTargetOutOfRangeNamesItsPositionAndValue()
    {
        var logits = Tensor.Randn([2, 3, 5], new Generator(1)).RequiresGrad_();
        var before = logits.ToArray();
        var target = new Tensor([0f, 1f, 4f, 2f, 5f, 3f], 2, 3);
        var e = Assert.Throws<ArgumentException>(() => F.CrossEntropy(logits, target));
        Assert.Contains("position 4", e.Message);
        Assert.Contains("[1, 1]", e.Message);
        Assert.Contains("is 5", e.Message);
        Assert.Contains("[0, 5)", e.Message);
        Assert.Null(logits.Grad);
        Assert.Equal(before, logits.ToArray());

        var neg = new Tensor([0f, -1f, 1f], 3);
        e = Assert.Throws<ArgumentException>(() => F.NllLoss(Tensor.Randn([3, 4], new Generator(2)), neg));
        Assert.Contains("position 1", e.Message);
        Assert.Contains("is -1", e.Message);
    }

    [Fact]
    public void ANonIntegerClassTargetIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => F.CrossEntropy(Tensor.Randn([2, 4], new Generator(3)), new Tensor([1f, 2.5f], 2)));
        Assert.Contains("2.5", e.Message);
        Assert.Throws<ArgumentException>(() => F.CrossEntropy(Tensor.Randn([1, 4], new Generator(3)), new Tensor([float.NaN], 1)));
    }

    [Fact]
    public void MismatchedShapesThrowNamingBoth()
    {
        var g = new Generator(4);
        var e = Assert.Throws<ArgumentException>(() => F.CrossEntropy(Tensor.Randn([4, 5], g), Tensor.Zeros(5)));
        Assert.Contains("[4, 5]", e.Message);
        Assert.Contains("[4]", e.Message);
        Assert.Throws<ArgumentException>(() => F.CrossEntropy(Tensor.Scalar(1f), Tensor.Scalar(0f)));
        Assert.Throws<ArgumentException>(() => F.NllLoss(Tensor.Randn([4, 5], g), Tensor.Zeros(4, 1)));
        e = Assert.Throws<ArgumentException>(() => F.MseLoss(Tensor.Randn([3, 4], g), Tensor.Randn([4], g)));
        Assert.Contains("[3, 4]", e.Message);
        Assert.Throws<ArgumentException>(() => F.KlDiv(Tensor.Randn([3, 4], g), Tensor.Randn([3, 5], g)));
        Assert.Throws<ArgumentException>(() => F.BinaryCrossEntropyWithLogits(Tensor.Randn([3, 4], g), Tensor.Randn([4], g)));
        e = Assert.Throws<ArgumentException>(() => F.BinaryCrossEntropyWithLogits(Tensor.Randn([3, 4], g), Tensor.Randn([3, 4], g), weight: Tensor.Ones(3)));
        Assert.Contains("weight [3]", e.Message);
        Assert.Throws<ArgumentException>(() => F.BinaryCrossEntropyWithLogits(Tensor.Randn([3, 4], g), Tensor.Randn([3, 4], g), posWeight: Tensor.Ones(2, 3, 4)));
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        var g = new Generator(5);
        var x = Tensor.Randn([2, 3], g);
        var t = new Tensor([0f, 2f], 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.CrossEntropy(x, t, labelSmoothing: 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.CrossEntropy(x, t, labelSmoothing: -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.CrossEntropy(x, t, reduction: (Reduction)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.MseLoss(x, x, (Reduction)(-1)));
    }

    [Fact]
    public void CrossEntropyWithEveryTargetIgnoredIsNaNWithAZeroGradientAsTorch()
    {
        var x = Tensor.Randn([3, 4], new Generator(6)).RequiresGrad_();
        var t = Tensor.Full(-100f, 3);
        var loss = F.CrossEntropy(x, t);
        Assert.True(float.IsNaN(loss.Item()));
        F.CrossEntropy(x, t, reduction: Reduction.Sum).Backward();
        Assert.All(x.Grad!.ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(0f, F.CrossEntropy(x, t, reduction: Reduction.Sum).Item());
    }

    [Fact]
    public void CrossEntropyEqualsLogSoftmaxThenNll()
    {
        var g = new Generator(7);
        var x = Tensor.Randn([9, 13], g) * 3f;
        var t = LossGradCheckTests.Targets(g, 13, [9], ignore: -100);
        var fused = F.CrossEntropy(x, t, reduction: Reduction.None);
        var composed = F.NllLoss(F.LogSoftmax(x), t, reduction: Reduction.None);
        TensorAssert.Close(composed, fused, 1e-5, 1e-5);
    }

    [Fact]
    public void CrossEntropyOnLargeLogitsStaysFiniteAndPrecise()
    {
        // Logits far beyond exp's range: the loss is (max - x[t]) + log(sum exp(x - max)).
        var x = new Tensor([10000f, 10001f, 9990f], 1, 3).RequiresGrad_();
        var loss = F.CrossEntropy(x, new Tensor([0f], 1));
        double expected = 1.0 + Math.Log(1.0 + Math.Exp(-1.0) + Math.Exp(-11.0));
        Assert.Equal(expected, loss.Item(), 5);
        loss.Backward();
        Assert.Equal((float)(Math.Exp(-expected) - 1.0), x.Grad![0, 0], 5);
    }

    [Fact]
    public void LossesDoNotRecordUnderNoGrad()
    {
        var x = Tensor.Randn([2, 3], new Generator(9)).RequiresGrad_();
        using (Grad.NoGrad())
        {
            Assert.False(F.CrossEntropy(x, new Tensor([0f, 1f], 2)).RequiresGrad);
            Assert.False(F.MseLoss(x, x.Detach()).RequiresGrad);
        }
    }
}
