using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;

namespace ParamGen.Tensors.Tests.Nn;

/// <summary>Module behaviours beyond PyTorch agreement: equivalent paths agree, modes switch dropout, unbatched inputs.</summary>
public class ModuleBehaviourTests
{
    private static Tensor Randn(ulong seed, params int[] shape) => Tensor.Randn(shape, new Generator(seed));

    [Fact]
    public void FusedSelfAttentionEqualsSeparateProjections()
    {
        // The same values under different references take the split-weight path instead of the packed one.
        var mha = new MultiHeadAttention(8, 2, generator: new Generator(1));
        Init.Normal(mha.InProjBias!, 0f, 0.5f, new Generator(2));
        var x = Randn(3, 2, 5, 8);
        TensorAssert.Close(mha.Forward(x, x, x, isCausal: true), mha.Forward(x, x.Clone(), x.Clone(), isCausal: true), 1e-5, 1e-6);
    }

    [Fact]
    public void PyTorchStyleAttentionMaskLayoutsAreEquivalent()
    {
        var mha = new MultiHeadAttention(4, 2, generator: new Generator(4));
        var x = Randn(5, 3, 4, 4);
        var mask2 = Randn(6, 4, 4);                                   // [L, L]
        var mask3 = Tensor.Cat(Enumerable.Repeat(mask2.Unsqueeze(0), 6).ToArray(), 0); // [B*heads, L, L]
        var mask4 = mask2.Reshape(1, 1, 4, 4);                        // broadcast [B, heads, L, L]
        var y = mha.Forward(x, x, x, attnMask: mask2);
        TensorAssert.Close(y, mha.Forward(x, x, x, attnMask: mask3), 1e-6, 1e-6);
        TensorAssert.Close(y, mha.Forward(x, x, x, attnMask: mask4), 1e-6, 1e-6);
    }

    [Fact]
    public void KeyPaddingBlocksPaddedKeysAndAFullyBlockedQueryGivesFiniteOutput()
    {
        var mha = new MultiHeadAttention(4, 1, generator: new Generator(7));
        var x = Randn(8, 1, 3, 4);
        var padding = new Tensor([0f, 0f, 1f], 1, 3);
        var y = mha.Forward(x, x, x, keyPaddingMask: padding);
        var changed = x.Clone();
        changed[0, 2, 0] += 5f;                                       // only the padded key/value position changes
        var y2 = mha.Forward(changed, changed, changed, keyPaddingMask: padding);
        TensorAssert.Close(y.Narrow(1, 0, 2), y2.Narrow(1, 0, 2), 1e-6, 1e-6);
        var all = mha.Forward(x, x, x, keyPaddingMask: Tensor.Ones(1, 3));
        Assert.All(all.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void UnbatchedInputsMatchABatchOfOne()
    {
        var mha = new MultiHeadAttention(4, 2, generator: new Generator(9));
        var x = Randn(10, 5, 4);
        TensorAssert.Close(mha.Forward(x.Unsqueeze(0)).Squeeze(0), mha.Forward(x), 1e-6, 1e-6);

        var gru = new Gru(3, 4, numLayers: 2, generator: new Generator(11));
        var s = Randn(12, 6, 3);
        var h0 = Randn(13, 2, 4);
        var (o1, h1) = gru.Forward(s, h0);
        var (ob, hb) = gru.Forward(s.Unsqueeze(0), h0.Unsqueeze(1));
        Assert.Equal(new Shape(6, 4), o1.Shape);
        Assert.Equal(new Shape(2, 4), h1.Shape);
        TensorAssert.Close(ob.Squeeze(0), o1, 1e-6, 1e-6);
        TensorAssert.Close(hb.Squeeze(1), h1, 1e-6, 1e-6);

        var conv = new Conv1d(3, 2, 2, causal: true, generator: new Generator(14));
        var c = Randn(15, 3, 5);
        TensorAssert.Close(conv.Forward(c.Unsqueeze(0)).Squeeze(0), conv.Forward(c), 1e-6, 1e-6);
    }

    [Fact]
    public void GruFinalStatesAreTheLastStepOfEachLayer()
    {
        var gru = new Gru(3, 4, numLayers: 2, generator: new Generator(16));
        var x = Randn(17, 2, 5, 3);
        var (output, hn) = gru.Forward(x);
        Assert.Equal(new Shape(2, 5, 4), output.Shape);
        Assert.Equal(new Shape(2, 2, 4), hn.Shape);
        TensorAssert.Equal(output.Select(1, 4), hn.Select(0, 1));
        var (single, hn1) = new Gru(3, 4, generator: new Generator(18)).Forward(x);
        Assert.Equal(new Shape(1, 2, 4), hn1.Shape);
        TensorAssert.Equal(single.Select(1, 4), hn1.Select(0, 0));
    }

    [Fact]
    public void GruDropoutActsBetweenLayersOnlyInTraining()
    {
        var gen = new Generator(19);
        var withDrop = new Gru(3, 4, numLayers: 2, dropout: 0.5f, generator: gen);
        var noDrop = new Gru(3, 4, numLayers: 2);
        noDrop.LoadStateDict(withDrop.StateDict().ToDictionary());
        var x = Randn(20, 2, 5, 3);
        var training = withDrop.Forward(x).Output;
        Assert.Contains(training.ToArray().Zip(noDrop.Forward(x).Output.ToArray()), p => Math.Abs(p.First - p.Second) > 1e-3);
        withDrop.Eval();
        TensorAssert.Equal(noDrop.Forward(x).Output, withDrop.Forward(x).Output);

        // One layer: nothing lies between layers, so dropout has no effect even in training.
        var one = new Gru(3, 4, dropout: 0.5f, generator: new Generator(21));
        Assert.Equal(one.Forward(x).Output.ToArray(), one.Forward(x).Output.ToArray());
    }

    [Fact]
    public void TransformerDropoutIsOffInEvalMode()
    {
        var block = new TransformerBlock(4, 2, 8, dropout: 0.5f, generator: new Generator(22));
        var plain = new TransformerBlock(4, 2, 8, dropout: 0f);
        plain.LoadStateDict(block.StateDict().ToDictionary());
        var x = Randn(23, 2, 3, 4);
        var a = block.Forward(x);
        var b = block.Forward(x);
        Assert.NotEqual(a.ToArray(), b.ToArray());
        block.Eval();
        TensorAssert.Equal(plain.Forward(x), block.Forward(x));
        Assert.False(block.SelfAttn.Training);
    }

    [Fact]
    public void AttentionDropoutIsOffInEvalMode()
    {
        var mha = new MultiHeadAttention(4, 2, dropout: 0.5f, generator: new Generator(24));
        var plain = new MultiHeadAttention(4, 2);
        plain.LoadStateDict(mha.StateDict().ToDictionary());
        var x = Randn(25, 2, 6, 4);
        Assert.NotEqual(plain.Forward(x).ToArray(), mha.Forward(x).ToArray());
        mha.Eval();
        TensorAssert.Equal(plain.Forward(x), mha.Forward(x));
    }

    [Fact]
    public void CausalConvolutionKeepsLengthAndIgnoresTheFuture()
    {
        var conv = new Conv1d(2, 3, 3, dilation: 2, causal: true, generator: new Generator(26));
        var x = Randn(27, 1, 2, 9);
        var y = conv.Forward(x);
        Assert.Equal(new Shape(1, 3, 9), y.Shape);
        var future = x.Clone();
        future[0, 0, 6] += 10f;
        future[0, 1, 8] -= 10f;
        TensorAssert.Equal(y.Narrow(2, 0, 6), conv.Forward(future).Narrow(2, 0, 6));
        Assert.NotEqual(y.Narrow(2, 6, 3).ToArray(), conv.Forward(future).Narrow(2, 6, 3).ToArray());
    }

    [Fact]
    public void EmbeddingFromPretrainedCopiesAndFreezes()
    {
        var table = Randn(28, 5, 3);
        var emb = Embedding.FromPretrained(table, paddingIdx: 1);
        Assert.False(emb.Weight.RequiresGrad);
        TensorAssert.Equal(table, emb.Weight);
        table[0, 0] = 100f;
        Assert.NotEqual(100f, emb.Weight[0, 0]);
        var rows = emb.Forward(Tensor.FromInts([4, 1], 2));
        Assert.Equal(emb.Weight[4, 2], rows[0, 2]);
        Assert.True(Embedding.FromPretrained(table, freeze: false).Weight.RequiresGrad);
    }
}
