using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Optim;

namespace ParamGen.Tensors.Tests.Optim;

/// <summary>Options and groups are validated when an optimizer receives them; errors name the bad value.</summary>
public class OptimizerOptionsTests
{
    public static TheoryData<Func<Tensor[], Optimizer>, string, string> BadOptions => new()
    {
        { ps => new Sgd(ps, new SgdOptions { LearningRate = 0 }), "LearningRate", "0" },
        { ps => new Sgd(ps, new SgdOptions { LearningRate = -0.5 }), "LearningRate", "-0.5" },
        { ps => new Adam(ps, new AdamOptions { LearningRate = double.NaN }), "LearningRate", "NaN" },
        { ps => new Adam(ps, new AdamOptions { LearningRate = double.PositiveInfinity }), "LearningRate", "Infinity" },
        { ps => new Adam(ps, new AdamOptions { Beta1 = 1.0 }), "Beta1", "1" },
        { ps => new Adam(ps, new AdamOptions { Beta1 = -0.1 }), "Beta1", "-0.1" },
        { ps => new AdamW(ps, new AdamWOptions { Beta2 = 1.5 }), "Beta2", "1.5" },
        { ps => new AdamW(ps, new AdamWOptions { Eps = 0 }), "Eps", "0" },
        { ps => new AdamW(ps, new AdamWOptions { WeightDecay = -0.01 }), "WeightDecay", "-0.01" },
        { ps => new Sgd(ps, new SgdOptions { Momentum = -0.9 }), "Momentum", "-0.9" },
        { ps => new Sgd(ps, new SgdOptions { Dampening = double.NaN }), "Dampening", "NaN" },
        { ps => new Sgd([new ParamGroup(ps, new SgdOptions { LearningRate = -2 })]), "LearningRate", "-2" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void InvalidValueThrowsNamingPropertyAndValue(Func<Tensor[], Optimizer> make, string property, string value)
    {
        var ps = new[] { Tensor.Ones(3) };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => make(ps));
        Assert.Equal(property, e.ParamName);
        Assert.Contains($"{property} = {value}", e.Message);
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.9, 0.1)]
    public void NesterovNeedsMomentumAndNoDampening(double momentum, double dampening)
    {
        var e = Assert.Throws<ArgumentException>(() => new Sgd([Tensor.Ones(3)], new SgdOptions { Momentum = momentum, Dampening = dampening, Nesterov = true }));
        Assert.Contains("Nesterov", e.Message);
        Assert.Contains($"Dampening = {dampening}", e.Message);
    }

    [Fact]
    public void GroupOptionsOfAnotherOptimizerAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sgd([new ParamGroup([Tensor.Ones(2)], new AdamOptions())]));
        Assert.Contains("SgdOptions", e.Message);
        Assert.Contains("AdamOptions", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Adam([new ParamGroup([Tensor.Ones(2)], new AdamWOptions())]));
        Assert.Contains("AdamWOptions", e.Message);
    }

    [Fact]
    public void AParameterInTwoGroupsIsRejected()
    {
        var p = new Parameter(Tensor.Ones(4)) { Name = "shared.weight" };
        var e = Assert.Throws<ArgumentException>(() => new Adam([new ParamGroup([p]), new ParamGroup([Tensor.Ones(1), p])]));
        Assert.Contains("'shared.weight'", e.Message);
        Assert.Contains("group 1", e.Message);

        var opt = new Adam([p]);
        e = Assert.Throws<ArgumentException>(() => opt.AddParamGroup(new ParamGroup([p])));
        Assert.Contains("another parameter group", e.Message);
        Assert.Single(opt.ParamGroups);
    }

    [Fact]
    public void NonLeafAndRepeatedParametersAreRejected()
    {
        var leaf = Tensor.Ones(3).RequiresGrad_();
        var e = Assert.Throws<ArgumentException>(() => new ParamGroup([leaf.Mul(2f)]));
        Assert.Contains("not a leaf", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ParamGroup([leaf, leaf]));
        Assert.Contains("twice", e.Message);
    }

    [Fact]
    public void AGroupCannotJoinTwoOptimizers()
    {
        var g = new ParamGroup([Tensor.Ones(3)]);
        _ = new Sgd([g]);
        var e = Assert.Throws<ArgumentException>(() => new Sgd([g]));
        Assert.Contains("already belongs", e.Message);
    }

    [Fact]
    public void GroupsWithoutOptionsTakeTheDefaultsAndAddedGroupsWork()
    {
        var opt = new Adam([new ParamGroup([Tensor.Ones(3)])], new AdamOptions { LearningRate = 0.05, Beta1 = 0.5 });
        Assert.Equal(0.05, opt.ParamGroups[0].LearningRate);
        Assert.Equal(0.5, ((AdamOptions)opt.ParamGroups[0].Options).Beta1);
        opt.AddParamGroup(new ParamGroup([Tensor.Ones(2)], new AdamOptions { LearningRate = 0.2 }));
        Assert.Equal(0.2, opt.ParamGroups[1].LearningRate);
        Assert.Equal(0.01, new AdamW([Tensor.Ones(1)]).ParamGroups[0].Options.WeightDecay);
        Assert.Throws<InvalidOperationException>(() => new ParamGroup([Tensor.Ones(1)]).Options);
    }

    [Fact]
    public void LiveLearningRateRejectsNegativeValues()
    {
        var opt = new Sgd([Tensor.Ones(3)], new SgdOptions { LearningRate = 0.1 });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => opt.ParamGroups[0].LearningRate = -1e-3);
        Assert.Contains("-0.001", e.Message);
        Assert.Equal(0.1, opt.ParamGroups[0].LearningRate);
        opt.ParamGroups[0].LearningRate = 0; // a schedule may reach zero
        Assert.Equal(0, opt.ParamGroups[0].LearningRate);
    }
}
