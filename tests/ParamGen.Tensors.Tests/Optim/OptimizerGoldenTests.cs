using ParamGen.Tensors;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Tests.Infrastructure;

namespace ParamGen.Tensors.Tests.Optim;

/// <summary>
/// SGD, Adam and AdamW follow torch.optim step for step: two parameter groups with different learning rates,
/// six steps of fixed gradients (one parameter has no gradient at step 3), compared after every step.
/// </summary>
public class OptimizerGoldenTests
{
    private const string Group = "optim";
    private const int Steps = 6;
    private const int NumParams = 4;

    public static TheoryData<string> Cases => new()
    {
        "sgd.plain", "sgd.momentum", "sgd.nesterov_wd", "adam.plain", "adam.wd", "adam.amsgrad", "adamw.plain", "adamw.amsgrad",
    };

    /// <summary>The same configurations as tests/golden/cases_optim.py.</summary>
    internal static Optimizer Make(string name, Tensor[] ps) => name switch
    {
        "sgd.plain" => new Sgd(Groups(ps, new SgdOptions { LearningRate = 0.1 }, 0.03)),
        "sgd.momentum" => new Sgd(Groups(ps, new SgdOptions { LearningRate = 0.1, Momentum = 0.9, Dampening = 0.1 }, 0.03)),
        "sgd.nesterov_wd" => new Sgd(Groups(ps, new SgdOptions { LearningRate = 0.1, Momentum = 0.9, Nesterov = true, WeightDecay = 0.01 }, 0.03)),
        "adam.plain" => new Adam(Groups(ps, new AdamOptions { LearningRate = 0.01 }, 0.003)),
        "adam.wd" => new Adam(Groups(ps, new AdamOptions { LearningRate = 0.01, WeightDecay = 0.1 }, 0.003)),
        "adam.amsgrad" => new Adam(Groups(ps, new AdamOptions { LearningRate = 0.01, Amsgrad = true, Beta1 = 0.8, Beta2 = 0.99 }, 0.003)),
        "adamw.plain" => new AdamW(Groups(ps, new AdamWOptions { LearningRate = 0.01, WeightDecay = 0.05 }, 0.003)),
        "adamw.amsgrad" => new AdamW(Groups(ps, new AdamWOptions { LearningRate = 0.01, WeightDecay = 0.05, Amsgrad = true, Eps = 1e-6, Beta2 = 0.9 }, 0.003)),
        _ => throw new ArgumentException(name),
    };

    internal static ParamGroup[] Groups(Tensor[] ps, OptimizerOptions options, double secondLr) =>
        [new ParamGroup(ps[..2], options), new ParamGroup(ps[2..], options with { LearningRate = secondLr })];

    internal static Tensor[] InitialParams() =>
        Enumerable.Range(0, NumParams).Select(j => Golden.Load(Group)[$"optim.p{j}.init"].Clone().RequiresGrad_()).ToArray();

    internal static void FeedGrads(Tensor[] ps, int step)
    {
        var file = Golden.Load(Group);
        for (int j = 0; j < ps.Length; j++)
        {
            string key = $"optim.g{step}.p{j}";
            ps[j].Grad = file.Contains(key) ? file[key].Clone() : null;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrajectoryMatchesTorchOptimAfterEveryStep(string name)
    {
        var file = Golden.Load(Group);
        var ps = InitialParams();
        var opt = Make(name, ps);
        for (int s = 0; s < Steps; s++)
        {
            FeedGrads(ps, s);
            opt.Step();
            for (int j = 0; j < ps.Length; j++)
            {
                TensorAssert.Close(file[$"{name}.s{s}.p{j}"], ps[j], rtol: 1e-5, atol: 1e-6, $"{name} step {s} param {j}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ParameterWithoutGradientKeepsValueAndStepCount(string name)
    {
        var ps = InitialParams();
        var opt = Make(name, ps);
        for (int s = 0; s < Steps; s++)
        {
            FeedGrads(ps, s);
            var before = ps[2].ToArray();
            opt.Step();
            if (ps[2].Grad is null)
            {
                Assert.Equal(before, ps[2].ToArray());
            }
        }

        // Parameter 2 (group 1, index 0) missed one gradient.
        var steps = opt.StateDict().Groups[1].Steps;
        Assert.Equal([Steps - 1, Steps], steps);
    }
}
