using ParamGen.Tensors;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Core;

/// <summary>Bad input is rejected with a message naming shapes, before anything changes.</summary>
public class BadInputTests
{
    [Fact]
    public void BroadcastMismatchNamesBothShapes()
    {
        var a = Tensor.Ones(2, 3);
        var b = Tensor.Ones(4, 3);
        var e = Assert.Throws<ArgumentException>(() => a + b);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 3]", e.Message);
        Assert.Contains("Add", e.Message);
    }

    [Fact]
    public void MatMulInnerMismatchNamesShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 3).MatMul(Tensor.Ones(4, 5)));
        Assert.Contains("[2, 3] x [4, 5]", e.Message);
    }

    [Fact]
    public void BatchedMatMulBatchMismatchIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 3, 4).MatMul(Tensor.Ones(5, 4, 2)));
        Assert.Contains("[2, 3, 4]", e.Message);
        Assert.Contains("[5, 4, 2]", e.Message);
    }

    [Fact]
    public void LinearShapeMismatchNamesInputAndWeight()
    {
        var e = Assert.Throws<ArgumentException>(() => F.Linear(Tensor.Ones(7, 10), Tensor.Ones(4, 9)));
        Assert.Contains("[7, 10]", e.Message);
        Assert.Contains("[4, 9]", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => F.Linear(Tensor.Ones(7, 9), Tensor.Ones(4, 9), Tensor.Ones(5)));
        Assert.Contains("bias [5]", e2.Message);
    }

    [Fact]
    public void ReshapeToWrongElementCountIsRejected()
    {
        var t = Tensor.Ones(2, 3);
        var e = Assert.Throws<ArgumentException>(() => t.Reshape(4, 2));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Throws<ArgumentException>(() => t.Reshape(-1, -1));
        Assert.Equal(new Shape(2, 3), t.Shape);
    }

    [Fact]
    public void ConstructorRejectsDataShapeMismatchAndNegativeSizes()
    {
        Assert.Throws<ArgumentException>(() => new Tensor(new float[5], 2, 3));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, -1));
    }

    [Fact]
    public void OutOfRangeDimensionNamesTheShape()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Ones(2, 3).Sum(2));
        Assert.Contains("[2, 3]", e.Message);
    }

    [Fact]
    public void RepeatedReductionDimIsRejected()
    {
        Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 3).Sum([1, -1]));
    }

    [Fact]
    public void ItemOnMultiElementTensorIsRejected()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Tensor.Ones(2).Item());
        Assert.Contains("[2]", e.Message);
    }

    [Fact]
    public void ClampWithoutBoundsOrWithInvertedBoundsIsRejected()
    {
        Assert.Throws<ArgumentException>(() => Tensor.Ones(2).Clamp());
        Assert.Throws<ArgumentException>(() => Tensor.Ones(2).Clamp(1f, 0f));
    }

    [Fact]
    public void SumToShapeOfIncompatibleShapeIsRejected()
    {
        Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 3).SumToShape(new Shape(2)));
    }
}
