using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Group batch norm against plain batch norm, evaluation, absent groups, masks and single-row groups.</summary>
public class GroupNormPropertyTests
{
    private static (Tensor Y, Tensor Dx) ForwardBackward(Tensor x, Func<Tensor, Tensor> f, Tensor dy)
    {
        var xs = x.Clone().RequiresGrad_();
        var y = f(xs);
        y.Mul(dy).Sum().Backward();
        return (y, xs.Grad!);
    }

    [Fact]
    public void OneGroupOverRank2IsExactlyBatchNormAndOtherGroupsKeepTheirRunningStats()
    {
        var g = new Generator(11);
        var x = Tensor.Randn([16, 5], g) * 3f + 2f;
        var dy = Tensor.Randn([16, 5], g);
        var (bnMean, bnVar) = (Tensor.Randn([5], g), Tensor.Rand([5], g) + 0.5f);
        var (gMean, gVar) = (Tensor.Randn([3, 5], g), Tensor.Rand([3, 5], g) + 0.5f);
        var (untouchedMean, untouchedVar) = (gMean.ToArray(), gVar.ToArray());
        gMean.Span.Slice(5, 5).Fill(0f);
        bnMean.AsReadOnlySpan().CopyTo(gMean.Span.Slice(5, 5));
        bnVar.AsReadOnlySpan().CopyTo(gVar.Span.Slice(5, 5));

        var (yb, dxb) = ForwardBackward(x, xs => F.BatchNorm(xs, bnMean, bnVar, training: true, momentum: 0.25f), dy);
        var groups = Enumerable.Repeat(1, 16).ToArray();
        var (yg, dxg) = ForwardBackward(x, xs => F.GroupBatchNorm(xs, groups, 3, gMean, gVar, training: true, momentum: 0.25f), dy);

        // Same sums in the same order: the forward and the running statistics agree to the bit.
        Assert.Equal(yb.ToArray(), yg.ToArray());
        Assert.Equal(bnMean.ToArray(), gMean.ToArray().AsSpan(5, 5).ToArray());
        Assert.Equal(bnVar.ToArray(), gVar.ToArray().AsSpan(5, 5).ToArray());
        TensorAssert.Close(dxb, dxg, 1e-5, 1e-6);

        // Groups 0 and 2 are absent from the batch: their running statistics are untouched.
        Assert.Equal(untouchedMean.AsSpan(0, 5).ToArray(), gMean.ToArray().AsSpan(0, 5).ToArray());
        Assert.Equal(untouchedMean.AsSpan(10, 5).ToArray(), gMean.ToArray().AsSpan(10, 5).ToArray());
        Assert.Equal(untouchedVar.AsSpan(0, 5).ToArray(), gVar.ToArray().AsSpan(0, 5).ToArray());
        Assert.Equal(untouchedVar.AsSpan(10, 5).ToArray(), gVar.ToArray().AsSpan(10, 5).ToArray());
    }

    [Fact]
    public void OneGroupOverRank3IsBatchNormOnTheChannelsFirstInput()
    {
        var g = new Generator(12);
        var x = Tensor.Randn([4, 6, 5], g) - 1f; // [B, L, C]
        var dy = Tensor.Randn([4, 6, 5], g);
        var (bnMean, bnVar) = (Tensor.Randn([5], g), Tensor.Rand([5], g) + 0.5f);
        var (gMean, gVar) = (bnMean.Reshape(1, 5).Clone(), bnVar.Reshape(1, 5).Clone());
        var (yb, dxb) = ForwardBackward(x, xs => F.BatchNorm(xs.Permute(0, 2, 1), bnMean, bnVar, training: true).Permute(0, 2, 1), dy);
        var (yg, dxg) = ForwardBackward(x, xs => F.GroupBatchNorm(xs, [0, 0, 0, 0], 1, gMean, gVar, training: true), dy);
        TensorAssert.Close(yb, yg, 1e-5, 1e-6);
        TensorAssert.Close(dxb, dxg, 1e-5, 1e-6);
        TensorAssert.Close(bnMean.Reshape(1, 5), gMean, 1e-6, 1e-7);
        TensorAssert.Close(bnVar.Reshape(1, 5), gVar, 1e-6, 1e-7);
    }

    [Fact]
    public void EvaluationNormalisesEachGroupWithItsRunningStatsAndLeavesThemUnchanged()
    {
        var g = new Generator(13);
        var x = Tensor.Randn([3, 2, 4], g);
        var dy = Tensor.Randn([3, 2, 4], g);
        var (rm, rv) = (Tensor.Randn([2, 4], g), Tensor.Rand([2, 4], g) + 0.5f);
        var (rmBefore, rvBefore) = (rm.ToArray(), rv.ToArray());
        int[] groups = [1, 0, 1];
        var (y, dx) = ForwardBackward(x, xs => F.GroupBatchNorm(xs, groups, 2, rm, rv, eps: 1e-3f), dy);

        var (xs, ys, dys, dxs) = (x.ToArray(), y.ToArray(), dy.ToArray(), dx.ToArray());
        for (int i = 0; i < xs.Length; i++)
        {
            int at = (groups[i / 8] * 4) + (i % 4);
            double inv = 1.0 / Math.Sqrt(rvBefore[at] + 1e-3);
            Assert.Equal((xs[i] - rmBefore[at]) * inv, ys[i], 5e-6);
            Assert.Equal(dys[i] * inv, dxs[i], 5e-6);
        }

        Assert.Equal(rmBefore, rm.ToArray());
        Assert.Equal(rvBefore, rv.ToArray());
    }

    [Fact]
    public void ExcludedRowsDoNotChangeTheStatisticsAndAFullMaskEqualsNoMask()
    {
        var g = new Generator(14);
        var x = Tensor.Randn([4, 3, 6], g);
        int[] groups = [0, 1, 0, 1];
        bool[] include = [true, true, false, true, true, true, true, false, false, true, true, true];
        var (rm1, rv1, rm2, rv2) = (Tensor.Zeros(2, 6), Tensor.Ones(2, 6), Tensor.Zeros(2, 6), Tensor.Ones(2, 6));
        var y1 = F.GroupBatchNorm(x, groups, 2, rm1, rv1, include, training: true).ToArray();

        // Scramble the excluded rows: included rows and the running statistics must not move by a bit.
        var x2 = x.Clone();
        foreach (int r in new[] { 2, 7, 8 })
        {
            x2.Span.Slice(r * 6, 6).Fill(100f * r);
        }

        var y2 = F.GroupBatchNorm(x2, groups, 2, rm2, rv2, include, training: true).ToArray();
        for (int r = 0; r < 12; r++)
        {
            if (include[r])
            {
                Assert.Equal(y1.AsSpan(r * 6, 6).ToArray(), y2.AsSpan(r * 6, 6).ToArray());
            }
        }

        Assert.Equal(rm1.ToArray(), rm2.ToArray());
        Assert.Equal(rv1.ToArray(), rv2.ToArray());

        var all = F.GroupBatchNorm(x, groups, 2, null, null, Enumerable.Repeat(true, 12).ToArray(), training: true);
        var none = F.GroupBatchNorm(x, groups, 2, null, null, training: true);
        Assert.Equal(none.ToArray(), all.ToArray());
    }

    [Fact]
    public void IncludedRowsOfEachGroupHaveZeroMeanAndUnitVariance()
    {
        var g = new Generator(15);
        var x = Tensor.Randn([6, 5, 7], g) * 4f + 3f;
        int[] groups = [2, 0, 2, 1, 0, 2];
        var include = Enumerable.Range(0, 30).Select(r => r % 5 < 1 + (r / 5 % 4)).ToArray();
        var y = F.GroupBatchNorm(x, groups, 3, null, null, include, training: true, eps: 0f).ToArray();
        for (int grp = 0; grp < 3; grp++)
        {
            var rows = Enumerable.Range(0, 30).Where(r => groups[r / 5] == grp && include[r]).ToArray();
            for (int ch = 0; ch < 7; ch++)
            {
                var v = rows.Select(r => (double)y[(r * 7) + ch]).ToArray();
                double mean = v.Average();
                Assert.Equal(0.0, mean, 1e-5);
                Assert.Equal(1.0, v.Select(u => (u - mean) * (u - mean)).Average(), 1e-4);
            }
        }
    }

    [Fact]
    public void AGroupWithOneIncludedRowUsesRunningStatsOrPassesThroughUnchanged()
    {
        var g = new Generator(16);
        var x = Tensor.Randn([3, 2, 4], g);
        var dy = Tensor.Randn([3, 2, 4], g);
        int[] groups = [0, 1, 0];
        bool[] include = [true, true, true, false, true, true]; // group 1: one included row of two
        var (y, dx) = ForwardBackward(x, xs => F.GroupBatchNorm(xs, groups, 2, null, null, include, training: true), dy);
        Assert.Equal(x.ToArray().AsSpan(8, 8).ToArray(), y.ToArray().AsSpan(8, 8).ToArray());
        Assert.Equal(dy.ToArray().AsSpan(8, 8).ToArray(), dx.ToArray().AsSpan(8, 8).ToArray());

        var (rm, rv) = (Tensor.Randn([2, 4], g), Tensor.Rand([2, 4], g) + 0.5f);
        var (rmBefore, rvBefore) = (rm.ToArray(), rv.ToArray());
        var yr = F.GroupBatchNorm(x, groups, 2, rm, rv, include, training: true).ToArray();
        for (int i = 8; i < 16; i++)
        {
            Assert.Equal((x.ToArray()[i] - rmBefore[4 + (i % 4)]) / Math.Sqrt(rvBefore[4 + (i % 4)] + 1e-5), yr[i], 5e-6);
        }

        Assert.Equal(rmBefore.AsSpan(4, 4).ToArray(), rm.ToArray().AsSpan(4, 4).ToArray());
        Assert.Equal(rvBefore.AsSpan(4, 4).ToArray(), rv.ToArray().AsSpan(4, 4).ToArray());
        Assert.NotEqual(rmBefore.AsSpan(0, 4).ToArray(), rm.ToArray().AsSpan(0, 4).ToArray());
    }
}
