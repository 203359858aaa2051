using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Tests.Infrastructure;

namespace ParamGen.Tensors.Tests.Nn;

/// <summary>
/// Modules load PyTorch state dicts unchanged and agree with PyTorch (float64 reference) on outputs, input gradients
/// and every parameter gradient.
/// </summary>
public class ModuleGoldenTests
{
    [Fact]
    public void PostNormTransformerBlockWithMaskAndPaddingMatchesTorch()
    {
        var block = new TransformerBlock(8, 2, dimFeedforward: 16, dropout: 0f, activation: TransformerActivation.Gelu, normFirst: false);
        var mask = ModuleGolden.Get("transformer.post", "aux0");
        var padding = ModuleGolden.Get("transformer.post", "aux1");
        ModuleGolden.Run("transformer.post", block, x => block.Forward(x[0], srcMask: mask, srcKeyPaddingMask: padding));
    }

    [Fact]
    public void PreNormTransformerBlockWithCausalFlagMatchesTorch()
    {
        // PyTorch got an explicit -inf causal mask; the flag must be equivalent.
        var block = new TransformerBlock(8, 2, dimFeedforward: 16, dropout: 0f, activation: TransformerActivation.Relu, normFirst: true);
        var padding = ModuleGolden.Get("transformer.pre", "aux1");
        ModuleGolden.Run("transformer.pre", block, x => block.Forward(x[0], srcKeyPaddingMask: padding, isCausal: true));
    }

    [Fact]
    public void SelfAttentionWithKeyPaddingMatchesTorch()
    {
        var mha = new MultiHeadAttention(8, 2);
        var padding = ModuleGolden.Get("mha.self", "aux0");
        ModuleGolden.Run("mha.self", mha, x => mha.Forward(x[0], x[0], x[0], keyPaddingMask: padding));
    }

    [Fact]
    public void CrossAttentionWithPerHeadMaskMatchesTorch()
    {
        var mha = new MultiHeadAttention(8, 2);
        var mask = ModuleGolden.Get("mha.cross", "aux0");
        ModuleGolden.Run("mha.cross", mha, x => mha.Forward(x[0], x[1], x[2], attnMask: mask));
    }

    [Fact]
    public void TwoLayerGruWithInitialStateMatchesTorch()
    {
        var gru = new Gru(5, 7, numLayers: 2);
        ModuleGolden.Run("gru.2layer", gru, x =>
        {
            var (output, hn) = gru.Forward(x[0], x[1]);
            return [output, hn];
        });
    }

    [Fact]
    public void CausalDilatedConv1dMatchesTorch()
    {
        var conv = new Conv1d(4, 6, 3, dilation: 2, causal: true);
        var xs = ModuleGolden.Run("conv.causal", conv, x => conv.Forward(x[0]));
        Assert.Equal(xs[0].Shape[2], ModuleGolden.Get("conv.causal", "out0").Shape[2]);
    }

    [Fact]
    public void StridedPaddedGroupedConv1dMatchesTorch()
    {
        var conv = new Conv1d(4, 6, 3, stride: 2, padding: 1, groups: 2);
        ModuleGolden.Run("conv.grouped", conv, x => conv.Forward(x[0]));
    }

    [Fact]
    public void BatchNormTrainingStepMatchesTorchAndUpdatesRunningStatistics()
    {
        var bn = new BatchNorm1d(4);
        ModuleGolden.Run("batchnorm.train", bn, x => bn.Forward(x[0]));
        TensorAssert.Close(ModuleGolden.Get("batchnorm.train", "post.running_mean"), bn.RunningMean!, 1e-5, 1e-6, "running_mean");
        TensorAssert.Close(ModuleGolden.Get("batchnorm.train", "post.running_var"), bn.RunningVar!, 1e-5, 1e-6, "running_var");
        Assert.Equal(4f, bn.NumBatchesTracked!.Item());
    }

    [Fact]
    public void BatchNormEvaluationUsesRunningStatisticsAsTorch()
    {
        var bn = new BatchNorm1d(4);
        bn.Eval();
        ModuleGolden.Run("batchnorm.eval", bn, x => bn.Forward(x[0]));
        Assert.Equal(0f, bn.NumBatchesTracked!.Item());
    }

    [Fact]
    public void EmbeddingWithPaddingMatchesTorchAndLeavesPaddingRowWithoutGradient()
    {
        var emb = new Embedding(10, 4, paddingIdx: 0);
        var idx = ModuleGolden.Get("embedding.pad", "aux0");
        ModuleGolden.Run("embedding.pad", emb, _ => emb.Forward(idx));
        Assert.All(emb.Weight.Grad!.ToArray()[..4], v => Assert.Equal(0f, v));
        Assert.Contains(emb.Weight.Grad!.ToArray()[4..], v => v != 0f);
    }

    [Fact]
    public void LayerNormMatchesTorch()
    {
        var ln = new LayerNorm(8);
        ModuleGolden.Run("layernorm", ln, x => ln.Forward(x[0]));
    }

    [Fact]
    public void LinearMatchesTorch()
    {
        var lin = new Linear(6, 5);
        ModuleGolden.Run("linear", lin, x => lin.Forward(x[0]));
    }

    [Fact]
    public void SequentialLoadsTorchKeysAndMatchesTorch()
    {
        var seq = new Sequential(new Linear(6, 8), new Gelu(), new Linear(8, 3));
        ModuleGolden.Run("sequential", seq, x => seq.Forward(x[0]));
    }
}
