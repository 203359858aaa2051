using ParamGen.Tensors;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>
/// Group batch norm agrees with PyTorch (tests/golden/cases_groupnorm.py: F.batch_norm per group's included rows, float64)
/// on the output, the in-place running statistics and the input gradient.
/// </summary>
public class GroupNormGoldenTests
{
    private const string Group = "groupnorm";

    private static Tensor Aux(string name, int i) => Golden.Aux(Golden.Load(Group), name, i);

    private static int[] Groups(string name) => Aux(name, 0).ToArray().Select(v => (int)v).ToArray();

    private static bool[] Include(string name) => Aux(name, 1).ToArray().Select(v => v != 0f).ToArray();

    [Theory]
    [InlineData("gbn.train.2d", 3, 0.1f, 1e-5f, false)]
    [InlineData("gbn.train.3d.mask", 4, 0.3f, 1e-3f, true)]
    public void TrainingMatchesTorchAndUpdatesRunningStatsInPlace(string name, int groupCount, float momentum, float eps, bool masked)
    {
        var (groups, include) = (Groups(name), masked ? Include(name) : []);
        var (rm, rv) = (Aux(name, 2), Aux(name, 3));
        Golden.Run(Group, name, x =>
            [F.GroupBatchNorm(x[0], groups, groupCount, rm, rv, include, training: true, momentum: momentum, eps: eps), rm, rv]);
    }

    [Fact]
    public void TrainingWithoutRunningStatsMatchesTorch()
    {
        const string Name = "gbn.train.3d.nostats";
        var (groups, include) = (Groups(Name), Include(Name));
        Golden.Run(Group, Name, x => F.GroupBatchNorm(x[0], groups, 3, null, null, include, training: true));
    }

    [Fact]
    public void EvaluationUsesRunningStatsAsTorchAndLeavesThemUnchanged()
    {
        const string Name = "gbn.eval.3d";
        var (groups, include) = (Groups(Name), Include(Name));
        var (rm, rv) = (Aux(Name, 2), Aux(Name, 3));
        Golden.Run(Group, Name, x => [F.GroupBatchNorm(x[0], groups, 3, rm, rv, include), rm, rv]);
    }
}
