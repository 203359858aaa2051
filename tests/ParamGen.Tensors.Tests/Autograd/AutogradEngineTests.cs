using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;

namespace ParamGen.Tensors.Tests.Autograd;

public class AutogradEngineTests
{
    [Fact]
    public void GradientsAccumulateAcrossBackwardCallsUntilCleared()
    {
        var x = Tensor.FromSpan([1f, 2f, 3f], 3).RequiresGrad_();
        (x * x).Sum().Backward();
        (x * 3f).Sum().Backward();
        Assert.Equal([5f, 7f, 9f], x.Grad!.ToArray()); // 2x + 3
        x.Grad = null;
        x.Sum().Backward();
        Assert.Equal([1f, 1f, 1f], x.Grad!.ToArray());
    }

    [Fact]
    public void DiamondGraphSumsBothPaths()
    {
        // y = a*b + a  with b = a^2  => dy/da = 3a^2 + 1
        var a = Tensor.FromSpan([2f, -1f], 2).RequiresGrad_();
        var b = a.Pow(2f);
        (a * b + a).Sum().Backward();
        Assert.Equal([13f, 4f], a.Grad!.ToArray());
    }

    [Fact]
    public void TensorUsedTwiceInOneOpGetsBothContributions()
    {
        var x = Tensor.FromSpan([3f], 1).RequiresGrad_();
        (x * x).Sum().Backward();
        Assert.Equal(6f, x.Grad![0]);
    }

    [Fact]
    public void NoGradScopeRecordsNothingAndRestoresMode()
    {
        var x = Tensor.Ones(2).RequiresGrad_();
        Tensor y;
        using (Grad.NoGrad())
        {
            Assert.False(Grad.IsEnabled);
            using (Grad.NoGrad())
            {
                y = x * 2f;
            }

            Assert.False(Grad.IsEnabled);
        }

        Assert.True(Grad.IsEnabled);
        Assert.False(y.RequiresGrad);
        Assert.Null(y.GradFnName);
        Assert.True((x * 2f).RequiresGrad);
    }

    [Fact]
    public void DetachStopsGradientButSharesStorage()
    {
        var x = Tensor.FromSpan([1f, 2f], 2).RequiresGrad_();
        var d = x.Detach();
        Assert.False(d.RequiresGrad);
        (x * d).Sum().Backward(); // d is a constant: grad = d
        Assert.Equal([1f, 2f], x.Grad!.ToArray());
        d.Span[0] = 10f;
        Assert.Equal(10f, x[0]);
    }

    [Fact]
    public void BackwardWithExplicitGradientOnNonScalar()
    {
        var x = Tensor.FromSpan([1f, 2f, 3f], 3).RequiresGrad_();
        var y = x * x;
        y.Backward(Tensor.FromSpan([1f, 0f, 2f], 3));
        Assert.Equal([2f, 0f, 12f], x.Grad!.ToArray());
    }

    [Fact]
    public void LongChainDoesNotOverflowTheStack()
    {
        var x = Tensor.Ones(1).RequiresGrad_();
        var y = x;
        for (int i = 0; i < 20_000; i++)
        {
            y = y + 0f;
        }

        y.Sum().Backward();
        Assert.Equal(1f, x.Grad![0]);
    }

    [Fact]
    public void BackwardOnNonScalarWithoutGradientThrowsAndLeavesGradsUntouched()
    {
        var x = Tensor.Ones(2, 3).RequiresGrad_();
        var y = x * 2f;
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("[2, 3]", e.Message);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void BackwardWithWrongGradientShapeThrows()
    {
        var x = Tensor.Ones(2, 3).RequiresGrad_();
        var e = Assert.Throws<ArgumentException>(() => (x * 2f).Backward(Tensor.Ones(3, 2)));
        Assert.Contains("[3, 2]", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void BackwardOnTensorWithoutGraphThrows()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Tensor.Ones(1).Backward());
        Assert.Contains("does not require a gradient", e.Message);
    }

    [Fact]
    public void RequiresGradCannotBeSetOnNonLeaf()
    {
        var y = Tensor.Ones(1).RequiresGrad_() * 2f;
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
        Assert.True(y.RequiresGrad);
    }

    [Fact]
    public void BroadcastGradientIsSummedBackToInputShape()
    {
        var a = Tensor.Ones(4, 5, 3).RequiresGrad_();
        var b = Tensor.Ones(5, 1).RequiresGrad_();
        (a * b).Sum().Backward();
        Assert.Equal(new Shape(5, 1), b.Grad!.Shape);
        Assert.All(b.Grad.ToArray(), v => Assert.Equal(12f, v));
    }
}
