using ParamGen.Tensors;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Shape, layout and indexing ops agree with PyTorch (float64 reference) on outputs and input gradients.</summary>
public class ShapeOpsGoldenTests
{
    private const string Group = "shape";

    private static Tensor Aux(string name, int i = 0) => Golden.Aux(Golden.Load(Group), name, i);

    [Theory]
    [InlineData("permute.blhd", new[] { 0, 2, 1, 3 })]
    [InlineData("permute.last2", new[] { 0, 1, 3, 2 })]
    [InlineData("permute.rotate", new[] { 2, 0, 1 })]
    [InlineData("permute.scramble", new[] { 3, 1, 0, 2 })]
    [InlineData("permute.negdims", new[] { -1, 0, -2 })]
    [InlineData("permute.size1", new[] { 1, 2, 0 })]
    [InlineData("permute.big2d", new[] { 1, 0 })]
    public void PermuteMatchesTorch(string name, int[] dims) => Golden.Run(Group, name, x => x[0].Permute(dims));

    [Fact]
    public void TransposeMatchesTorch()
    {
        Golden.Run(Group, "transpose.2d", x => x[0].Transpose(0, 1));
        Golden.Run(Group, "transpose.neg", x => x[0].Transpose(-1, -3));
    }

    [Fact]
    public void NarrowAndSelectMatchTorch()
    {
        Golden.Run(Group, "narrow.dim0", x => x[0].Narrow(0, 2, 3));
        Golden.Run(Group, "narrow.dim1", x => x[0].Narrow(1, 2, 5));
        Golden.Run(Group, "narrow.negdim", x => x[0].Narrow(-1, 1, 2));
        Golden.Run(Group, "narrow.negstart", x => x[0].Narrow(1, -3, 2));
        Golden.Run(Group, "select.mid", x => x[0].Select(1, 2));
        Golden.Run(Group, "select.neg", x => x[0].Select(-1, -1));
        Golden.Run(Group, "select.dim0", x => x[0].Select(0, 1));
    }

    [Fact]
    public void SplitAndChunkMatchTorch()
    {
        Golden.Run(Group, "split.dim0", x => x[0].Split(3, 0));
        Golden.Run(Group, "split.neg", x => x[0].Split(4, -1));
        Golden.Run(Group, "split.sizes", x => x[0].Split([2, 4, 3], 1));
        Golden.Run(Group, "chunk.dim1", x => x[0].Chunk(3, 1));
        Golden.Run(Group, "chunk.fewer", x => x[0].Chunk(4));
    }

    [Fact]
    public void CatAndStackMatchTorch()
    {
        Golden.Run(Group, "cat.dim0", x => Tensor.Cat(x, 0));
        Golden.Run(Group, "cat.negdim", x => Tensor.Cat(x, -2));
        Golden.Run(Group, "cat.last", x => Tensor.Cat(x, 1));
        Golden.Run(Group, "stack.dim0", x => Tensor.Stack(x, 0));
        Golden.Run(Group, "stack.dim1", x => Tensor.Stack(x, 1));
        Golden.Run(Group, "stack.neg", x => Tensor.Stack(x, -1));
    }

    [Fact]
    public void RepeatMatchesTorch()
    {
        Golden.Run(Group, "repeat.pad", x => x[0].Repeat(2, 1, 3));
        Golden.Run(Group, "repeat.vec", x => x[0].Repeat(2, 2));
        Golden.Run(Group, "repeat.mid", x => x[0].Repeat(1, 4, 1));
    }

    [Fact]
    public void TrilAndTriuMatchTorch()
    {
        Golden.Run(Group, "tril.main", x => x[0].Tril());
        Golden.Run(Group, "tril.below", x => x[0].Tril(-1));
        Golden.Run(Group, "tril.above", x => x[0].Tril(2));
        Golden.Run(Group, "triu.main", x => x[0].Triu());
        Golden.Run(Group, "triu.above", x => x[0].Triu(1));
        Golden.Run(Group, "triu.below", x => x[0].Triu(-2));
    }

    [Fact]
    public void GatherMatchesTorch()
    {
        Golden.Run(Group, "gather.dim1", x => x[0].Gather(1, Aux("gather.dim1")));
        Golden.Run(Group, "gather.dim0", x => x[0].Gather(0, Aux("gather.dim0")));
        Golden.Run(Group, "gather.smaller", x => x[0].Gather(-1, Aux("gather.smaller")));
    }

    [Fact]
    public void IndexSelectMatchesTorch()
    {
        Golden.Run(Group, "index_select.dim0", x => x[0].IndexSelect(0, Aux("index_select.dim0")));
        Golden.Run(Group, "index_select.dim1", x => x[0].IndexSelect(1, Aux("index_select.dim1")));
        Golden.Run(Group, "index_select.neg", x => x[0].IndexSelect(-1, Aux("index_select.neg")));
    }

    [Fact]
    public void ScatterAddMatchesTorchWithGradientsToSelfAndSource()
    {
        Golden.Run(Group, "scatter_add.dim1", x => x[0].ScatterAdd(1, Aux("scatter_add.dim1"), x[1]));
        Golden.Run(Group, "scatter_add.bigsrc", x => x[0].ScatterAdd(1, Aux("scatter_add.bigsrc"), x[1]));
        Golden.Run(Group, "scatter_add.dim0", x => x[0].ScatterAdd(0, Aux("scatter_add.dim0"), x[1]));
    }

    [Theory]
    [InlineData("where.bcast")]
    [InlineData("where.scalar_b")]
    [InlineData("where.all_bcast")]
    public void WhereMatchesTorchUnderBroadcasting(string name) => Golden.Run(Group, name, x => Tensor.Where(Aux(name), x[0], x[1]));

    [Fact]
    public void MaskedFillMatchesTorchUnderBroadcasting()
    {
        Golden.Run(Group, "masked_fill.bcast", x => x[0].MaskedFill(Aux("masked_fill.bcast"), -1e9f));
        Golden.Run(Group, "masked_fill.causal", x => x[0].MaskedFill(Aux("masked_fill.causal"), float.NegativeInfinity).Exp());
        Golden.Run(Group, "masked_fill.grow", x => x[0].MaskedFill(Aux("masked_fill.grow"), 2.5f));
    }

    [Fact]
    public void ComparisonsMatchTorchIncludingTies()
    {
        Golden.Run(Group, "gt", x => x[0].Gt(x[1]), checkGrads: false);
        Golden.Run(Group, "lt", x => x[0].Lt(x[1]), checkGrads: false);
        Golden.Run(Group, "eq", x => x[0].Eq(x[1]), checkGrads: false);
        Golden.Run(Group, "gt.scalar", x => x[0].Gt(0.5f), checkGrads: false);
        Golden.Run(Group, "lt.scalar", x => x[0].Lt(-1f), checkGrads: false);
        Golden.Run(Group, "eq.scalar", x => x[0].Eq(1f), checkGrads: false);
    }

    [Fact]
    public void ComparisonsRecordNoGradient()
    {
        var a = Tensor.Randn([3, 4]).RequiresGrad_();
        Assert.False(a.Gt(Tensor.Zeros(4)).RequiresGrad);
        Assert.False(a.Eq(0f).RequiresGrad);
    }

    [Theory]
    [InlineData("embedding.pad0", 0)]
    [InlineData("embedding.padneg", -1)]
    [InlineData("embedding.nopad", null)]
    [InlineData("embedding.1d", 3)]
    public void EmbeddingMatchesTorchWithPaddingIndex(string name, int? paddingIdx)
    {
        var xs = Golden.Run(Group, name, x => F.Embedding(Aux(name), x[0], paddingIdx));
        if (paddingIdx is int p)
        {
            // The padding row appears in the indices, yet its gradient is exactly zero.
            int row = p < 0 ? p + xs[0].Shape[0] : p;
            Assert.Contains((float)row, Aux(name).ToArray());
            Assert.All(xs[0].Grad!.Select(0, row).ToArray(), v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void OneHotMatchesTorch()
    {
        var file = Golden.Load(Group);
        TensorAssert.Equal(file["one_hot.out0"], F.OneHot(Aux("one_hot"), 5));
        TensorAssert.Equal(file["one_hot.out0"], F.OneHot(Aux("one_hot")));
    }
}
