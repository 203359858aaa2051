using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Finite-difference gradient checks of group batch norm: rank 2 and 3, with and without a mask, groups of one included row.</summary>
public class GroupNormGradCheckTests
{
    private static bool[] Lengths(int[] lengths, int l) =>
        lengths.SelectMany(n => Enumerable.Range(0, l).Select(t => t < n)).ToArray();

    /// <summary>Fresh running statistics per call, so the in-place update cannot leak from one evaluation into the next.</summary>
    private static Func<Tensor[], Tensor> Op(int[] groups, int groupCount, bool[] include, Tensor? rm, Tensor? rv, bool training) =>
        xs => F.GroupBatchNorm(xs[0], groups, groupCount, rm?.Clone(), rv?.Clone(), include, training, momentum: 0.2f);

    [Fact]
    public void Rank2TrainingHasCorrectGradientsWithAndWithoutMask()
    {
        var g = new Generator(41);
        var x = Tensor.Randn([9, 4], g) * 2f - 0.5f;
        int[] groups = [0, 1, 0, 2, 1, 0, 1, 0, 2]; // group 3 absent, group 2 two rows
        var rm = Tensor.Randn([4, 4], g);
        var rv = Tensor.Rand([4, 4], g) + 0.5f;
        GradCheck.Check(Op(groups, 4, [], rm, rv, training: true), [x]);
        GradCheck.Check(Op(groups, 4, [], null, null, training: true), [x]);

        // Rows 3 and 5 excluded: group 2 keeps one included row (running statistics, or copied through without them).
        bool[] include = [true, true, true, false, true, false, true, true, true];
        GradCheck.Check(Op(groups, 4, include, rm, rv, training: true), [x]);
        GradCheck.Check(Op(groups, 4, include, null, null, training: true), [x]);
    }

    [Fact]
    public void Rank3TrainingHasCorrectGradientsWithAndWithoutMask()
    {
        var g = new Generator(42);
        var x = Tensor.Randn([5, 3, 4], g) + 1f;
        int[] groups = [1, 0, 1, 2, 0];
        var rm = Tensor.Randn([3, 4], g);
        var rv = Tensor.Rand([3, 4], g) + 0.5f;
        GradCheck.Check(Op(groups, 3, [], rm, rv, training: true), [x]);

        // Group 2 (sample 3) has a single included row; group 0 has three.
        var include = Lengths([3, 2, 2, 1, 1], 3);
        GradCheck.Check(Op(groups, 3, include, rm, rv, training: true), [x]);
        GradCheck.Check(Op(groups, 3, include, null, null, training: true), [x]);
    }

    [Fact]
    public void EvaluationHasCorrectGradients()
    {
        var g = new Generator(43);
        var x = Tensor.Randn([4, 3, 5], g);
        var rm = Tensor.Randn([2, 5], g);
        var rv = Tensor.Rand([2, 5], g) + 0.5f;
        GradCheck.Check(Op([1, 0, 1, 1], 2, Lengths([3, 1, 2, 3], 3), rm, rv, training: false), [x]);
        GradCheck.Check(Op([1, 0, 0, 1], 2, [], rm, rv, training: false), [Tensor.Randn([4, 5], g)]);
    }
}
