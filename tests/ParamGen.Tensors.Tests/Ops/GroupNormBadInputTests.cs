using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Group batch norm: bad input throws before any state changes, naming the argument and shapes.</summary>
public class GroupNormBadInputTests
{
    [Fact]
    public void RejectsBadShapesGroupsMasksAndArgumentsWithoutTouchingRunningStats()
    {
        var g = new Generator(5);
        var x = Tensor.Randn([4, 2, 3], g);
        int[] groups = [0, 1, 1, 0];
        var rm = Tensor.Randn([2, 3], g);
        var rv = Tensor.Rand([2, 3], g) + 0.5f;
        var (rmBefore, rvBefore) = (rm.ToArray(), rv.ToArray());
        ArgumentException Bad(Func<Tensor> f) => Assert.ThrowsAny<ArgumentException>(f);

        var e = Bad(() => F.GroupBatchNorm(Tensor.Randn([4], g), groups, 2, rm, rv, training: true));
        Assert.Contains("[4]", e.Message);
        Assert.Contains("GroupBatchNorm", e.Message);
        Bad(() => F.GroupBatchNorm(Tensor.Randn([4, 2, 3, 1], g), groups, 2, rm, rv, training: true));

        e = Bad(() => F.GroupBatchNorm(x, [0, 1, 1], 2, rm, rv, training: true));
        Assert.Equal("groups", e.ParamName);
        Assert.Contains("3 entries", e.Message);
        Assert.Contains("[4, 2, 3]", e.Message);
        e = Bad(() => F.GroupBatchNorm(x, [0, 1, 2, 0], 2, rm, rv, training: true));
        Assert.Contains("groups[2] = 2", e.Message);
        e = Bad(() => F.GroupBatchNorm(x, [0, -1, 1, 0], 2, rm, rv, training: true));
        Assert.Contains("groups[1] = -1", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => F.GroupBatchNorm(x, groups, 0, null, null, training: true));
        Assert.Equal("groupCount", e.ParamName);

        e = Bad(() => F.GroupBatchNorm(x, groups, 2, rm, rv, new bool[4], training: true)); // [B], but rank 3 needs B * L
        Assert.Equal("include", e.ParamName);
        Assert.Contains("B * L = 8", e.Message);

        e = Bad(() => F.GroupBatchNorm(x, groups, 2, Tensor.Zeros(3), rv, training: true));
        Assert.Equal("runningMean", e.ParamName);
        Assert.Contains("[2, 3]", e.Message);
        e = Bad(() => F.GroupBatchNorm(x, groups, 2, rm, Tensor.Ones(3, 3), training: true));
        Assert.Equal("runningVar", e.ParamName);
        Assert.Contains("[3, 3]", e.Message);
        e = Bad(() => F.GroupBatchNorm(x, groups, 2, rm, null, training: true));
        Assert.Contains("together", e.Message);
        e = Bad(() => F.GroupBatchNorm(x, groups, 2, null, null, training: false));
        Assert.Contains("evaluation", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.GroupBatchNorm(x, groups, 2, rm, rv, training: true, momentum: -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.GroupBatchNorm(x, groups, 2, rm, rv, training: true, momentum: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.GroupBatchNorm(x, groups, 2, rm, rv, training: true, eps: -1e-5f));
        Assert.Throws<ArgumentNullException>(() => F.GroupBatchNorm(null!, groups, 2, rm, rv, training: true));

        Assert.Equal(rmBefore, rm.ToArray());
        Assert.Equal(rvBefore, rv.ToArray());
    }

    [Fact]
    public void AcceptsAFlagPerSampleForRank2AndEmptyBatches()
    {
        var g = new Generator(6);
        var y = F.GroupBatchNorm(Tensor.Randn([5, 3], g), [0, 0, 1, 1, 1], 2, null, null, [true, true, true, false, true], training: true);
        Assert.Equal([5, 3], y.Shape.ToArray());
        var rm = Tensor.Randn([2, 3], g);
        var before = rm.ToArray();
        var empty = F.GroupBatchNorm(Tensor.Zeros(0, 4, 3), [], 2, rm, Tensor.Ones(2, 3), training: true);
        Assert.Equal([0, 4, 3], empty.Shape.ToArray());
        Assert.Equal(before, rm.ToArray());
    }
}
