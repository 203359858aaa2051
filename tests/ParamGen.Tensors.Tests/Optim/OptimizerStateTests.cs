using ParamGen.Tensors;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Tests.Optim;

/// <summary>Frozen groups, state dicts (round trip and validation), and allocation-free steps.</summary>
public class OptimizerStateTests
{
    private static Tensor[] Params(ulong seed) =>
        [Tensor.Randn([3, 5], new Generator(seed)), Tensor.Randn([5], new Generator(seed + 1)), Tensor.Randn([7], new Generator(seed + 2)), Tensor.Randn([2, 17], new Generator(seed + 3))];

    private static Tensor[][] GradSchedule(int steps) =>
        Enumerable.Range(0, steps).Select(s => Params(1000 + (10 * (ulong)s))).ToArray();

    private static void Feed(Tensor[] ps, Tensor[] grads)
    {
        for (int j = 0; j < ps.Length; j++)
        {
            ps[j].Grad = grads[j].Clone();
        }
    }

    public static TheoryData<string> Cases => new() { "sgd.nesterov_wd", "sgd.momentum", "adam.amsgrad", "adam.wd", "adamw.amsgrad" };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FiveStepsSavedLoadedAndFiveMoreEqualTenStepsBitwise(string name)
    {
        var grads = GradSchedule(10);

        // A live rate that differs from the group's base rate must survive the round trip.
        var straight = Params(1);
        var optStraight = OptimizerGoldenTests.Make(name, straight);
        optStraight.ParamGroups[1].LearningRate = 0.02;
        for (int s = 0; s < 10; s++)
        {
            Feed(straight, grads[s]);
            optStraight.Step();
        }

        var first = Params(1);
        var optFirst = OptimizerGoldenTests.Make(name, first);
        optFirst.ParamGroups[1].LearningRate = 0.02;
        for (int s = 0; s < 5; s++)
        {
            Feed(first, grads[s]);
            optFirst.Step();
        }

        // Through a file: safetensors buffers + JSON scalars.
        string path = Path.Combine(Path.GetTempPath(), $"pg-optim-{Guid.NewGuid():N}.safetensors");
        try
        {
            optFirst.StateDict().Save(path);
            var resumed = first.Select(p => p.Clone()).ToArray();
            var optResumed = OptimizerGoldenTests.Make(name, resumed);
            optResumed.LoadStateDict(OptimizerStateDict.Load(path));
            Assert.Equal(0.02, optResumed.ParamGroups[1].LearningRate);
            for (int s = 5; s < 10; s++)
            {
                Feed(resumed, grads[s]);
                optResumed.Step();
            }

            for (int j = 0; j < straight.Length; j++)
            {
                Assert.Equal(straight[j].ToArray(), resumed[j].ToArray());
            }

            AssertSameState(optStraight.StateDict(), optResumed.StateDict());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertSameState(OptimizerStateDict a, OptimizerStateDict b)
    {
        Assert.Equal(a.ScalarsToJson().ToJsonString(), b.ScalarsToJson().ToJsonString());
        Assert.Equal(a.Tensors.Keys.Order(), b.Tensors.Keys.Order());
        foreach (var (k, t) in a.Tensors)
        {
            Assert.Equal(t.ToArray(), b.Tensors[k].ToArray());
        }
    }

    [Fact]
    public void StateDictHoldsTorchKeyedBuffersAndIsASnapshot()
    {
        var ps = Params(3);
        var opt = OptimizerGoldenTests.Make("adam.amsgrad", ps);
        Feed(ps, GradSchedule(1)[0]);
        opt.Step();
        var sd = opt.StateDict();
        Assert.Equal(12, sd.Tensors.Count);
        Assert.Contains("state.1.1.max_exp_avg_sq", sd.Tensors.Keys);
        Assert.Equal(new Shape(2, 17), sd.Tensors["state.1.1.exp_avg"].Shape);
        var copy = sd.Tensors["state.0.0.exp_avg"].ToArray();
        opt.Step();
        Assert.Equal(copy, sd.Tensors["state.0.0.exp_avg"].ToArray());
        Assert.Equal([1L, 1L], sd.Groups[0].Steps);
        var json = sd.ScalarsToJson();
        Assert.Equal("Adam", (string)json["optimizer"]!);
        Assert.Equal(0.8, (double)json["groups"]![0]!["options"]!["beta1"]!);
    }

    [Fact]
    public void FrozenGroupStaysBitIdenticalAndGetsNoState()
    {
        var ps = Params(5);
        var opt = new AdamW(OptimizerGoldenTests.Groups(ps, new AdamWOptions { LearningRate = 0.01, WeightDecay = 0.5 }, 0.01));
        opt.ParamGroups[1].Frozen = true;
        var frozenBefore = ps[2..].Select(p => p.ToArray()).ToArray();
        var liveBefore = ps[0].ToArray();
        foreach (var grads in GradSchedule(3))
        {
            Feed(ps, grads);
            opt.Step();
        }

        // Decoupled weight decay would move these even without the gradient term.
        Assert.Equal(frozenBefore[0], ps[2].ToArray());
        Assert.Equal(frozenBefore[1], ps[3].ToArray());
        Assert.NotEqual(liveBefore, ps[0].ToArray());
        var sd = opt.StateDict();
        Assert.Equal([0L, 0L], sd.Groups[1].Steps);
        Assert.True(sd.Groups[1].Frozen);
        Assert.DoesNotContain(sd.Tensors.Keys, k => k.StartsWith("state.1.", StringComparison.Ordinal));
        Assert.Equal(4, sd.Tensors.Count);
    }

    [Fact]
    public void ZeroGradClearsEveryGroupIncludingFrozen()
    {
        var ps = Params(6);
        var opt = new Sgd(OptimizerGoldenTests.Groups(ps, new SgdOptions(), 0.1));
        opt.ParamGroups[0].Frozen = true;
        Feed(ps, GradSchedule(1)[0]);
        opt.ZeroGrad();
        Assert.All(ps, p => Assert.Null(p.Grad));
    }

    [Fact]
    public void StepAllocatesNothingAfterTheFirstStep()
    {
        var ps = Params(7);
        var opts = new Optimizer[]
        {
            OptimizerGoldenTests.Make("adam.amsgrad", ps),
            OptimizerGoldenTests.Make("adam.wd", Params(7)),
            OptimizerGoldenTests.Make("adamw.amsgrad", Params(7)),
            OptimizerGoldenTests.Make("sgd.nesterov_wd", Params(7)),
        };
        var grads = GradSchedule(1)[0];
        foreach (var opt in opts)
        {
            foreach (var g in opt.ParamGroups)
            {
                for (int j = 0; j < g.Parameters.Count; j++)
                {
                    g.Parameters[j].Grad = grads[(g == opt.ParamGroups[0] ? 0 : 2) + j];
                }
            }

            for (int i = 0; i < 3; i++)
            {
                opt.Step();
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++)
            {
                opt.Step();
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void GradientOfWrongShapeThrowsBeforeAnyParameterChanges()
    {
        var ps = Params(8);
        var opt = OptimizerGoldenTests.Make("adam.plain", ps);
        var before = ps.Select(p => p.ToArray()).ToArray();
        Feed(ps, GradSchedule(1)[0]);
        ps[3].Grad = Tensor.Zeros(17, 2);
        var e = Assert.Throws<ArgumentException>(() => opt.Step());
        Assert.Contains("[17, 2]", e.Message);
        Assert.Contains("[2, 17]", e.Message);
        for (int j = 0; j < ps.Length; j++)
        {
            Assert.Equal(before[j], ps[j].ToArray());
        }

        Assert.Empty(opt.StateDict().Tensors);
    }

    public static TheoryData<Func<OptimizerStateDict, OptimizerStateDict>, string> BadStates => new()
    {
        { s => new OptimizerStateDict("Sgd", s.Groups, s.Tensors), "Sgd" },
        { s => new OptimizerStateDict(s.Optimizer, s.Groups.Take(1).ToList(), s.Tensors), "1 parameter groups" },
        { s => new OptimizerStateDict(s.Optimizer, [s.Groups[0], s.Groups[1] with { ParameterShapes = [new Shape(7), new Shape(17, 2)] }], s.Tensors), "[17, 2]" },
        { s => new OptimizerStateDict(s.Optimizer, [s.Groups[0], s.Groups[1] with { ParameterShapes = [new Shape(7)], Steps = [1] }], s.Tensors), "1 parameters in the state but 2" },
        { s => new OptimizerStateDict(s.Optimizer, s.Groups, s.Tensors.Where(kv => kv.Key != "state.1.0.exp_avg_sq").ToDictionary()), "state.1.0.exp_avg_sq" },
        { s => new OptimizerStateDict(s.Optimizer, s.Groups, s.Tensors.Append(new("state.0.0.bogus", Tensor.Zeros(3, 5))).ToDictionary()), "state.0.0.bogus" },
        { s => new OptimizerStateDict(s.Optimizer, s.Groups, s.Tensors.Select(kv => kv.Key == "state.0.1.exp_avg" ? new KeyValuePair<string, Tensor>(kv.Key, Tensor.Zeros(6)) : kv).ToDictionary()), "[6]" },
        { s => new OptimizerStateDict(s.Optimizer, [s.Groups[0] with { Options = new AdamOptions { Beta2 = 1.0 } }, s.Groups[1]], s.Tensors), "Beta2" },
        { s => new OptimizerStateDict(s.Optimizer, [s.Groups[0] with { LearningRate = -1 }, s.Groups[1]], s.Tensors), "-1" },
        { s => new OptimizerStateDict(s.Optimizer, [s.Groups[0] with { Options = new SgdOptions() }, s.Groups[1]], s.Tensors), "SgdOptions" },
    };

    [Theory]
    [MemberData(nameof(BadStates))]
    public void LoadingAMismatchedStateThrowsNamingItAndChangesNothing(Func<OptimizerStateDict, OptimizerStateDict> corrupt, string named)
    {
        var source = Params(9);
        var optSource = OptimizerGoldenTests.Make("adam.wd", source);
        Feed(source, GradSchedule(1)[0]);
        optSource.Step();
        var bad = corrupt(optSource.StateDict());

        var target = Params(10);
        var opt = OptimizerGoldenTests.Make("adam.wd", target);
        Feed(target, GradSchedule(2)[1]);
        opt.Step();
        opt.ParamGroups[0].LearningRate = 0.5;
        var before = opt.StateDict();
        var e = Assert.Throws<ArgumentException>(() => opt.LoadStateDict(bad));
        Assert.Contains(named, e.Message);
        AssertSameState(before, opt.StateDict());
    }

    [Fact]
    public void MalformedJsonScalarsThrowInvalidDataNamingTheField()
    {
        var ps = Params(11);
        var opt = OptimizerGoldenTests.Make("sgd.momentum", ps);
        var json = opt.StateDict().ScalarsToJson();
        json["groups"]![0]!["options"]!.AsObject().Remove("momentum");
        var e = Assert.Throws<InvalidDataException>(() => OptimizerStateDict.FromJson(json, new Dictionary<string, Tensor>()));
        Assert.Contains("momentum", e.Message);
        json["optimizer"] = "Lion";
        e = Assert.Throws<InvalidDataException>(() => OptimizerStateDict.FromJson(json, new Dictionary<string, Tensor>()));
        Assert.Contains("Lion", e.Message);
    }
}
