using ParamGen.Tensors;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Tests.Infrastructure;

namespace ParamGen.Tensors.Tests.Optim;

/// <summary>Learning-rate schedules give PyTorch's sequences (ConstantLR, LambdaLR with the same lambdas,
/// CosineAnnealingLR) and reject bad arguments.</summary>
public class LrSchedulerTests
{
    private static readonly double[] BaseLrs = [0.1, 0.02];

    private static Sgd TwoGroupSgd() => new(
        [
            new ParamGroup([Tensor.Zeros(1)], new SgdOptions { LearningRate = BaseLrs[0] }),
            new ParamGroup([Tensor.Zeros(1)], new SgdOptions { LearningRate = BaseLrs[1] }),
        ]);

    private static void AssertSequence(string name, Func<Optimizer, LrScheduler> make)
    {
        var expected = Golden.Load("optim")[$"{name}.lrs"]; // [steps + 1, groups]
        var opt = TwoGroupSgd();
        var sched = make(opt);
        for (int s = 0; s < expected.Shape[0]; s++)
        {
            if (s > 0)
            {
                opt.Step();
                sched.Step();
            }

            var last = sched.GetLastLr();
            Assert.Equal(2, last.Count);
            for (int gi = 0; gi < 2; gi++)
            {
                double e = expected[s, gi];
                Assert.True(Math.Abs(last[gi] - e) <= (1e-6 * Math.Abs(e)) + 1e-9, $"{name}: step {s} group {gi} lr {last[gi]:G9}, torch {e:G9}");
                Assert.Equal(last[gi], opt.ParamGroups[gi].LearningRate);
            }
        }
    }

    [Fact]
    public void ConstantLrMatchesTorchConstantLR() => AssertSequence("sched.constant", o => new ConstantLr(o, factor: 0.5, totalSteps: 4));

    [Fact]
    public void LinearWarmupWithDecayMatchesTorchLambdaLR() => AssertSequence("sched.linear", o => new LinearWarmup(o, warmupSteps: 3, totalSteps: 10));

    [Fact]
    public void LinearWarmupWithoutDecayMatchesTorchLambdaLR() => AssertSequence("sched.linear_nodecay", o => new LinearWarmup(o, warmupSteps: 4));

    [Fact]
    public void CosineAnnealingMatchesTorchCosineAnnealingLR() => AssertSequence("sched.cosine", o => new CosineAnnealing(o, totalSteps: 10, minLr: 0.001));

    [Fact]
    public void CosineAnnealingWithWarmupMatchesTorchLambdaLR() => AssertSequence("sched.cosine_warmup", o => new CosineAnnealing(o, totalSteps: 12, warmupSteps: 3, minLr: 0.001));

    [Fact]
    public void LambdaLrScalesEveryBaseRate()
    {
        var opt = TwoGroupSgd();
        var sched = new LambdaLr(opt, t => 1.0 / (t + 1));
        sched.Step();
        sched.Step();
        Assert.Equal([BaseLrs[0] * (1.0 / 3), BaseLrs[1] * (1.0 / 3)], sched.GetLastLr());
    }

    [Fact]
    public void ConstantLrDefaultsKeepTheBaseRate()
    {
        var opt = TwoGroupSgd();
        var sched = new ConstantLr(opt);
        for (int i = 0; i < 5; i++)
        {
            sched.Step();
        }

        Assert.Equal(BaseLrs, sched.GetLastLr());
    }

    [Fact]
    public void CosineAnnealingStaysAtMinimumAfterTotalSteps()
    {
        var opt = TwoGroupSgd();
        var sched = new CosineAnnealing(opt, totalSteps: 4, minLr: 0.005);
        for (int i = 0; i < 9; i++)
        {
            sched.Step();
        }

        Assert.Equal([0.005, 0.005], sched.GetLastLr());
    }

    [Fact]
    public void StateRoundTripResumesTheSequence()
    {
        var a = new CosineAnnealing(TwoGroupSgd(), totalSteps: 20, warmupSteps: 5, minLr: 0.001);
        for (int i = 0; i < 7; i++)
        {
            a.Step();
        }

        var b = new CosineAnnealing(TwoGroupSgd(), totalSteps: 20, warmupSteps: 5, minLr: 0.001);
        b.LoadStateDict(a.StateDict());
        Assert.Equal(7, b.LastStep);
        Assert.Equal(a.GetLastLr(), b.GetLastLr());
        a.Step();
        b.Step();
        Assert.Equal(a.GetLastLr(), b.GetLastLr());
        Assert.Equal(a.GetLastLr(), b.Optimizer.ParamGroups.Select(g => g.LearningRate));
    }

    [Fact]
    public void LoadingAnotherSchedulesStateThrowsAndChangesNothing()
    {
        var opt = TwoGroupSgd();
        var sched = new LinearWarmup(opt, warmupSteps: 4);
        sched.Step();
        var before = sched.GetLastLr().ToArray();
        var e = Assert.Throws<ArgumentException>(() => sched.LoadStateDict(new LrSchedulerState("CosineAnnealing", 3)));
        Assert.Contains("CosineAnnealing", e.Message);
        Assert.Throws<ArgumentException>(() => sched.LoadStateDict(new LrSchedulerState("LinearWarmup", -1)));
        Assert.Equal(1, sched.LastStep);
        Assert.Equal(before, sched.GetLastLr());
        Assert.Equal(before, opt.ParamGroups.Select(g => g.LearningRate));
    }

    public static TheoryData<string, Func<Optimizer, LrScheduler>> BadArguments => new()
    {
        { "totalSteps", o => new CosineAnnealing(o, totalSteps: 0) },
        { "warmupSteps", o => new CosineAnnealing(o, totalSteps: 5, warmupSteps: 6) },
        { "warmupSteps", o => new CosineAnnealing(o, totalSteps: 5, warmupSteps: -1) },
        { "minLr", o => new CosineAnnealing(o, totalSteps: 5, minLr: -0.1) },
        { "minLr", o => new CosineAnnealing(o, totalSteps: 5, minLr: double.NaN) },
        { "warmupSteps", o => new LinearWarmup(o, warmupSteps: -1) },
        { "totalSteps", o => new LinearWarmup(o, warmupSteps: 5, totalSteps: 4) },
        { "factor", o => new ConstantLr(o, factor: 0) },
        { "factor", o => new ConstantLr(o, factor: 1.5) },
        { "totalSteps", o => new ConstantLr(o, totalSteps: -2) },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void BadArgumentsThrowNamingTheParameterAndLeaveRatesUnchanged(string param, Func<Optimizer, LrScheduler> make)
    {
        var opt = TwoGroupSgd();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => make(opt));
        Assert.Equal(param, e.ParamName);
        Assert.Equal(BaseLrs, opt.ParamGroups.Select(g => g.LearningRate));
    }

    [Fact]
    public void ANegativeScheduledRateThrowsBeforeAnyGroupChanges()
    {
        var opt = TwoGroupSgd();
        var sched = new LambdaLr(opt, t => 1 - t);
        sched.Step(); // factor 0
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => sched.Step()); // factor -1
        Assert.Contains("-0.1", e.Message);
        Assert.Equal(1, sched.LastStep);
        Assert.Equal([0.0, 0.0], opt.ParamGroups.Select(g => g.LearningRate));
    }
}
