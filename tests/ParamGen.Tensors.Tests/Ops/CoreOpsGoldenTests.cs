using ParamGen.Tensors;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Core ops agree with PyTorch (float64 reference) on outputs and input gradients.</summary>
public class CoreOpsGoldenTests
{
    private const string Group = "core";

    public static TheoryData<string> BroadcastTags => new() { "same", "row", "col", "mixed", "scalar" };

    [Theory]
    [MemberData(nameof(BroadcastTags))]
    public void BroadcastingBinaryOpsMatchTorch(string tag)
    {
        Golden.Run(Group, $"add.{tag}", x => x[0] + x[1]);
        Golden.Run(Group, $"sub.{tag}", x => x[0] - x[1]);
        Golden.Run(Group, $"mul.{tag}", x => x[0] * x[1]);
        Golden.Run(Group, $"div.{tag}", x => x[0] / x[1]);
        Golden.Run(Group, $"maximum.{tag}", x => x[0].Maximum(x[1]));
        Golden.Run(Group, $"minimum.{tag}", x => x[0].Minimum(x[1]));
    }

    [Fact]
    public void TensorPowerMatchesTorch() => Golden.Run(Group, "pow.tensor", x => x[0].Pow(x[1]));

    [Fact]
    public void ScalarArithmeticMatchesTorch() =>
        Golden.Run(Group, "scalar.ops", x => ((x[0] + 1.5f) * 2.5f) - (0.75f / (x[0].Abs() + 1f)) + x[0].Pow(3f));

    public static TheoryData<string> UnaryCases => new()
    {
        "exp", "log", "sqrt", "rsqrt", "abs", "neg", "clamp", "relu", "leaky_relu", "gelu", "gelu_tanh",
        "sigmoid", "tanh", "silu", "softplus", "softplus_beta",
    };

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void UnaryOpMatchesTorch(string name)
    {
        Func<Tensor, Tensor> f = name switch
        {
            "exp" => t => t.Exp(),
            "log" => t => t.Log(),
            "sqrt" => t => t.Sqrt(),
            "rsqrt" => t => t.Rsqrt(),
            "abs" => t => t.Abs(),
            "neg" => t => t.Neg(),
            "clamp" => t => t.Clamp(-0.5f, 0.5f),
            "relu" => t => t.Relu(),
            "leaky_relu" => t => t.LeakyRelu(0.2f),
            "gelu" => t => t.Gelu(),
            "gelu_tanh" => t => t.Gelu(tanhApproximation: true),
            "sigmoid" => t => t.Sigmoid(),
            "tanh" => t => t.Tanh(),
            "silu" => t => t.Silu(),
            "softplus" => t => t.Softplus(),
            "softplus_beta" => t => t.Softplus(2f, 4f),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        Golden.Run(Group, name, x => f(x[0]));
    }

    [Fact]
    public void SumsAndMeansMatchTorch()
    {
        Golden.Run(Group, "sum.all", x => x[0].Sum());
        Golden.Run(Group, "sum.dim1", x => x[0].Sum(1));
        Golden.Run(Group, "sum.dims02keep", x => x[0].Sum([0, 2], keepDim: true));
        Golden.Run(Group, "mean.dimneg", x => x[0].Mean(-1));
        Golden.Run(Group, "mean.all", x => x[0].Mean());
    }

    [Theory]
    [InlineData("matmul.2d")]
    [InlineData("matmul.nd2d")]
    [InlineData("matmul.batched")]
    [InlineData("matmul.broadcast")]
    [InlineData("matmul.vec")]
    [InlineData("matmul.dot")]
    public void MatMulMatchesTorch(string name) => Golden.Run(Group, name, x => x[0].MatMul(x[1]));

    [Fact]
    public void PerSampleBmmMatchesTorch() => Golden.Run(Group, "bmm.persample", x => x[0].Bmm(x[1]));

    [Fact]
    public void LinearMatchesTorch()
    {
        Golden.Run(Group, "linear", x => F.Linear(x[0], x[1], x[2]));
        Golden.Run(Group, "linear.nobias", x => F.Linear(x[0], x[1]));
    }
}
