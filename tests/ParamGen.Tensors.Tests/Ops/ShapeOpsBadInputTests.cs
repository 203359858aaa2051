using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Shape and indexing ops reject bad input before any work, with messages naming the values, and leave inputs untouched.</summary>
public class ShapeOpsBadInputTests
{
    /// <summary>Runs <paramref name="act"/>, expecting <typeparamref name="TEx"/> whose message contains every fragment, and checks <paramref name="inputs"/> are unchanged.</summary>
    private static void Rejects<TEx>(Action act, Tensor[] inputs, params string[] fragments)
        where TEx : Exception
    {
        var before = inputs.Select(t => t.ToArray()).ToArray();
        var ex = Assert.Throws<TEx>(act);
        foreach (var f in fragments)
        {
            Assert.Contains(f, ex.Message, StringComparison.Ordinal);
        }

        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(before[i], inputs[i].ToArray());
            Assert.Null(inputs[i].Grad);
        }
    }

    private static Tensor R(params int[] shape) => Tensor.Randn(shape, new Generator(30)).RequiresGrad_();

    [Fact]
    public void PermuteRejectsRepeatedOutOfRangeOrMissingDims()
    {
        var x = R(2, 3, 4);
        Rejects<ArgumentException>(() => x.Permute(0, 0, 2), [x], "Permute", "[0, 0, 2]", "[2, 3, 4]", "repeated");
        Rejects<ArgumentException>(() => x.Permute(2, -3, 0), [x], "Permute", "repeated");
        Rejects<ArgumentException>(() => x.Permute(0, 1, 3), [x], "Permute", "3", "out of range");
        Rejects<ArgumentException>(() => x.Permute(1, 0), [x], "Permute", "rank 3");
        Rejects<ArgumentOutOfRangeException>(() => x.Transpose(0, 3), [x], "Transpose", "3", "[2, 3, 4]");
    }

    [Fact]
    public void CatRejectsMismatchedShapesNamingThem()
    {
        var a = R(2, 3);
        var b = R(2, 4);
        Rejects<ArgumentException>(() => Tensor.Cat([a, b], 0), [a, b], "Cat", "tensor 1", "[2, 4]", "[2, 3]");
        Rejects<ArgumentException>(() => Tensor.Cat([a, R(2, 3, 1)], 1), [a], "Cat", "[2, 3, 1]");
        Rejects<ArgumentException>(() => Tensor.Cat([], 0), [], "Cat", "at least one");
        Rejects<ArgumentException>(() => Tensor.Cat([Tensor.Scalar(1f)], 0), [], "Cat", "rank 0");
        Rejects<ArgumentOutOfRangeException>(() => Tensor.Cat([a, a], 2), [a], "Cat", "dimension 2", "[2, 3]");
    }

    [Fact]
    public void StackRejectsUnequalShapesAndBadDims()
    {
        var a = R(2, 3);
        var b = R(3, 2);
        Rejects<ArgumentException>(() => Tensor.Stack([a, b]), [a, b], "Stack", "tensor 1", "[3, 2]", "[2, 3]");
        Rejects<ArgumentOutOfRangeException>(() => Tensor.Stack([a, a], 3), [a], "Stack", "3", "-3..2");
    }

    [Fact]
    public void NarrowRejectsRangesOutsideTheDimension()
    {
        var x = R(4, 5);
        Rejects<ArgumentOutOfRangeException>(() => x.Narrow(1, 3, 3), [x], "Narrow", "start 3", "length 3", "size 5", "[4, 5]");
        Rejects<ArgumentOutOfRangeException>(() => x.Narrow(0, -5, 1), [x], "Narrow", "start -5");
        Rejects<ArgumentOutOfRangeException>(() => x.Narrow(0, 0, -1), [x], "Narrow", "length -1");
        Rejects<ArgumentOutOfRangeException>(() => x.Narrow(2, 0, 1), [x], "Narrow", "dimension 2");
        Rejects<ArgumentOutOfRangeException>(() => x.Select(1, 5), [x], "Select", "index 5", "size 5");
    }

    [Fact]
    public void SplitChunkRepeatAndTrianglesRejectBadArguments()
    {
        var x = R(4, 5);
        Rejects<ArgumentOutOfRangeException>(() => x.Split(0), [x], "Split", "0");
        Rejects<ArgumentException>(() => x.Split([2, 2], 1), [x], "Split", "add up to 4", "size 5");
        Rejects<ArgumentOutOfRangeException>(() => x.Chunk(0), [x], "Chunk", "0");
        Rejects<ArgumentException>(() => x.Repeat(2), [x], "Repeat", "[4, 5]");
        Rejects<ArgumentException>(() => x.Repeat(1, -1), [x], "Repeat", "negative");
        var v = R(5);
        Rejects<ArgumentException>(() => v.Tril(), [v], "Tril", "[5]");
        Rejects<ArgumentException>(() => v.Triu(), [v], "Triu", "[5]");
    }

    [Fact]
    public void GatherRejectsOutOfRangeAndNonIntegerIndicesNamingValueAndRange()
    {
        var x = R(3, 5);
        var outOfRange = Tensor.FromSpan([0f, 1f, 5f, 2f], 2, 2);
        Rejects<ArgumentException>(() => x.Gather(1, outOfRange), [x, outOfRange], "Gather", "index 5", "[1, 0]", "0..4");
        var negative = Tensor.FromSpan([-1f], 1, 1);
        Rejects<ArgumentException>(() => x.Gather(1, negative), [x], "Gather", "index -1", "0..4");
        var fractional = Tensor.FromSpan([0f, 2.5f], 1, 2);
        Rejects<ArgumentException>(() => x.Gather(1, fractional), [x], "Gather", "2.5", "not an integer");
        var nan = Tensor.FromSpan([float.NaN], 1, 1);
        Rejects<ArgumentException>(() => x.Gather(0, nan), [x], "Gather", "NaN");
        Rejects<ArgumentException>(() => x.Gather(1, Tensor.Zeros(3)), [x], "Gather", "rank");
        Rejects<ArgumentException>(() => x.Gather(1, Tensor.Zeros(4, 2)), [x], "Gather", "[4, 2]", "dimension 0");
    }

    [Fact]
    public void IndexSelectAndScatterAddRejectBadIndices()
    {
        var x = R(3, 5);
        Rejects<ArgumentException>(() => x.IndexSelect(0, Tensor.FromSpan([1f, 3f], 2)), [x], "IndexSelect", "index 3", "0..2");
        Rejects<ArgumentException>(() => x.IndexSelect(0, Tensor.Zeros(1, 1)), [x], "IndexSelect", "1-D", "[1, 1]");
        var src = R(3, 2);
        Rejects<ArgumentException>(() => x.ScatterAdd(1, Tensor.FromSpan([0f, 7f, 1f, 1f, 2f, 2f], 3, 2), src), [x, src], "ScatterAdd", "index 7", "0..4");
        Rejects<ArgumentException>(() => x.ScatterAdd(1, Tensor.Zeros(3, 3), src), [x, src], "ScatterAdd", "[3, 3]", "[3, 2]");
    }

    [Fact]
    public void WhereAndMaskedFillRejectIncompatibleShapes()
    {
        var a = R(3, 4);
        var b = R(3, 4);
        Rejects<ArgumentException>(() => Tensor.Where(Tensor.Ones(2, 4), a, b), [a, b], "Where", "[2, 4]", "[3, 4]");
        Rejects<ArgumentException>(() => a.MaskedFill(Tensor.Ones(5), 0f), [a], "MaskedFill", "[5]", "[3, 4]");
        Rejects<ArgumentException>(() => a.Gt(Tensor.Ones(5)), [a], "Gt", "[5]", "[3, 4]");
    }

    [Fact]
    public void EmbeddingRejectsOutOfRangeIndicesNamingValueAndTableSize()
    {
        var w = R(10, 4);
        var ids = Tensor.FromInts([1, 2, 10, 3], 2, 2);
        Rejects<ArgumentException>(() => F.Embedding(ids, w), [w, ids], "Embedding", "index 10", "[1, 0]", "0..9", "[10, 4]");
        var fractional = Tensor.FromSpan([1.5f], 1);
        Rejects<ArgumentException>(() => F.Embedding(fractional, w), [w], "Embedding", "1.5", "not an integer");
        Rejects<ArgumentException>(() => F.Embedding(Tensor.FromInts([-1], 1), w), [w], "Embedding", "index -1", "0..9");
        Rejects<ArgumentOutOfRangeException>(() => F.Embedding(Tensor.FromInts([1], 1), w, paddingIdx: 10), [w], "Embedding", "padding index 10", "-10..9");
        Rejects<ArgumentException>(() => F.Embedding(Tensor.FromInts([1], 1), R(10)), [], "Embedding", "[10]");
    }

    [Fact]
    public void OneHotRejectsIndicesOutsideTheClasses()
    {
        var ids = Tensor.FromInts([0, 4], 2);
        Rejects<ArgumentException>(() => F.OneHot(ids, 4), [ids], "OneHot", "index 4", "0..3");
        Rejects<ArgumentException>(() => F.OneHot(Tensor.Zeros(0)), [], "OneHot", "empty");
    }
}
