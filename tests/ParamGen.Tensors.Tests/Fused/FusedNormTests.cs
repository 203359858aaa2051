using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Fused;

/// <summary>
/// The layer-norm row kernels against a double-precision reference, the fused residual + dropout + layer norm and
/// the fused transformer block against their unfused compositions (same counter-based masks).
/// </summary>
public class FusedNormTests
{
    private static Tensor Leaf(Generator g, params int[] shape) => Tensor.Randn(shape, g).RequiresGrad_();

    private static Tensor Twin(Tensor t) => t.Detach().RequiresGrad_();

    [Fact]
    public void LayerNormRowKernelsMatchADoubleReferenceForEveryWidth()
    {
        var g = new Generator(1);
        for (int d = 1; d <= 70; d++)
        {
            var x = new float[d];
            var w = new float[d];
            var b = new float[d];
            var up = new float[d];
            g.FillNormal(x, 3f, 2f);
            g.FillNormal(w);
            g.FillNormal(b);
            g.FillNormal(up);
            var y = new float[d];
            var (mean, rstd) = Kernels.LayerNorm.RowForward(x, w, b, y, 1e-5f);

            double m = x.Average(v => (double)v);
            double var = x.Average(v => (v - m) * (v - m));
            double rs = 1 / Math.Sqrt(var + 1e-5);
            Assert.Equal(m, mean, 1e-5);
            Assert.Equal(rs, rstd, 1e-4 * rs);
            var xhat = x.Select(v => (v - m) * rs).ToArray();
            for (int i = 0; i < d; i++)
            {
                Assert.Equal((xhat[i] * w[i]) + b[i], y[i], 1e-4);
            }

            var dx = new float[d];
            var dw = Enumerable.Repeat(0.5f, d).ToArray();
            var db = Enumerable.Repeat(0.5f, d).ToArray();
            Kernels.LayerNorm.RowBackward(x, up, w, mean, rstd, dx, dw, db);
            double meanG = Enumerable.Range(0, d).Average(i => (double)up[i] * w[i]);
            double meanGx = Enumerable.Range(0, d).Average(i => up[i] * w[i] * xhat[i]);
            for (int i = 0; i < d; i++)
            {
                double expected = rs * ((up[i] * w[i]) - meanG - (xhat[i] * meanGx));
                Assert.Equal(expected, dx[i], 2e-4 * Math.Max(1, Math.Abs(expected)));
                Assert.Equal(0.5 + (up[i] * xhat[i]), dw[i], 1e-4);
                Assert.Equal(0.5 + up[i], db[i], 1e-5);
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 0f, true)]
    [InlineData(3, 7, 0.25f, true)]
    [InlineData(70, 64, 0.2f, true)]
    [InlineData(65, 9, 0.5f, false)]
    [InlineData(5, 16, 1f, true)]
    public void AddDropoutLayerNormMatchesTheUnfusedComposition(int rows, int d, float p, bool affine)
    {
        var g = new Generator(2);
        var res = Leaf(g, rows, d);
        var z = Leaf(g, rows, d);
        var w = affine ? Leaf(g, d) : null;
        var b = affine ? Leaf(g, d) : null;
        var (resr, zr, wr, br) = (Twin(res), Twin(z), w is null ? null : Twin(w), b is null ? null : Twin(b));
        var y = F.AddDropoutLayerNorm(res, z, p, new Generator(9), w, b, 1e-5f);
        ulong seed = new Generator(9).NextUInt64();

        var dropped = p > 0 ? zr.Mul(FusedLinearTests.KeepFactors(seed, p, [rows, d])) : zr;
        var expected = F.LayerNorm(resr.Add(dropped), [d], wr, br, 1e-5f);
        TensorAssert.Close(expected, y, 1e-4, 1e-5, "output");

        var up = Tensor.Randn([rows, d], g);
        y.Backward(up);
        expected.Backward(up);
        TensorAssert.Close(resr.Grad!, res.Grad!, 1e-4, 1e-5, "residual gradient");
        TensorAssert.Close(zr.Grad!, z.Grad!, 1e-4, 1e-5, "sub-layer gradient");
        if (affine)
        {
            TensorAssert.Close(wr!.Grad!, w!.Grad!, 1e-4, 1e-5, "weight gradient");
            TensorAssert.Close(br!.Grad!, b!.Grad!, 1e-4, 1e-5, "bias gradient");
        }
    }

    [Theory]
    [InlineData(1, 1, 0f)]
    [InlineData(3, 7, 0.25f)]
    [InlineData(70, 64, 1f)]
    public void AddDropoutMatchesTheUnfusedComposition(int rows, int d, float p)
    {
        var g = new Generator(3);
        var res = Leaf(g, rows, d);
        var z = Leaf(g, rows, d);
        var (resr, zr) = (Twin(res), Twin(z));
        var y = F.AddDropout(res, z, p, new Generator(8));
        ulong seed = new Generator(8).NextUInt64();
        var expected = resr.Add(p > 0 ? zr.Mul(FusedLinearTests.KeepFactors(seed, p, [rows, d])) : zr);
        TensorAssert.Close(expected, y, 1e-6, 1e-7, "output");

        var up = Tensor.Randn([rows, d], g);
        y.Backward(up);
        expected.Backward(up);
        TensorAssert.Close(resr.Grad!, res.Grad!, 1e-6, 1e-7, "residual gradient");
        TensorAssert.Close(zr.Grad!, z.Grad!, 1e-6, 1e-7, "sub-layer gradient");
    }

    [Theory]
    [InlineData(TransformerActivation.Gelu, false, false)]
    [InlineData(TransformerActivation.Relu, true, false)]
    [InlineData(TransformerActivation.Gelu, true, true)]
    [InlineData(TransformerActivation.Relu, false, true)]
    public void BlockMatchesItsModulesComposedOneByOne(TransformerActivation act, bool padded, bool normFirst)
    {
        const int B = 3, L = 10, D = 16, H = 2, Ff = 24;
        var gen = new Generator(11);
        var block = new TransformerBlock(D, H, Ff, dropout: 0.2f, activation: act, normFirst: normFirst, generator: gen);
        var x = Leaf(new Generator(12), B, L, D);
        var xr = Twin(x);
        Tensor? padding = padded ? new Tensor([.. Enumerable.Range(0, B * L).Select(i => i % L >= L - 2 ? 1f : 0f)], B, L) : null;
        var state = gen.GetState();
        var y = block.Forward(x, srcKeyPaddingMask: padding, isCausal: true);
        var paramGrads = block.Parameters().Select(p => p.Grad).ToList();
        Assert.All(paramGrads, gr => Assert.Null(gr));
        var up = Tensor.Randn([B, L, D], new Generator(13));
        y.Backward(up);
        var fusedGrads = block.Parameters().Select(p => p.Grad!.Clone()).ToList();
        block.ZeroGrad();

        // Unfused: the same modules one at a time, drawing their dropout seeds in the same order.
        gen.SetState(state);
        Tensor FeedForward(Tensor t)
        {
            var hidden = block.Linear1.Forward(t);
            hidden = block.FfDropout.Forward(act == TransformerActivation.Gelu ? hidden.Gelu() : hidden.Relu());
            return block.Dropout2.Forward(block.Linear2.Forward(hidden));
        }

        Tensor expected;
        if (normFirst)
        {
            var h = block.Norm1.Forward(xr);
            var x1 = xr + block.Dropout1.Forward(block.SelfAttn.Forward(h, h, h, keyPaddingMask: padding, isCausal: true));
            expected = x1 + FeedForward(block.Norm2.Forward(x1));
        }
        else
        {
            var x1 = block.Norm1.Forward(xr + block.Dropout1.Forward(block.SelfAttn.Forward(xr, xr, xr, keyPaddingMask: padding, isCausal: true)));
            expected = block.Norm2.Forward(x1 + FeedForward(x1));
        }

        TensorAssert.Close(expected, y, 1e-4, 1e-5, "output");
        expected.Backward(up);
        TensorAssert.Close(xr.Grad!, x.Grad!, 1e-4, 1e-5, "input gradient");
        var names = block.NamedParameters().Select(p => p.Name).ToList();
        var unfusedGrads = block.Parameters().Select(p => p.Grad!).ToList();
        for (int i = 0; i < names.Count; i++)
        {
            TensorAssert.Close(unfusedGrads[i], fusedGrads[i], 1e-4, 1e-5, names[i]);
        }
    }
}

/// <summary>The fused transformer block gives the same bits for any thread count (runs alone: it changes NumThreads).</summary>
[Collection("Attention thread count")]
public class FusedBlockThreadCountTests
{
    [Fact]
    public void TrainingStepOfTheBlockDoesNotDependOnThreadCount()
    {
        float[][] Run(int threads)
        {
            Engine.NumThreads = threads;
            var gen = new Generator(21);
            var block = new TransformerBlock(32, 2, 64, dropout: 0.2f, activation: TransformerActivation.Gelu, generator: gen);
            var x = Tensor.Randn([6, 33, 32], new Generator(22)).RequiresGrad_();
            var y = block.Forward(x, isCausal: true);
            y.Backward(Tensor.Randn([6, 33, 32], new Generator(23)));
            return [y.ToArray(), x.Grad!.ToArray(), .. block.Parameters().Select(p => p.Grad!.ToArray())];
        }

        int saved = Engine.NumThreads;
        try
        {
            var one = Run(1);
            var two = Run(2);
            for (int i = 0; i < one.Length; i++)
            {
                Assert.Equal(one[i], two[i]);
            }
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }
}
