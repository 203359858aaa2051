using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Finite-difference gradient checks of the core ops, including broadcasting and odd lengths.</summary>
public class CoreOpsGradCheckTests
{
    private static Tensor R(Generator g, params int[] shape) => Tensor.Randn(shape, g);

    /// <summary>Values at least <paramref name="margin"/> away from zero, for ops with a kink there.</summary>
    private static Tensor AwayFromZero(Generator g, float margin, params int[] shape)
    {
        var t = Tensor.Randn(shape, g);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = s[i] >= 0 ? s[i] + margin : s[i] - margin;
        }

        return t;
    }

    public static TheoryData<int[], int[]> BroadcastShapes => new()
    {
        { [3, 17], [3, 17] },
        { [4, 5, 19], [19] },
        { [4, 5, 19], [4, 5, 1] },
        { [2, 1, 7], [3, 1] },
        { [6, 33], [] },
        { [1], [5, 1, 3] },
    };

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void BinaryOpsHaveCorrectGradients(int[] sa, int[] sb)
    {
        var g = new Generator(1);
        var a = R(g, sa);
        var b = AwayFromZero(g, 0.5f, sb);
        GradCheck.Check(x => x[0] + x[1], [a, b]);
        GradCheck.Check(x => x[0] - x[1], [a, b]);
        GradCheck.Check(x => x[0] * x[1], [a, b]);
        GradCheck.Check(x => x[0] / x[1], [a, b]);
    }

    [Fact]
    public void MinMaxHaveCorrectGradientsAwayFromTies()
    {
        var g = new Generator(2);
        var a = R(g, 4, 9);
        var b = a.Detach() + AwayFromZero(g, 0.1f, 9);
        GradCheck.Check(x => x[0].Maximum(x[1]), [a, b]);
        GradCheck.Check(x => x[0].Minimum(x[1]), [a, b]);
    }

    [Fact]
    public void PowersHaveCorrectGradients()
    {
        var g = new Generator(3);
        var pos = Tensor.Rand([5, 7], g) + 0.5f;
        GradCheck.Check(x => x[0].Pow(x[1]), [pos, R(g, 7)]);
        GradCheck.Check(x => x[0].Pow(3f), [R(g, 4, 5)]);
        GradCheck.Check(x => x[0].Pow(-1.5f), [pos]);
        GradCheck.Check(x => x[0].Square(), [R(g, 4, 5)]);
    }

    [Fact]
    public void ScalarOpsHaveCorrectGradients()
    {
        var g = new Generator(4);
        GradCheck.Check(x => ((x[0] + 2f) * 3f) - 1f, [R(g, 3, 5)]);
        GradCheck.Check(x => 2f / x[0], [AwayFromZero(g, 0.5f, 3, 5)]);
        GradCheck.Check(x => 1f - x[0], [R(g, 3, 5)]);
    }

    public static TheoryData<string> Unary => new()
    {
        "exp", "log", "sqrt", "rsqrt", "abs", "neg", "clamp", "relu", "leaky_relu", "gelu", "gelu_tanh",
        "sigmoid", "tanh", "silu", "softplus",
    };

    [Theory]
    [MemberData(nameof(Unary))]
    public void UnaryOpsHaveCorrectGradients(string name)
    {
        var g = new Generator(5);
        var any = AwayFromZero(g, 0.05f, 3, 37);
        var pos = Tensor.Rand([3, 37], g) + 0.2f;
        (Func<Tensor, Tensor> f, Tensor x) = name switch
        {
            "exp" => ((Func<Tensor, Tensor>)(t => t.Exp()), any),
            "log" => (t => t.Log(), pos),
            "sqrt" => (t => t.Sqrt(), pos),
            "rsqrt" => (t => t.Rsqrt(), pos),
            "abs" => (t => t.Abs(), any),
            "neg" => (t => t.Neg(), any),
            "clamp" => (t => t.Clamp(-2f, 2f), any),
            "relu" => (t => t.Relu(), any),
            "leaky_relu" => (t => t.LeakyRelu(0.1f), any),
            "gelu" => (t => t.Gelu(), any),
            "gelu_tanh" => (t => t.Gelu(true), any),
            "sigmoid" => (t => t.Sigmoid(), any),
            "tanh" => (t => t.Tanh(), any),
            "silu" => (t => t.Silu(), any),
            "softplus" => (t => t.Softplus(), any),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        GradCheck.Check(xs => f(xs[0]), [x]);
    }

    [Fact]
    public void ReductionsHaveCorrectGradients()
    {
        var g = new Generator(6);
        var t = R(g, 3, 4, 5);
        GradCheck.Check(x => x[0].Sum(), [t]);
        GradCheck.Check(x => x[0].Sum(1), [t]);
        GradCheck.Check(x => x[0].Sum([0, 2], keepDim: true), [t]);
        GradCheck.Check(x => x[0].Mean(-1), [t]);
        GradCheck.Check(x => x[0].Expand(2, 3, 4, 5), [t]);
        GradCheck.Check(x => x[0].Reshape(12, 5).Unsqueeze(1).Flatten(), [t]);
    }

    public static TheoryData<int[], int[]> MatMulShapes => new()
    {
        { [13, 21], [21, 35] },
        { [3, 7, 21], [21, 9] },
        { [4, 6, 8], [4, 8, 3] },
        { [2, 1, 5, 8], [3, 8, 4] },
        { [8], [8, 3] },
        { [5, 8], [8] },
        { [19], [19] },
    };

    [Theory]
    [MemberData(nameof(MatMulShapes))]
    public void MatMulHasCorrectGradients(int[] sa, int[] sb)
    {
        var g = new Generator(7);
        GradCheck.Check(x => x[0].MatMul(x[1]), [R(g, sa), R(g, sb)]);
    }

    [Fact]
    public void LinearAndBmmHaveCorrectGradients()
    {
        var g = new Generator(8);
        GradCheck.Check(x => F.Linear(x[0], x[1], x[2]), [R(g, 2, 3, 20), R(g, 33, 20), R(g, 33)]);
        GradCheck.Check(x => x[0].Bmm(x[1]), [R(g, 5, 50, 16), R(g, 5, 16, 4)]);
    }
}
