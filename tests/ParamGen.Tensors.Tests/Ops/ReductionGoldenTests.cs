using ParamGen.Tensors;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Reductions and softmax agree with PyTorch (float64 reference) on outputs and input gradients.</summary>
public class ReductionGoldenTests
{
    private const string Group = "reduce";

    private static Tensor[] Pair((Tensor Values, Tensor Indices) r) => [r.Values, r.Indices];

    [Fact]
    public void MaxAndMinOverADimMatchTorchValuesIndicesAndGradients()
    {
        Golden.Run(Group, "max.dim1", x => Pair(x[0].Max(1)));
        Golden.Run(Group, "min.dim1keep", x => Pair(x[0].Min(1, keepDim: true)));
        Golden.Run(Group, "max.dimlast", x => Pair(x[0].Max(-1)));
        Golden.Run(Group, "min.dim0", x => Pair(x[0].Min(0)));
        Golden.Run(Group, "max.vector", x => Pair(x[0].Max(0)));
    }

    [Fact]
    public void MaxAndMinOverAllSplitTheGradientAtTiesAsTorch()
    {
        var xs = Golden.Run(Group, "max.all.ties", x => x[0].Max());
        Assert.Equal(3, xs[0].Grad!.AsReadOnlySpan().ToArray().Count(v => v != 0f));
        xs = Golden.Run(Group, "min.all.ties", x => x[0].Min());
        Assert.Equal(2, xs[0].Grad!.AsReadOnlySpan().ToArray().Count(v => v != 0f));
        Golden.Run(Group, "max.all", x => x[0].Max());
    }

    [Fact]
    public void ArgMaxAndArgMinMatchTorchIncludingFirstOccurrenceAtTies()
    {
        Golden.Run(Group, "argmax.ties", x => x[0].ArgMax(1), checkGrads: false);
        Golden.Run(Group, "argmin.ties", x => x[0].ArgMin(1), checkGrads: false);
        Golden.Run(Group, "argmax.dim0keep", x => x[0].ArgMax(0, keepDim: true), checkGrads: false);
        Golden.Run(Group, "argmin.dim2", x => x[0].ArgMin(2), checkGrads: false);
    }

    [Fact]
    public void VarianceMatchesTorch()
    {
        Golden.Run(Group, "var.dim1", x => x[0].Var(1));
        Golden.Run(Group, "var.dims02.biased.keep", x => x[0].Var([0, 2], unbiased: false, keepDim: true));
        Golden.Run(Group, "var.all", x => x[0].Var([]));
        Golden.Run(Group, "var.dimlast.odd", x => x[0].Var(-1));
    }

    [Fact]
    public void StandardDeviationMatchesTorchIncludingZeroGradientOnAConstantRow()
    {
        Golden.Run(Group, "std.dim1", x => x[0].Std(1));
        Golden.Run(Group, "std.dims12.biased", x => x[0].Std([1, 2], unbiased: false));
        var xs = Golden.Run(Group, "std.constrow", x => x[0].Std(1));
        Assert.All(xs[0].Grad!.ToArray().Skip(7).Take(7), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void LogSumExpMatchesTorchIncludingValuesThatOverflowANaiveExp()
    {
        Golden.Run(Group, "logsumexp.last", x => x[0].LogSumExp(-1));
        Golden.Run(Group, "logsumexp.dim1keep", x => x[0].LogSumExp(1, keepDim: true));
        Golden.Run(Group, "logsumexp.large", x => x[0].LogSumExp(0));
    }

    [Theory]
    [InlineData("last", -1)]
    [InlineData("mid", 1)]
    [InlineData("first.wide", 0)]
    [InlineData("large", -1)]
    [InlineData("vector", 0)]
    public void SoftmaxAndLogSoftmaxMatchTorchOverAnyDim(string tag, int dim)
    {
        Golden.Run(Group, $"softmax.{tag}", x => F.Softmax(x[0], dim));
        Golden.Run(Group, $"log_softmax.{tag}", x => F.LogSoftmax(x[0], dim));
    }

    [Fact]
    public void SoftmaxWithMaskedEntriesMatchesTorch()
    {
        Golden.Run(Group, "softmax.partmasked", x => F.Softmax(x[0], -1));
        Golden.Run(Group, "softmax.partmasked.dim0", x => F.Softmax(x[0], 0));
    }
}
