using ParamGen.Tensors;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Layer norm and batch norm agree with PyTorch (float64 reference), including the running-statistics update.</summary>
public class NormGoldenTests
{
    private const string Group = "norm";

    private static Tensor Aux(string name, int i) => Golden.Aux(Golden.Load(Group), name, i);

    [Fact]
    public void LayerNormWithAndWithoutAffineMatchesTorch()
    {
        Golden.Run(Group, "ln.affine", x => F.LayerNorm(x[0], [17], x[1], x[2]));
        Golden.Run(Group, "ln.plain", x => F.LayerNorm(x[0], [17]));
        Golden.Run(Group, "ln.two.dims", x => F.LayerNorm(x[0], [7, 17], x[1], x[2]));
        Golden.Run(Group, "ln.weight.only.eps", x => F.LayerNorm(x[0], [33], x[1], eps: 1e-3f));
        Golden.Run(Group, "ln.one", x => F.LayerNorm(x[0], [1], x[1], x[2]));
    }

    [Theory]
    [InlineData("bn.train.2d", 0.1f, true)]
    [InlineData("bn.train.3d.plain", 0.3f, false)]
    [InlineData("bn.train.3d.affine", 0.1f, true)]
    public void BatchNormTrainingMatchesTorchAndUpdatesRunningStatsInPlace(string name, float momentum, bool affine)
    {
        var runningMean = Aux(name, 0);
        var runningVar = Aux(name, 1);
        Golden.Run(Group, name, x =>
        {
            var y = affine
                ? F.BatchNorm(x[0], runningMean, runningVar, x[1], x[2], training: true, momentum: momentum)
                : F.BatchNorm(x[0], runningMean, runningVar, training: true, momentum: momentum);
            return [y, runningMean, runningVar];
        });
    }

    [Fact]
    public void BatchNormTrainingWithoutRunningStatsMatchesTorch() =>
        Golden.Run(Group, "bn.train.nostats", x => F.BatchNorm(x[0], null, null, x[1], x[2], training: true));

    [Fact]
    public void BatchNormEvaluationUsesRunningStatsAsTorchAndLeavesThemUnchanged()
    {
        var (rm, rv) = (Aux("bn.eval.3d", 0), Aux("bn.eval.3d", 1));
        var (rmBefore, rvBefore) = (rm.ToArray(), rv.ToArray());
        Golden.Run(Group, "bn.eval.3d", x => F.BatchNorm(x[0], rm, rv, x[1], x[2]));
        Assert.Equal(rmBefore, rm.ToArray());
        Assert.Equal(rvBefore, rv.ToArray());
        var (rm2, rv2) = (Aux("bn.eval.2d.plain", 0), Aux("bn.eval.2d.plain", 1));
        Golden.Run(Group, "bn.eval.2d.plain", x => F.BatchNorm(x[0], rm2, rv2, eps: 1e-3f));
    }
}
