using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Finite-difference gradient checks of layer norm and batch norm (input, weight and bias).</summary>
public class NormGradCheckTests
{
    public static TheoryData<int[], int[]> LayerNormShapes => new()
    {
        { [4, 1], [1] },
        { [3, 7], [7] },
        { [2, 3, 17], [17] },
        { [2, 3, 5], [3, 5] },
        { [33], [33] },
    };

    [Theory]
    [MemberData(nameof(LayerNormShapes))]
    public void LayerNormHasCorrectGradients(int[] shape, int[] normalized)
    {
        var g = new Generator(31);
        var x = Tensor.Randn(shape, g) * 2f + 0.5f;
        var w = Tensor.Randn(normalized, g);
        var b = Tensor.Randn(normalized, g);
        GradCheck.Check(xs => F.LayerNorm(xs[0], normalized, xs[1], xs[2]), [x, w, b]);
        GradCheck.Check(xs => F.LayerNorm(xs[0], normalized), [x]);
        GradCheck.Check(xs => F.LayerNorm(xs[0], normalized, bias: xs[1], eps: 1e-2f), [x, b]);
    }

    public static TheoryData<int[]> BatchNormShapes => new()
    {
        { [2, 1] },
        { [8, 5] },
        { [3, 4, 7] },
        { [2, 3, 1] },
        { [5, 2, 17] },
    };

    [Theory]
    [MemberData(nameof(BatchNormShapes))]
    public void BatchNormTrainingHasCorrectGradients(int[] shape)
    {
        var g = new Generator(32);
        int c = shape[1];
        var x = Tensor.Randn(shape, g) * 2f - 0.5f;
        var w = Tensor.Randn([c], g);
        var b = Tensor.Randn([c], g);
        var (rm, rv) = (Tensor.Zeros(c), Tensor.Ones(c));
        GradCheck.Check(xs => F.BatchNorm(xs[0], rm, rv, xs[1], xs[2], training: true), [x, w, b]);
        GradCheck.Check(xs => F.BatchNorm(xs[0], null, null, training: true), [x]);
    }

    [Theory]
    [MemberData(nameof(BatchNormShapes))]
    public void BatchNormEvaluationHasCorrectGradients(int[] shape)
    {
        var g = new Generator(33);
        int c = shape[1];
        var x = Tensor.Randn(shape, g);
        var rm = Tensor.Randn([c], g);
        var rv = Tensor.Rand([c], g) + 0.5f;
        GradCheck.Check(xs => F.BatchNorm(xs[0], rm, rv, xs[1], xs[2]), [x, Tensor.Randn([c], g), Tensor.Randn([c], g)]);
    }
}
