using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Finite-difference gradient checks of reductions and softmax over odd lengths and every dim position.</summary>
public class ReductionGradCheckTests
{
    /// <summary>Distinct values at least 0.05 apart (a shuffled grid plus small noise), so max/min have no near-ties.</summary>
    internal static Tensor Distinct(Generator g, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = (i * 0.1f) - (s.Length * 0.05f) + ((g.NextSingle() - 0.5f) * 0.04f);
        }

        for (int i = s.Length - 1; i > 0; i--)
        {
            int j = g.NextInt(i + 1);
            (s[i], s[j]) = (s[j], s[i]);
        }

        return t;
    }

    public static TheoryData<int[], int> DimCases => new()
    {
        { [1, 7], 1 },
        { [17], 0 },
        { [3, 7, 5], 1 },
        { [3, 7, 5], 0 },
        { [3, 7, 5], -1 },
        { [2, 1, 33], 1 },
        { [33, 2], 0 },
    };

    [Theory]
    [MemberData(nameof(DimCases))]
    public void MaxAndMinOverADimHaveCorrectGradients(int[] shape, int dim)
    {
        var x = Distinct(new Generator(11), shape);
        GradCheck.Check(xs => xs[0].Max(dim).Values, [x]);
        GradCheck.Check(xs => xs[0].Min(dim, keepDim: true).Values, [x]);
    }

    [Fact]
    public void MaxAndMinOverAllHaveCorrectGradientsAwayFromTies()
    {
        var x = Distinct(new Generator(12), 5, 7);
        GradCheck.Check(xs => xs[0].Max(), [x]);
        GradCheck.Check(xs => xs[0].Min(), [x]);
    }

    [Theory]
    [MemberData(nameof(DimCases))]
    public void VarStdAndLogSumExpHaveCorrectGradients(int[] shape, int dim)
    {
        var x = Tensor.Randn(shape, new Generator(13));
        if (x.Shape[dim] > 1)
        {
            GradCheck.Check(xs => xs[0].Var(dim), [x]);
            GradCheck.Check(xs => xs[0].Std(dim, keepDim: true), [x]);
        }

        GradCheck.Check(xs => xs[0].Var(dim, unbiased: false), [x]);
        GradCheck.Check(xs => xs[0].LogSumExp(dim), [x]);
        GradCheck.Check(xs => xs[0].LogSumExp(dim, keepDim: true), [x * 20f], atol: 5e-3);
    }

    [Fact]
    public void VarAndStdOverSeveralDimsHaveCorrectGradients()
    {
        var x = Tensor.Randn([3, 4, 5], new Generator(14));
        GradCheck.Check(xs => xs[0].Var([0, 2]), [x]);
        GradCheck.Check(xs => xs[0].Var([-1, 0], unbiased: false, keepDim: true), [x]);
        GradCheck.Check(xs => xs[0].Std([1, 2]), [x]);
        GradCheck.Check(xs => xs[0].Std([]), [x]);
    }

    [Theory]
    [MemberData(nameof(DimCases))]
    public void SoftmaxAndLogSoftmaxHaveCorrectGradients(int[] shape, int dim)
    {
        var x = Tensor.Randn(shape, new Generator(15)) * 2f;
        GradCheck.Check(xs => F.Softmax(xs[0], dim), [x]);
        GradCheck.Check(xs => F.LogSoftmax(xs[0], dim), [x]);
    }

    [Fact]
    public void SoftmaxOverTheFirstDimOfAWideTensorHasCorrectGradients()
    {
        // 300 columns span two column tiles.
        var x = Tensor.Randn([4, 300], new Generator(16));
        GradCheck.Check(xs => F.Softmax(xs[0], 0), [x], maxElementsPerInput: 40);
        GradCheck.Check(xs => F.LogSoftmax(xs[0], 0), [x], maxElementsPerInput: 40);
    }
}
