using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using Xunit.Sdk;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>
/// The fused, chunked <see cref="F.LinearCrossEntropy"/> equals <c>CrossEntropy(Linear(h, W, b), t)</c> (itself
/// golden-tested against PyTorch) in value and in the gradients to h, W and b, over shapes that do and do not fill
/// its row chunks, every reduction and option; finite differences confirm the gradients on small shapes.
/// </summary>
public class LinearCrossEntropyTests
{
    /// <summary>
    /// batch dims, d, C, bias, ignore index (null: no target ignored; otherwise every third target is set to it),
    /// reduction, label smoothing.
    /// </summary>
    public static TheoryData<int[], int, int, bool, int?, Reduction, float> Cases
    {
        get
        {
            // A catalogue of 5000 classes is cut in chunks of 384 rows: 1000 rows make two full chunks and a tail.
            // 140,000 classes give the smallest chunk (16 rows): 40 rows make two chunks and a tail of 8.
            var data = new TheoryData<int[], int, int, bool, int?, Reduction, float>
            {
                { [1], 5, 1, false, null, Reduction.Mean, 0f },
                { [1], 4, 3, true, null, Reduction.Sum, 0.2f },
                { [7], 3, 11, false, -100, Reduction.Mean, 0f },
                { [], 6, 9, true, null, Reduction.Mean, 0.1f },
                { [], 6, 9, false, null, Reduction.None, 0f },
                { [3, 5], 8, 33, true, -100, Reduction.Sum, 0.1f },
                { [2, 3, 4], 5, 17, true, 0, Reduction.None, 0.3f },
                { [40], 3, 140_000, true, -100, Reduction.Mean, 0.1f },
                { [17, 3], 16, 1, true, null, Reduction.None, 0f },
            };
            foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
            {
                data.Add([1000], 13, 5000, true, -100, reduction, 0f);
                data.Add([8, 125], 13, 5000, false, 3, reduction, 0.1f);
            }

            return data;
        }
    }

    [Fact]
    public void TheChunkSizesTheCasesRelyOnHold()
    {
        Assert.Equal(384, Kernels.LinearCrossEntropy.ChunkRows(5000));
        Assert.Equal(672, Kernels.LinearCrossEntropy.ChunkRows(3000));
        Assert.Equal(16, Kernels.LinearCrossEntropy.ChunkRows(140_000));
        Assert.Equal(1008, Kernels.LinearCrossEntropy.ChunkRows(1));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesCrossEntropyOfLinearInValueAndGradients(int[] batch, int d, int classes, bool withBias, int? ignore, Reduction reduction, float smoothing)
    {
        var g = new Generator(31);
        var h = Tensor.Randn([.. batch, d], g);
        var w = Tensor.Randn([classes, d], g) * 0.5f;
        var b = withBias ? Tensor.Randn([classes], g) : null;
        var t = LossGradCheckTests.Targets(g, classes, batch, ignore);
        var upstream = reduction == Reduction.None ? Tensor.Randn(batch, g) : Tensor.Scalar(0.7f);
        int ignoreIndex = ignore ?? -100;

        var expected = Run((hh, ww, bb) => F.CrossEntropy(F.Linear(hh, ww, bb), t, ignoreIndex, reduction, smoothing), h, w, b, upstream);
        var actual = Run((hh, ww, bb) => F.LinearCrossEntropy(hh, ww, t, bb, ignoreIndex, reduction, smoothing), h, w, b, upstream);
        AssertSame(expected, actual);
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    public void AnUpstreamGradientOfOneGivesTheSameGradients(Reduction reduction)
    {
        // The scalar reductions form their gradients in the forward and skip scaling them when the upstream is 1.
        var g = new Generator(32);
        var h = Tensor.Randn([50, 7], g);
        var w = Tensor.Randn([300, 7], g);
        var b = Tensor.Randn([300], g);
        var t = LossGradCheckTests.Targets(g, 300, [50], ignore: -100);
        var one = Tensor.Scalar(1f);
        var expected = Run((hh, ww, bb) => F.CrossEntropy(F.Linear(hh, ww, bb), t, reduction: reduction, labelSmoothing: 0.05f), h, w, b, one);
        var actual = Run((hh, ww, bb) => F.LinearCrossEntropy(hh, ww, t, bb, reduction: reduction, labelSmoothing: 0.05f), h, w, b, one);
        AssertSame(expected, actual);
    }

    [Theory]
    [InlineData(Reduction.Mean, 0f)]
    [InlineData(Reduction.Sum, 0.1f)]
    [InlineData(Reduction.None, 0.2f)]
    public void HasCorrectGradientsByFiniteDifferences(Reduction reduction, float smoothing)
    {
        var g = new Generator(33);
        var h = Tensor.Randn([5, 4], g);
        var w = Tensor.Randn([7, 4], g);
        var b = Tensor.Randn([7], g);
        var plain = LossGradCheckTests.Targets(g, 7, [5]);
        var ignored = LossGradCheckTests.Targets(g, 7, [5], ignore: -100);
        GradCheck.Check(x => F.LinearCrossEntropy(x[0], x[1], plain, x[2], reduction: reduction, labelSmoothing: smoothing), [h, w, b]);
        GradCheck.Check(x => F.LinearCrossEntropy(x[0], x[1], ignored, x[2], reduction: reduction, labelSmoothing: smoothing), [h, w, b]);
        var h3 = Tensor.Randn([2, 3, 4], g);
        var t3 = LossGradCheckTests.Targets(g, 7, [2, 3], ignore: -100);
        GradCheck.Check(x => F.LinearCrossEntropy(x[0], x[1], t3, reduction: reduction, labelSmoothing: smoothing), [h3, w]);
    }

    [Fact]
    public void GradientsFlowOnlyToOperandsThatRequireThemAndThroughEarlierOps()
    {
        var g = new Generator(34);
        var x = Tensor.Randn([6, 5], g);
        var w = Tensor.Randn([9, 5], g);
        var b = Tensor.Randn([9], g);
        var t = LossGradCheckTests.Targets(g, 9, [6], ignore: -100);

        // Only the weight: hidden and bias are constants.
        var wf = w.Clone().RequiresGrad_();
        var wu = w.Clone().RequiresGrad_();
        F.LinearCrossEntropy(x, wf, t, b).Backward();
        F.CrossEntropy(F.Linear(x, wu, b), t).Backward();
        TensorAssert.Close(wu.Grad!, wf.Grad!, 1e-4, 1e-6, "dW");

        // Only the bias, and a hidden state produced by an earlier op (a non-leaf).
        var xf = x.Clone().RequiresGrad_();
        var xu = x.Clone().RequiresGrad_();
        var bf = b.Clone().RequiresGrad_();
        var bu = b.Clone().RequiresGrad_();
        var lf = F.LinearCrossEntropy(xf.Tanh(), w, t, bf, reduction: Reduction.Sum);
        Assert.Equal("LinearCrossEntropy", lf.GradFnName);
        lf.Backward();
        F.CrossEntropy(F.Linear(xu.Tanh(), w, bu), t, reduction: Reduction.Sum).Backward();
        TensorAssert.Close(xu.Grad!, xf.Grad!, 1e-4, 1e-6, "dx");
        TensorAssert.Close(bu.Grad!, bf.Grad!, 1e-4, 1e-6, "db");
    }

    [Fact]
    public void GradientsAccumulateAcrossCallsAndBackwardPasses()
    {
        var g = new Generator(35);
        var h = Tensor.Randn([4, 3], g).RequiresGrad_();
        var w = Tensor.Randn([5, 3], g).RequiresGrad_();
        var t = new Tensor([0f, 4f, 2f, 2f], 4);
        F.LinearCrossEntropy(h, w, t).Backward();
        var once = w.Grad!.ToArray();
        var loss = F.LinearCrossEntropy(h, w, t);
        (loss + loss).Backward();
        TensorAssert.Close(once.Select(v => 3 * v).ToArray(), w.Grad!.ToArray(), 1e-5, 1e-7, "dW after 1 + 2 backward contributions");
    }

    [Fact]
    public void MaskedClassesAndInfiniteLogitsBehaveAsTheComposition()
    {
        // A -inf bias masks classes (their probability is 0); a +inf logit makes its row NaN, in both forms.
        var g = new Generator(36);
        var h = Tensor.Randn([4, 3], g);
        var w = Tensor.Randn([6, 3], g);
        var masked = new Tensor([0f, float.NegativeInfinity, 0.5f, float.NegativeInfinity, -1f, 2f], 6);
        var t = new Tensor([0f, 2f, 5f, 4f], 4);
        var up = Tensor.Scalar(1f);
        AssertSame(
            Run((hh, ww, bb) => F.CrossEntropy(F.Linear(hh, ww, bb), t, labelSmoothing: 0f), h, w, masked, up),
            Run((hh, ww, bb) => F.LinearCrossEntropy(hh, ww, t, bb), h, w, masked, up));

        var infinite = new Tensor([0f, float.PositiveInfinity, 0.5f, 1f, -1f, 2f], 6);
        var none = Tensor.Ones(4);
        AssertSame(
            Run((hh, ww, bb) => F.CrossEntropy(F.Linear(hh, ww, bb), t, reduction: Reduction.None), h, w, infinite, none),
            Run((hh, ww, bb) => F.LinearCrossEntropy(hh, ww, t, bb, reduction: Reduction.None), h, w, infinite, none));
        AssertSame(
            Run((hh, ww, bb) => F.CrossEntropy(F.Linear(hh, ww, bb), t), h, w, infinite, up),
            Run((hh, ww, bb) => F.LinearCrossEntropy(hh, ww, t, bb), h, w, infinite, up));
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.None)]
    public void ViewInputsGiveTheSameLossAndGradientsAsCopies(Reduction reduction)
    {
        // Hidden, weight and bias narrowed out of the middle of larger leaves: read through their storage offsets.
        var g = new Generator(43);
        var hBig = Tensor.Randn([9, 5], g).RequiresGrad_();
        var wBig = Tensor.Randn([14, 5], g).RequiresGrad_();
        var bBig = Tensor.Randn([12], g).RequiresGrad_();
        var t = LossGradCheckTests.Targets(g, 8, [4], ignore: -100);
        var h = hBig.Narrow(0, 3, 4);
        var w = wBig.Narrow(0, 5, 8);
        var b = bBig.Narrow(0, 2, 8);
        Assert.All(new[] { h, w, b }, v => Assert.NotEqual(0, v.Offset));
        var upstream = reduction == Reduction.None ? Tensor.Randn([4], g) : Tensor.Scalar(1f);
        F.LinearCrossEntropy(h, w, t, b, reduction: reduction).Backward(upstream);

        var expected = Run((hh, ww, bb) => F.LinearCrossEntropy(hh, ww, t, bb, reduction: reduction), h.Detach(), w.Detach(), b.Detach(), upstream);
        Assert.Equal(expected.DH, hBig.Grad!.Narrow(0, 3, 4).ToArray());
        Assert.Equal(expected.DW, wBig.Grad!.Narrow(0, 5, 8).ToArray());
        Assert.Equal(expected.DB, bBig.Grad!.Narrow(0, 2, 8).ToArray());
        Assert.All(hBig.Grad!.Narrow(0, 0, 3).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(wBig.Grad!.Narrow(0, 13, 1).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void EveryTargetIgnoredGivesNaNMeanAndZeroGradients()
    {
        var g = new Generator(37);
        var h = Tensor.Randn([3, 4], g).RequiresGrad_();
        var w = Tensor.Randn([5, 4], g).RequiresGrad_();
        var b = Tensor.Randn([5], g).RequiresGrad_();
        var t = Tensor.Full(-100f, 3);
        Assert.True(float.IsNaN(F.LinearCrossEntropy(h, w, t, b).Item()));
        var sum = F.LinearCrossEntropy(h, w, t, b, reduction: Reduction.Sum);
        Assert.Equal(0f, sum.Item());
        sum.Backward();
        Assert.All(h.Grad!.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(w.Grad!.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(b.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void EmptyBatchesGiveEmptyOrNaNLossesAsTheComposition()
    {
        var h = Tensor.Zeros(0, 4);
        var w = Tensor.Randn([5, 4], new Generator(38));
        var t = Tensor.Zeros(0);
        Assert.Equal([0], F.LinearCrossEntropy(h, w, t, reduction: Reduction.None).Shape.ToArray());
        Assert.True(float.IsNaN(F.LinearCrossEntropy(h, w, t).Item()));
        Assert.Equal(0f, F.LinearCrossEntropy(h, w, t, reduction: Reduction.Sum).Item());
    }

    [Fact]
    public void DoesNotRecordUnderNoGradAndLeavesNoGradientsBehind()
    {
        var g = new Generator(39);
        var h = Tensor.Randn([2, 3], g).RequiresGrad_();
        var w = Tensor.Randn([4, 3], g).RequiresGrad_();
        var t = new Tensor([1f, 3f], 2);
        float withGrad = F.LinearCrossEntropy(h, w, t).Item();
        using (Grad.NoGrad())
        {
            var loss = F.LinearCrossEntropy(h, w, t);
            Assert.False(loss.RequiresGrad);
            Assert.Equal(withGrad, loss.Item());
        }

        Assert.Null(h.Grad);
    }

    [Fact]
    public void ATargetOutOfRangeNamesItsPositionAndValueAndChangesNothing()
    {
        var g = new Generator(40);
        var h = Tensor.Randn([2, 3, 4], g).RequiresGrad_();
        var w = Tensor.Randn([5, 4], g).RequiresGrad_();
        var before = h.ToArray();
        var target = new Tensor([0f, 1f, 4f, 2f, 5f, 3f], 2, 3);
        var e = Assert.Throws<ArgumentException>(() => F.LinearCrossEntropy(h, w, target));
        Assert.Contains("LinearCrossEntropy", e.Message);
        Assert.Contains("position 4", e.Message);
        Assert.Contains("[1, 1]", e.Message);
        Assert.Contains("is 5", e.Message);
        Assert.Contains("[0, 5)", e.Message);
        Assert.Null(h.Grad);
        Assert.Null(w.Grad);
        Assert.Equal(before, h.ToArray());

        e = Assert.Throws<ArgumentException>(() => F.LinearCrossEntropy(h, w, new Tensor([0f, -1f, 1f, 0f, 0f, 0f], 2, 3)));
        Assert.Contains("position 1", e.Message);
        Assert.Contains("is -1", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.LinearCrossEntropy(h, w, new Tensor([0f, 1f, 2.5f, 0f, 0f, 0f], 2, 3)));
        Assert.Contains("2.5", e.Message);
    }

    [Fact]
    public void MismatchedShapesThrowNamingThem()
    {
        var g = new Generator(41);
        var h = Tensor.Randn([6, 4], g);
        var w = Tensor.Randn([5, 4], g);
        var t = Tensor.Zeros(6);
        var e = Assert.Throws<ArgumentException>(() => F.LinearCrossEntropy(h, Tensor.Randn([5, 3], g), t));
        Assert.Contains("[6, 4]", e.Message);
        Assert.Contains("[5, 3]", e.Message);
        Assert.Throws<ArgumentException>(() => F.LinearCrossEntropy(h, Tensor.Randn([4], g), t));
        Assert.Throws<ArgumentException>(() => F.LinearCrossEntropy(Tensor.Scalar(1f), w, Tensor.Scalar(0f)));
        e = Assert.Throws<ArgumentException>(() => F.LinearCrossEntropy(h, w, Tensor.Zeros(5)));
        Assert.Contains("[6]", e.Message);
        Assert.Contains("[5]", e.Message);
        Assert.Throws<ArgumentException>(() => F.LinearCrossEntropy(h, w, Tensor.Zeros(6, 1)));
        e = Assert.Throws<ArgumentException>(() => F.LinearCrossEntropy(h, w, t, bias: Tensor.Zeros(4)));
        Assert.Contains("bias [4]", e.Message);
        Assert.Throws<ArgumentException>(() => F.LinearCrossEntropy(h, w, t, bias: Tensor.Zeros(1, 5)));
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        var g = new Generator(42);
        var h = Tensor.Randn([2, 3], g);
        var w = Tensor.Randn([4, 3], g);
        var t = new Tensor([0f, 2f], 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.LinearCrossEntropy(h, w, t, labelSmoothing: 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.LinearCrossEntropy(h, w, t, labelSmoothing: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.LinearCrossEntropy(h, w, t, reduction: (Reduction)7));
        Assert.Throws<ArgumentNullException>(() => F.LinearCrossEntropy(null!, w, t));
    }

    /// <summary>The loss and the gradients of h, W and b after backpropagating <paramref name="upstream"/>.</summary>
    internal static (Tensor Loss, float[] DH, float[] DW, float[]? DB) Run(Func<Tensor, Tensor, Tensor?, Tensor> f, Tensor h, Tensor w, Tensor? b, Tensor upstream)
    {
        var hh = h.Clone().RequiresGrad_();
        var ww = w.Clone().RequiresGrad_();
        var bb = b?.Clone().RequiresGrad_();
        var loss = f(hh, ww, bb);
        loss.Backward(upstream);
        return (loss.Detach(), hh.Grad!.ToArray(), ww.Grad!.ToArray(), bb?.Grad!.ToArray());
    }

    /// <summary>
    /// Values within float rounding: the loss to 1e-5 relative; gradients to 1e-4 relative plus 1e-5 of the largest
    /// magnitude (sums over thousands of rows or classes are accumulated in a different order).
    /// </summary>
    internal static void AssertSame((Tensor Loss, float[] DH, float[] DW, float[]? DB) expected, (Tensor Loss, float[] DH, float[] DW, float[]? DB) actual)
    {
        TensorAssert.Close(expected.Loss, actual.Loss, 1e-5, 1e-6, "loss");
        Close(expected.DH, actual.DH, "dH");
        Close(expected.DW, actual.DW, "dW");
        if ((expected.DB is null) != (actual.DB is null))
        {
            throw new XunitException("db: present in only one of the two results.");
        }

        if (expected.DB is not null)
        {
            Close(expected.DB, actual.DB!, "db");
        }
    }

    private static void Close(float[] expected, float[] actual, string what)
    {
        double scale = expected.Where(float.IsFinite).Select(Math.Abs).DefaultIfEmpty(0f).Max();
        TensorAssert.Close(expected, actual, 1e-4, (1e-5 * scale) + 1e-9, what);
    }
}
