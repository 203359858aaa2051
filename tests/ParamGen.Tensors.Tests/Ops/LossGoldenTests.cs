using ParamGen.Tensors;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Losses agree with PyTorch (float64 reference) on values and input gradients.</summary>
public class LossGoldenTests
{
    private const string Group = "loss";

    private static Tensor Aux(string name, int i = 0) => Golden.Aux(Golden.Load(Group), name, i);

    [Theory]
    [InlineData("ce.mean", Reduction.Mean, 0f)]
    [InlineData("ce.mean.ignore", Reduction.Mean, 0f)]
    [InlineData("ce.sum.ignore", Reduction.Sum, 0f)]
    [InlineData("ce.none.ignore", Reduction.None, 0f)]
    [InlineData("ce.smooth.mean.ignore", Reduction.Mean, 0.1f)]
    [InlineData("ce.smooth.sum", Reduction.Sum, 0.25f)]
    [InlineData("ce.smooth.none.ignore", Reduction.None, 0.3f)]
    [InlineData("ce.large", Reduction.Mean, 0f)]
    [InlineData("ce.wide", Reduction.Mean, 0.05f)]
    [InlineData("ce.nd.none", Reduction.None, 0.1f)]
    [InlineData("ce.nd.mean", Reduction.Mean, 0f)]
    [InlineData("ce.unbatched", Reduction.Mean, 0f)]
    public void CrossEntropyMatchesTorch(string name, Reduction reduction, float smoothing)
    {
        var target = Aux(name);
        Golden.Run(Group, name, x => F.CrossEntropy(x[0], target, reduction: reduction, labelSmoothing: smoothing));
    }

    [Fact]
    public void CrossEntropyIgnoresAnInRangeIgnoreIndexAsTorch()
    {
        var target = Aux("ce.ignore0");
        var xs = Golden.Run(Group, "ce.ignore0", x => F.CrossEntropy(x[0], target, ignoreIndex: 0));
        Assert.All(xs[0].Grad!.ToArray().Skip(11).Take(11), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData("nll.mean.ignore", Reduction.Mean)]
    [InlineData("nll.sum", Reduction.Sum)]
    [InlineData("nll.none.ignore", Reduction.None)]
    public void NllLossMatchesTorch(string name, Reduction reduction)
    {
        var target = Aux(name);
        Golden.Run(Group, name, x => F.NllLoss(x[0], target, reduction: reduction));
    }

    [Fact]
    public void BinaryCrossEntropyWithLogitsMatchesTorch()
    {
        Golden.Run(Group, "bce.mean", x => F.BinaryCrossEntropyWithLogits(x[0], x[1]));
        Golden.Run(Group, "bce.sum.hard", x => F.BinaryCrossEntropyWithLogits(x[0], x[1], reduction: Reduction.Sum));
        Golden.Run(Group, "bce.none", x => F.BinaryCrossEntropyWithLogits(x[0], x[1], reduction: Reduction.None));
        Golden.Run(Group, "bce.large", x => F.BinaryCrossEntropyWithLogits(x[0], x[1]));
    }

    [Fact]
    public void BinaryCrossEntropyWithLogitsWeightsMatchTorch()
    {
        var w = Aux("bce.weight");
        Golden.Run(Group, "bce.weight", x => F.BinaryCrossEntropyWithLogits(x[0], x[1], weight: w));
        var wRow = Aux("bce.weight.bcast");
        Golden.Run(Group, "bce.weight.bcast", x => F.BinaryCrossEntropyWithLogits(x[0], x[1], weight: wRow, reduction: Reduction.Sum));
        var pw = Aux("bce.posweight");
        Golden.Run(Group, "bce.posweight", x => F.BinaryCrossEntropyWithLogits(x[0], x[1], posWeight: pw));
        var (w2, pw2) = (Aux("bce.both.none", 0), Aux("bce.both.none", 1));
        Golden.Run(Group, "bce.both.none", x => F.BinaryCrossEntropyWithLogits(x[0], x[1], w2, pw2, Reduction.None));
    }

    [Fact]
    public void MseLossMatchesTorch()
    {
        Golden.Run(Group, "mse.mean", x => F.MseLoss(x[0], x[1]));
        Golden.Run(Group, "mse.sum", x => F.MseLoss(x[0], x[1], Reduction.Sum));
        Golden.Run(Group, "mse.none", x => F.MseLoss(x[0], x[1], Reduction.None));
    }

    [Fact]
    public void KlDivMatchesTorch()
    {
        Golden.Run(Group, "kl.batchmean", x => F.KlDiv(x[0], x[1]));
        Golden.Run(Group, "kl.mean", x => F.KlDiv(x[0], x[1], batchMean: false));
        Golden.Run(Group, "kl.sum", x => F.KlDiv(x[0], x[1], Reduction.Sum));
        Golden.Run(Group, "kl.none", x => F.KlDiv(x[0], x[1], Reduction.None));
        Golden.Run(Group, "kl.batchmean.logtarget", x => F.KlDiv(x[0], x[1], logTarget: true));
        Golden.Run(Group, "kl.none.logtarget", x => F.KlDiv(x[0], x[1], Reduction.None, logTarget: true));
    }
}
