using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Finite-difference gradient checks of the shape, layout and indexing ops over odd and size-1 shapes.</summary>
public class ShapeOpsGradCheckTests
{
    private static Tensor R(Generator g, params int[] shape) => Tensor.Randn(shape, g);

    public static TheoryData<int[], int[]> Permutations => new()
    {
        { [2, 5, 3, 7], [0, 2, 1, 3] },
        { [2, 3, 5, 17], [0, 1, 3, 2] },
        { [33, 7], [1, 0] },
        { [3, 4, 5], [2, 0, 1] },
        { [2, 3, 4, 5], [3, 1, 0, 2] },
        { [3, 1, 5], [1, 2, 0] },
        { [1, 17, 1], [2, 1, 0] },
        { [3, 4, 5], [-1, -3, 1] },
    };

    [Theory]
    [MemberData(nameof(Permutations))]
    public void PermuteHasCorrectGradient(int[] shape, int[] dims) =>
        GradCheck.Check(x => x[0].Permute(dims), [R(new Generator(1), shape)]);

    [Fact]
    public void TransposeHasCorrectGradient() =>
        GradCheck.Check(x => x[0].Transpose(-1, 0), [R(new Generator(2), 7, 1, 17)]);

    [Theory]
    [InlineData(0, 2, 3)]
    [InlineData(1, 0, 7)]
    [InlineData(-1, 1, 1)]
    [InlineData(1, -3, 2)]
    public void NarrowHasCorrectGradient(int dim, int start, int length) =>
        GradCheck.Check(x => x[0].Narrow(dim, start, length), [R(new Generator(3), 5, 7, 3)]);

    [Fact]
    public void SelectHasCorrectGradient()
    {
        var g = new Generator(4);
        GradCheck.Check(x => x[0].Select(0, 4), [R(g, 5, 7)]);
        GradCheck.Check(x => x[0].Select(-2, 1), [R(g, 3, 17, 1)]);
    }

    [Fact]
    public void SplitAndChunkPiecesHaveCorrectGradients()
    {
        var g = new Generator(5);

        // Each piece weighted differently, so a gradient routed to the wrong piece shows.
        GradCheck.Check(x =>
        {
            var p = x[0].Split(3, 1);
            return Tensor.Cat([p[0].Mul(2f), p[1], p[2].Mul(-1f)], 1);
        }, [R(g, 4, 7)]);
        GradCheck.Check(x =>
        {
            var p = x[0].Chunk(3, 0);
            return p[0].Mul(p[1]).Add(p[2].Sum());
        }, [R(g, 9, 2)]);
        GradCheck.Check(x => x[0].Split([1, 5, 11], -1)[1], [R(g, 3, 17)]);
    }

    [Fact]
    public void CatHasCorrectGradientsForEveryInput()
    {
        var g = new Generator(6);
        GradCheck.Check(x => Tensor.Cat(x, 0), [R(g, 2, 7), R(g, 1, 7), R(g, 5, 7)]);
        GradCheck.Check(x => Tensor.Cat(x, -1), [R(g, 3, 2, 1), R(g, 3, 2, 17)]);
        GradCheck.Check(x => Tensor.Cat([x[0], x[0]], 1), [R(g, 3, 4)]);
    }

    [Fact]
    public void StackHasCorrectGradientsForEveryInput()
    {
        var g = new Generator(7);
        GradCheck.Check(x => Tensor.Stack(x, 0), [R(g, 3, 7), R(g, 3, 7)]);
        GradCheck.Check(x => Tensor.Stack(x, -1), [R(g, 3, 1), R(g, 3, 1), R(g, 3, 1)]);
        GradCheck.Check(x => Tensor.Stack(x, 1), [R(g, 2, 17), R(g, 2, 17)]);
    }

    [Fact]
    public void RepeatHasCorrectGradient()
    {
        var g = new Generator(8);
        GradCheck.Check(x => x[0].Repeat(2, 1, 3), [R(g, 1, 7)]);
        GradCheck.Check(x => x[0].Repeat(3, 2), [R(g, 17)]);
        GradCheck.Check(x => x[0].Repeat(1, 4, 1), [R(g, 2, 1, 3)]);
    }

    [Fact]
    public void TrianglesHaveCorrectGradients()
    {
        var g = new Generator(9);
        GradCheck.Check(x => x[0].Tril(), [R(g, 2, 7, 7)]);
        GradCheck.Check(x => x[0].Tril(-2), [R(g, 5, 17)]);
        GradCheck.Check(x => x[0].Triu(1), [R(g, 3, 7, 4)]);
        GradCheck.Check(x => x[0].Triu(-1), [R(g, 1, 1)]);
    }

    [Fact]
    public void GatherHasCorrectGradientWithRepeatedIndices()
    {
        var g = new Generator(10);
        var index = Tensor.RandInt(0, 7, [3, 17], g);
        GradCheck.Check(x => x[0].Gather(1, index), [R(g, 3, 7)]);
        var smaller = Tensor.RandInt(0, 4, [2, 5, 1], g);
        GradCheck.Check(x => x[0].Gather(0, smaller), [R(g, 4, 7, 3)]);
    }

    [Fact]
    public void IndexSelectHasCorrectGradientWithRepeatedIndices()
    {
        var g = new Generator(11);
        var index = Tensor.FromInts([6, 0, 6, 3, 1, 6], 6);
        GradCheck.Check(x => x[0].IndexSelect(1, index), [R(g, 3, 7, 2)]);
        GradCheck.Check(x => x[0].IndexSelect(0, index), [R(g, 7, 17)]);
    }

    [Fact]
    public void ScatterAddHasCorrectGradientsToSelfAndSource()
    {
        var g = new Generator(12);
        var index = Tensor.RandInt(0, 5, [3, 7], g);
        GradCheck.Check(x => x[0].ScatterAdd(1, index, x[1]), [R(g, 3, 5), R(g, 3, 7)]);
        GradCheck.Check(x => x[0].ScatterAdd(1, index, x[1]), [R(g, 4, 5), R(g, 4, 9)]);
        var index0 = Tensor.RandInt(0, 2, [5, 1], g);
        GradCheck.Check(x => x[0].ScatterAdd(0, index0, x[1]), [R(g, 2, 3), R(g, 5, 1)]);
    }

    [Fact]
    public void WhereHasCorrectGradientsUnderBroadcasting()
    {
        var g = new Generator(13);
        var cond = Tensor.Rand([4, 1, 17], g).Gt(0.5f);
        GradCheck.Check(x => Tensor.Where(cond, x[0], x[1]), [R(g, 4, 3, 17), R(g, 17)]);
        GradCheck.Check(x => Tensor.Where(cond, x[0], x[1]), [R(g, 1, 3, 1), R(g)]);
    }

    [Fact]
    public void WhereGivesTheConditionNoGradient()
    {
        var cond = Tensor.FromInts([1, 0, 1], 3).RequiresGrad_();
        var a = Tensor.Ones(3).RequiresGrad_();
        var b = Tensor.Zeros(3).RequiresGrad_();
        Tensor.Where(cond, a, b).Mul(Tensor.FromSpan([2f, 3f, 4f], 3)).Sum().Backward();
        Assert.Null(cond.Grad);
        Assert.Equal([2f, 0f, 4f], a.Grad!.ToArray());
        Assert.Equal([0f, 3f, 0f], b.Grad!.ToArray());
    }

    [Fact]
    public void MaskedFillHasCorrectGradientUnderBroadcasting()
    {
        var g = new Generator(14);
        var mask = Tensor.Rand([3, 1], g).Gt(0.5f);
        GradCheck.Check(x => x[0].MaskedFill(mask, -7f), [R(g, 2, 3, 17)]);
        var wide = Tensor.Rand([5, 7], g).Lt(0.3f);
        GradCheck.Check(x => x[0].MaskedFill(wide, 1f), [R(g, 7)]);
    }

    [Fact]
    public void EmbeddingHasCorrectGradientAndPaddingRowGetsNone()
    {
        var g = new Generator(15);
        var ids = Tensor.FromInts([0, 3, 3, 9, 0, 1, 0, 7, 3, 2, 9, 9, 5, 0, 4], 3, 5);
        // Finite differences see the padding row's true (non-zero) derivative, which the op deliberately drops,
        // so they check a padding index absent from the batch; the padding rule is asserted exactly below.
        GradCheck.Check(x => F.Embedding(ids, x[0], paddingIdx: 8), [R(g, 10, 17)]);
        GradCheck.Check(x => F.Embedding(ids, x[0]), [R(g, 10, 1)]);

        var w = R(g, 10, 17).RequiresGrad_();
        F.Embedding(ids, w, paddingIdx: 0).Sum().Backward();
        Assert.All(w.Grad!.Select(0, 0).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(w.Grad!.Select(0, 3).ToArray(), v => Assert.Equal(3f, v));
        Assert.All(w.Grad!.Select(0, 6).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void EmbeddingBackwardMatchesARowByRowReferenceOnARealisticTable()
    {
        // A [B, L] batch into a [12000, 64] table, the size the backward is meant for.
        var g = new Generator(16);
        var ids = Tensor.RandInt(0, 12000, [256, 50], g);
        var gout = R(g, 256, 50, 64);
        var w = Tensor.Zeros(12000, 64).RequiresGrad_();
        F.Embedding(ids, w, paddingIdx: 5).Backward(gout);

        var expected = new float[12000 * 64];
        var idv = ids.ToArray();
        var gv = gout.ToArray();
        for (int k = 0; k < idv.Length; k++)
        {
            int row = (int)idv[k];
            if (row == 5)
            {
                continue;
            }

            for (int j = 0; j < 64; j++)
            {
                expected[(row * 64) + j] += gv[(k * 64) + j];
            }
        }

        // Each row adds its contributions in index order, as the reference does, so the match is exact.
        TensorAssert.Equal(new Tensor(expected, 12000, 64), w.Grad!);
    }
}
