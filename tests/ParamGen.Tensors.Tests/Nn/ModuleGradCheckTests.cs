using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;

namespace ParamGen.Tensors.Tests.Nn;

/// <summary>
/// Finite-difference checks of the modules' input gradients (parameter gradients are compared with PyTorch in
/// <see cref="ModuleGoldenTests"/>). Shapes use odd lengths and size-1 dims.
/// </summary>
public class ModuleGradCheckTests
{
    private static Tensor Randn(ulong seed, params int[] shape) => Tensor.Randn(shape, new Generator(seed));

    private static Tensor PaddingMask(int[] lengths, int n)
    {
        var m = Tensor.Zeros(lengths.Length, n);
        for (int b = 0; b < lengths.Length; b++)
        {
            for (int j = lengths[b]; j < n; j++)
            {
                m[b, j] = 1f;
            }
        }

        return m;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    public void SelfAttentionInputGradient(int b, int l)
    {
        var mha = new MultiHeadAttention(6, 3, generator: new Generator(1));
        Init.Normal(mha.InProjBias!, 0f, 0.3f, new Generator(2));
        var padding = PaddingMask(Enumerable.Range(0, b).Select(i => l - i).ToArray(), l);
        GradCheck.Check(x => mha.Forward(x[0], x[0], x[0], keyPaddingMask: padding, isCausal: true), [Randn(3, b, l, 6)]);
    }

    [Fact]
    public void CrossAttentionGradientsFlowToQueryKeyAndValue()
    {
        var mha = new MultiHeadAttention(4, 2, generator: new Generator(4));
        var mask = Randn(5, 2, 3).Mul(0.5f);
        GradCheck.Check(x => mha.Forward(x[0], x[1], x[2], attnMask: mask), [Randn(6, 2, 2, 4), Randn(7, 2, 3, 4), Randn(8, 2, 3, 4)]);
    }

    [Theory]
    [InlineData(false, TransformerActivation.Gelu)]
    [InlineData(true, TransformerActivation.Gelu)]
    public void TransformerBlockInputGradient(bool normFirst, TransformerActivation activation)
    {
        var block = new TransformerBlock(4, 2, dimFeedforward: 7, dropout: 0f, activation: activation, normFirst: normFirst, generator: new Generator(9));
        GradCheck.Check(x => block.Forward(x[0], srcKeyPaddingMask: PaddingMask([5, 2], 5), isCausal: true), [Randn(10, 2, 5, 4)]);
    }

    [Fact]
    public void TransformerBlockWithDropoutHasConsistentGradientForAFixedMask()
    {
        // Reseeding before each forward fixes every dropout mask, so the block is a deterministic function.
        var gen = new Generator(11);
        var block = new TransformerBlock(4, 2, dimFeedforward: 6, dropout: 0.3f, activation: TransformerActivation.Gelu, generator: gen);
        GradCheck.Check(x =>
        {
            gen.ManualSeed(12);
            return block.Forward(x[0]);
        }, [Randn(13, 2, 3, 4)]);
    }

    [Fact]
    public void GruInputAndInitialStateGradients()
    {
        var gru = new Gru(3, 5, numLayers: 2, generator: new Generator(14));
        GradCheck.Check(x =>
        {
            var (output, hn) = gru.Forward(x[0], x[1]);
            return Tensor.Cat([output.Reshape(-1), hn.Reshape(-1)]);
        }, [Randn(15, 2, 7, 3), Randn(16, 2, 2, 5).Mul(0.5f)]);
    }

    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(2, 1, true)]
    [InlineData(1, 2, true)]
    public void Conv1dInputGradient(int stride, int groups, bool causal)
    {
        var conv = new Conv1d(4, 6, 3, stride: stride, dilation: 2, groups: groups, causal: causal, generator: new Generator(17));
        GradCheck.Check(x => conv.Forward(x[0]), [Randn(18, 2, 4, 17)]);
    }

    [Fact]
    public void BatchNormTrainingInputGradient()
    {
        var bn = new BatchNorm1d(3);
        Init.Normal(bn.Weight!, 1f, 0.3f, new Generator(19));
        GradCheck.Check(x => bn.Forward(x[0]), [Randn(20, 4, 3, 7)]);
    }

    [Fact]
    public void LayerNormInputGradient()
    {
        var ln = new LayerNorm([2, 7]);
        Init.Normal(ln.Weight!, 1f, 0.3f, new Generator(21));
        Init.Normal(ln.Bias!, 0f, 0.3f, new Generator(22));
        GradCheck.Check(x => ln.Forward(x[0]), [Randn(23, 3, 2, 7)]);
    }
}
