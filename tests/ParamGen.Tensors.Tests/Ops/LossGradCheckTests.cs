using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Finite-difference gradient checks of the losses over odd class counts, every reduction and option.</summary>
public class LossGradCheckTests
{
    /// <summary>Random class targets over <paramref name="shape"/>, with every third one set to <paramref name="ignore"/> when given.</summary>
    internal static Tensor Targets(Generator g, int classes, int[] shape, int? ignore = null)
    {
        var t = Tensor.Zeros(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = ignore is not null && i % 3 == 1 ? ignore.Value : g.NextInt(classes);
        }

        return t;
    }

    public static TheoryData<int[], int, Reduction, float> CrossEntropyCases => new()
    {
        { [7], 1, Reduction.Mean, 0f },
        { [5], 7, Reduction.Mean, 0f },
        { [5], 17, Reduction.Sum, 0.1f },
        { [6], 33, Reduction.None, 0f },
        { [2, 3], 7, Reduction.None, 0.2f },
        { [3, 2], 17, Reduction.Mean, 0.3f },
        { [], 7, Reduction.Mean, 0.1f },
    };

    [Theory]
    [MemberData(nameof(CrossEntropyCases))]
    public void CrossEntropyHasCorrectGradients(int[] batch, int classes, Reduction reduction, float smoothing)
    {
        var g = new Generator(21);
        var logits = Tensor.Randn([.. batch, classes], g) * 2f;
        var plain = Targets(g, classes, batch);
        var ignored = Targets(g, classes, batch, ignore: -100);
        GradCheck.Check(x => F.CrossEntropy(x[0], plain, reduction: reduction, labelSmoothing: smoothing), [logits]);
        GradCheck.Check(x => F.CrossEntropy(x[0], ignored, reduction: reduction, labelSmoothing: smoothing), [logits]);
    }

    [Theory]
    [MemberData(nameof(CrossEntropyCases))]
    public void NllLossHasCorrectGradients(int[] batch, int classes, Reduction reduction, float smoothing)
    {
        _ = smoothing;
        var g = new Generator(22);
        var logProbs = F.LogSoftmax(Tensor.Randn([.. batch, classes], g));
        var ignored = Targets(g, classes, batch, ignore: -100);
        GradCheck.Check(x => F.NllLoss(x[0], ignored, reduction: reduction), [logProbs]);
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void BinaryCrossEntropyWithLogitsHasCorrectGradientsForLogitsTargetsAndWeights(Reduction reduction)
    {
        var g = new Generator(23);
        var x = Tensor.Randn([5, 7], g) * 3f;
        var t = Tensor.Rand([5, 7], g);
        var w = Tensor.Rand([7], g) + 0.5f;
        var pw = Tensor.Rand([1, 7], g) * 3f + 0.5f;
        GradCheck.Check(xs => F.BinaryCrossEntropyWithLogits(xs[0], xs[1], reduction: reduction), [x, t]);
        GradCheck.Check(xs => F.BinaryCrossEntropyWithLogits(xs[0], xs[1], xs[2], xs[3], reduction), [x, t, w, pw]);
        var x1 = Tensor.Randn([33], g);
        var t1 = Tensor.Rand([33], g);
        GradCheck.Check(xs => F.BinaryCrossEntropyWithLogits(xs[0], xs[1], posWeight: xs[2], reduction: reduction), [x1, t1, Tensor.Full(2f, 1)]);
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void MseLossHasCorrectGradients(Reduction reduction)
    {
        var g = new Generator(24);
        GradCheck.Check(xs => F.MseLoss(xs[0], xs[1], reduction), [Tensor.Randn([3, 17], g), Tensor.Randn([3, 17], g)]);
        GradCheck.Check(xs => F.MseLoss(xs[0], xs[1], reduction), [Tensor.Randn([1], g), Tensor.Randn([1], g)]);
    }

    [Fact]
    public void KlDivHasCorrectGradients()
    {
        var g = new Generator(25);
        var input = F.LogSoftmax(Tensor.Randn([4, 7], g));
        var target = Tensor.Rand([4, 7], g) + 0.1f;
        var logTarget = Tensor.Randn([4, 7], g);
        GradCheck.Check(xs => F.KlDiv(xs[0], xs[1]), [input, target]);
        GradCheck.Check(xs => F.KlDiv(xs[0], xs[1], batchMean: false), [input, target]);
        GradCheck.Check(xs => F.KlDiv(xs[0], xs[1], Reduction.None), [input, target]);
        GradCheck.Check(xs => F.KlDiv(xs[0], xs[1], logTarget: true), [input, logTarget]);
        GradCheck.Check(xs => F.KlDiv(xs[0], xs[1], Reduction.Sum, logTarget: true), [input, logTarget]);
    }
}
