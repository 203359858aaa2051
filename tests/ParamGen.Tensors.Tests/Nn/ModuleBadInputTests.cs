using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;

namespace ParamGen.Tensors.Tests.Nn;

/// <summary>Invalid options and ill-shaped inputs throw clear exceptions, and leave inputs and module state unchanged.</summary>
public class ModuleBadInputTests
{
    private static Tensor Randn(ulong seed, params int[] shape) => Tensor.Randn(shape, new Generator(seed));

    /// <summary>Asserts <paramref name="act"/> throws <typeparamref name="TException"/> whose message contains every fragment.</summary>
    private static void Throws<TException>(Action act, params string[] fragments)
        where TException : Exception
    {
        var ex = Assert.Throws<TException>(act);
        foreach (string f in fragments)
        {
            Assert.Contains(f, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void InvalidConstructorOptionsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(-1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(5, -2));
        Throws<ArgumentOutOfRangeException>(() => new Embedding(5, 2, paddingIdx: 5), "5", "[-5, 5)");
        Throws<ArgumentOutOfRangeException>(() => new Embedding(5, 2, paddingIdx: -6), "-6");
        Throws<ArgumentOutOfRangeException>(() => new LayerNorm(Array.Empty<int>()), "LayerNorm");
        Throws<ArgumentOutOfRangeException>(() => new LayerNorm(4, eps: -1f), "-1");
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(0));
        Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(3, momentum: 1.5f), "1.5");
        Throws<ArgumentOutOfRangeException>(() => new Dropout(1.2f), "1.2");
        Throws<ArgumentOutOfRangeException>(() => new Dropout(float.NaN), "NaN");
        Throws<ArgumentOutOfRangeException>(() => new MultiHeadAttention(10, 3), "10", "3");
        Throws<ArgumentOutOfRangeException>(() => new MultiHeadAttention(8, 2, dropout: -0.1f), "-0.1");
        Throws<ArgumentOutOfRangeException>(() => new TransformerBlock(6, 4), "6", "4");
        Assert.Throws<ArgumentOutOfRangeException>(() => new TransformerBlock(8, 2, dimFeedforward: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TransformerBlock(8, 2, activation: (TransformerActivation)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Gru(3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Gru(3, 4, numLayers: 0));
        Throws<ArgumentOutOfRangeException>(() => new Gru(3, 4, dropout: 2f), "2");
        Throws<ArgumentOutOfRangeException>(() => new Conv1d(4, 6, 3, groups: 3), "groups 3", "4", "6");
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv1d(4, 6, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv1d(4, 6, 3, stride: 0));
        Throws<ArgumentException>(() => new Conv1d(4, 6, 3, padding: 1, causal: true), "padding", "1");
        Throws<ArgumentException>(() => Embedding.FromPretrained(Tensor.Zeros(3)), "[3]");
    }

    [Fact]
    public void LinearRejectsWrongWidthNamingShapes()
    {
        var x = Randn(1, 2, 5);
        var before = x.ToArray();
        Throws<ArgumentException>(() => new Linear(4, 3).Forward(x), "[2, 5]", "[3, 4]");
        Assert.Equal(before, x.ToArray());
    }

    [Fact]
    public void EmbeddingRejectsOutOfRangeIndices()
    {
        var emb = new Embedding(4, 2);
        var idx = Tensor.FromInts([1, 4], 2);
        Throws<ArgumentException>(() => emb.Forward(idx), "4");
        Assert.Equal([1f, 4f], idx.ToArray());
    }

    [Fact]
    public void AttentionRejectsIllShapedInputsAndMasks()
    {
        var mha = new MultiHeadAttention(4, 2);
        var x = Randn(2, 2, 3, 4);
        var before = x.ToArray();
        Throws<ArgumentException>(() => mha.Forward(Randn(3, 2, 3, 5)), "[2, 3, 5]", "d=4");
        Throws<ArgumentException>(() => mha.Forward(x, Randn(4, 1, 3, 4), Randn(5, 1, 3, 4)), "[1, 3, 4]");
        Throws<ArgumentException>(() => mha.Forward(x, Randn(6, 2, 5, 4), Randn(7, 2, 4, 4)), "[2, 5, 4]", "[2, 4, 4]");
        Throws<ArgumentException>(() => mha.Forward(x, x, x, keyPaddingMask: Tensor.Zeros(2, 4)), "[2, 4]", "[2, 3]");
        Throws<ArgumentException>(() => mha.Forward(x, x, x, attnMask: Tensor.Zeros(3, 4)), "[3, 4]");
        Throws<ArgumentException>(() => mha.Forward(x, x, x, attnMask: Tensor.Zeros(2, 3, 3)), "[2, 3, 3]", "[4, 3, 3]");
        Throws<ArgumentException>(() => mha.Forward(x, x, x, attnMask: Tensor.Zeros(2, 3, 3, 3)), "[2, 3, 3, 3]");
        Throws<ArgumentException>(() => mha.Forward(Randn(8, 3, 5)), "[3, 5]");
        var u = Randn(9, 3, 4);
        Throws<ArgumentException>(() => mha.Forward(u, u, u, keyPaddingMask: Tensor.Zeros(4)), "[4]", "[3]");
        Assert.Equal(before, x.ToArray());
    }

    [Fact]
    public void TransformerBlockRejectsWrongWidth()
    {
        var block = new TransformerBlock(8, 2, 16);
        Throws<ArgumentException>(() => block.Forward(Randn(8, 2, 3, 6)), "[2, 3, 6]");
    }

    [Fact]
    public void GruRejectsIllShapedInputAndState()
    {
        var gru = new Gru(3, 4, numLayers: 2);
        var x = Randn(9, 2, 5, 3);
        var before = x.ToArray();
        Throws<ArgumentException>(() => gru.Forward(Randn(10, 2, 5, 4)), "[2, 5, 4]", "[B, L, 3]");
        Throws<ArgumentException>(() => gru.Forward(Randn(10, 5, 4)), "[5, 4]");
        Throws<ArgumentException>(() => gru.Forward(Randn(10, 5, 3), Tensor.Zeros(1, 4)), "[1, 4]", "[2, 4]");
        Throws<ArgumentException>(() => gru.Forward(x, Tensor.Zeros(1, 2, 4)), "[1, 2, 4]", "[2, 2, 4]");
        Throws<ArgumentException>(() => gru.Forward(x, Tensor.Zeros(2, 4)), "[2, 4]");
        Throws<ArgumentException>(() => gru.Forward(Randn(11, 5, 3), Tensor.Zeros(2, 2, 4)), "[2, 2, 4]");
        Throws<ArgumentException>(() => gru.Forward(Randn(12, 2, 2, 5, 3)), "[2, 2, 5, 3]");
        Assert.Equal(before, x.ToArray());
    }

    [Fact]
    public void Conv1dRejectsWrongChannels()
    {
        var conv = new Conv1d(4, 6, 3);
        Throws<ArgumentException>(() => conv.Forward(Randn(13, 2, 3, 9)), "[2, 3, 9]", "[B, 4, L]");
        Throws<ArgumentException>(() => conv.Forward(Randn(14, 1, 9)), "[1, 9]");
        Throws<ArgumentException>(() => conv.Forward(Randn(15, 9)), "[9]");
    }

    [Fact]
    public void BatchNormRejectsBadInputWithoutTouchingItsState()
    {
        var bn = new BatchNorm1d(3);
        var state = bn.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        Throws<ArgumentException>(() => bn.Forward(Randn(15, 4, 2, 5)), "[4, 2, 5]", "BatchNorm1d(3)");
        Throws<ArgumentException>(() => bn.Forward(Randn(16, 4)), "[4]");
        Throws<ArgumentException>(() => bn.Forward(Randn(17, 1, 3)), "more than 1 value per channel", "[1, 3]");
        foreach (var (key, t) in bn.StateDict())
        {
            TensorAssert.Equal(state[key], t);
        }

        // Evaluation with running statistics accepts a single sample, as PyTorch.
        bn.Eval();
        Assert.Equal(new Shape(1, 3), bn.Forward(Randn(18, 1, 3)).Shape);
    }

    [Fact]
    public void LayerNormRejectsMismatchedTrailingShape()
    {
        var ln = new LayerNorm([2, 3]);
        Throws<ArgumentException>(() => ln.Forward(Randn(19, 4, 3, 2)), "[4, 3, 2]", "[2, 3]");
    }

    [Fact]
    public void ModuleListAndSequentialRejectNullAndReportIndices()
    {
        var seq = new Sequential(new Relu());
        Assert.Throws<ArgumentNullException>(() => seq.Append(null!));
        Throws<ArgumentOutOfRangeException>(() => _ = seq[1], "1", "1 stages");
        var list = new ModuleList<Linear>();
        Assert.Throws<ArgumentNullException>(() => list.Add(null!));
        Throws<ArgumentOutOfRangeException>(() => _ = list[0], "0", "0 children");
        Assert.Empty(list.StateDict());
    }
}
