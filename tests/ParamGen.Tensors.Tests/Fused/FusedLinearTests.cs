using ParamGen.Tensors.Kernels;
using ParamGen.Tensors.Nn;
using Gelu = ParamGen.Tensors.Kernels.Gelu;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Fused;

/// <summary>
/// The fused linear ops (bias as the GEMM's start, linear + activation + dropout by row blocks) and the bias-gradient
/// column sums against the unfused composition of plain ops, forward and every gradient.
/// </summary>
public class FusedLinearTests
{
    private static Tensor Leaf(Generator g, params int[] shape) => Tensor.Randn(shape, g).RequiresGrad_();

    private static Tensor Twin(Tensor t) => t.Detach().RequiresGrad_();

    /// <summary>x W^T + b from MatMul and a broadcast Add (zeros + b when x has no features).</summary>
    private static Tensor UnfusedLinear(Tensor x, Tensor w, Tensor? b)
    {
        var dims = x.Shape.ToArray();
        dims[^1] = w.Shape[0];
        var y = x.Shape[-1] == 0 ? Tensor.Zeros(dims) : x.MatMul(w.Transpose(0, 1));
        return b is null ? y : y.Add(b);
    }

    /// <summary>The counter-based keep factors (scale or 0) of every element of <paramref name="shape"/>.</summary>
    internal static Tensor KeepFactors(ulong seed, float p, int[] shape)
    {
        var t = Tensor.Zeros(shape);
        var s = t.Span;
        uint th = DropoutMask.Threshold(p);
        float scale = DropoutMask.Scale(p);
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = DropoutMask.Keep(seed, i, th) ? scale : 0f;
        }

        return t;
    }

    [Theory]
    [InlineData(new[] { 7 }, 5, true)]
    [InlineData(new[] { 1, 1 }, 1, false)]
    [InlineData(new[] { 3, 17 }, 33, true)]
    [InlineData(new[] { 2, 65, 64 }, 16, true)]
    [InlineData(new[] { 130, 5 }, 7, false)]
    [InlineData(new[] { 0, 5 }, 7, true)]
    [InlineData(new[] { 4, 0 }, 3, true)]
    public void LinearMatchesMatMulPlusBias(int[] inputShape, int outF, bool withBias)
    {
        var g = new Generator(1);
        int inF = inputShape[^1];
        var x = Leaf(g, inputShape);
        var w = Leaf(g, outF, inF);
        var b = withBias ? Leaf(g, outF) : null;
        var (xr, wr, br) = (Twin(x), Twin(w), b is null ? null : Twin(b));
        var y = F.Linear(x, w, b);
        var expected = UnfusedLinear(xr, wr, br);
        TensorAssert.Close(expected, y, 1e-5, 1e-5, "output");

        var up = Tensor.Randn(y.Shape.ToArray(), g);
        y.Backward(up);
        expected.Backward(up);
        if (inF > 0)
        {
            TensorAssert.Close(xr.Grad!, x.Grad!, 1e-5, 1e-5, "input gradient");
            TensorAssert.Close(wr.Grad!, w.Grad!, 1e-5, 1e-5, "weight gradient");
        }
        if (b is not null && br!.Grad is not null)
        {
            TensorAssert.Close(br.Grad, b.Grad!, 1e-5, 1e-5, "bias gradient");
        }
    }

    [Fact]
    public void LinearOnAViewOfAWeightSendsTheGradientToTheWholeWeight()
    {
        var g = new Generator(2);
        var x = Leaf(g, 5, 4);
        var w = Leaf(g, 9, 4);
        var y = F.Linear(x, w.Narrow(0, 3, 3));
        y.Sum().Backward();
        var expected = x.Detach().Sum(0).ToArray(); // d/dW[r, :] of the sum = column sums of x, for rows 3..5
        var grad = w.Grad!;
        for (int r = 0; r < 9; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                Assert.Equal(r is >= 3 and < 6 ? expected[c] : 0f, grad[r, c], 1e-5f);
            }
        }
    }

    [Theory]
    [InlineData(TransformerActivation.Gelu, 0f, 1, 3, 5)]
    [InlineData(TransformerActivation.Gelu, 0.3f, 63, 8, 17)]
    [InlineData(TransformerActivation.Gelu, 0.2f, 130, 64, 256)]
    [InlineData(TransformerActivation.Relu, 0f, 65, 3, 16)]
    [InlineData(TransformerActivation.Relu, 0.5f, 200, 16, 33)]
    [InlineData(TransformerActivation.Gelu, 1f, 7, 4, 6)]
    public void LinearActivationDropoutMatchesTheUnfusedComposition(TransformerActivation act, float p, int rows, int inF, int outF)
    {
        var g = new Generator(3);
        var x = Leaf(g, rows, inF);
        var w = Leaf(g, outF, inF);
        var b = Leaf(g, outF);
        var (xr, wr, br) = (Twin(x), Twin(w), Twin(b));
        var y = F.LinearActivationDropout(x, w, b, act, p, new Generator(10));
        ulong seed = new Generator(10).NextUInt64();

        var u = UnfusedLinear(xr, wr, br);
        var expected = act == TransformerActivation.Gelu ? u.Gelu() : u.Relu();
        if (p > 0)
        {
            expected = expected.Mul(KeepFactors(seed, p, [rows, outF]));
        }

        TensorAssert.Close(expected, y, 2e-5, 2e-5, "output");
        var up = Tensor.Randn([rows, outF], g);
        y.Backward(up);
        expected.Backward(up);
        TensorAssert.Close(xr.Grad!, x.Grad!, 2e-5, 2e-5, "input gradient");
        TensorAssert.Close(wr.Grad!, w.Grad!, 2e-5, 2e-5, "weight gradient");
        TensorAssert.Close(br.Grad!, b.Grad!, 2e-5, 2e-5, "bias gradient");
    }

    [Fact]
    public void GeluForwardWithDerivativeMatchesTheSeparateKernels()
    {
        var g = new Generator(4);
        for (int n = 0; n <= 40; n++)
        {
            var u = new float[n];
            g.FillNormal(u, 0f, 3f);
            var y = new float[n];
            var d = new float[n];
            Gelu.ForwardWithDerivative(u, y, d);
            var y2 = new float[n];
            Gelu.Forward(u, y2);
            var ones = Enumerable.Repeat(1f, n).ToArray();
            var d2 = new float[n];
            Gelu.Backward(ones, u, d2);
            TensorAssert.Close(y2, y, 5e-7, 1e-30, "gelu");
            Assert.Equal(d2, d); // the same derivative arithmetic
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(u[i] * Gelu.PhiAndDerivative(u[i]).Phi, y[i]);
            }
        }
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 1)]
    [InlineData(63, 17)]
    [InlineData(64, 8)]
    [InlineData(65, 256)]
    [InlineData(1000, 33)]
    public void ColumnSumsMatchADoubleSum(int rows, int cols)
    {
        var g = new Generator(5);
        var src = new float[(rows * cols) + 3];
        g.FillNormal(src);
        var dst = new float[cols];
        ColumnSums.Compute(src, 3, rows, cols, dst);
        for (int j = 0; j < cols; j++)
        {
            double sum = 0;
            for (int i = 0; i < rows; i++)
            {
                sum += src[3 + (i * cols) + j];
            }

            Assert.Equal(sum, dst[j], 1e-4);
        }
    }
}
