using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using Xunit.Sdk;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Conv1d (stride, padding, dilation, groups), causal convolution and Pad1d.</summary>
public class ConvTests
{
    private const string Group = "seq";

    private static Tensor R(Generator g, params int[] shape) => Tensor.Randn(shape, g);

    [Fact]
    public void Conv1dMatchesTorch()
    {
        Golden.Run(Group, "conv.basic", x => F.Conv1d(x[0], x[1], x[2]));
        Golden.Run(Group, "conv.stride_pad", x => F.Conv1d(x[0], x[1], x[2], stride: 2, padding: 2));
        Golden.Run(Group, "conv.dilation", x => F.Conv1d(x[0], x[1], padding: 1, dilation: 3));
        Golden.Run(Group, "conv.groups", x => F.Conv1d(x[0], x[1], x[2], groups: 2));
        Golden.Run(Group, "conv.depthwise", x => F.Conv1d(x[0], x[1], x[2], stride: 3, padding: 1, groups: 4));
        Golden.Run(Group, "conv.k1", x => F.Conv1d(x[0], x[1]));
    }

    [Fact]
    public void CausalConv1dMatchesTorchLeftPaddedConv()
    {
        var xs = Golden.Run(Group, "conv.causal", x => F.CausalConv1d(x[0], x[1], x[2], dilation: 2));
        Assert.Equal(xs[0].Shape[2], F.CausalConv1d(xs[0], xs[1], xs[2], dilation: 2).Shape[2]);
        Golden.Run(Group, "conv.causal_k1", x => F.CausalConv1d(x[0], x[1]));
    }

    [Fact]
    public void Pad1dMatchesTorch() => Golden.Run(Group, "pad1d", x => F.Pad1d(x[0], 2, 3));

    public static TheoryData<int[], int[], int, int, int, int> GradCases => new()
    {
        // input, weight, stride, padding, dilation, groups
        { [2, 3, 17], [4, 3, 3], 1, 0, 1, 1 },
        { [1, 4, 33], [6, 2, 5], 2, 2, 1, 2 },
        { [3, 2, 7], [2, 2, 2], 3, 1, 2, 1 },
        { [2, 4, 9], [4, 1, 3], 1, 1, 1, 4 },
        { [1, 1, 1], [3, 1, 1], 1, 0, 1, 1 },
    };

    [Theory]
    [MemberData(nameof(GradCases))]
    public void Conv1dGradientsMatchFiniteDifferences(int[] xShape, int[] wShape, int stride, int padding, int dilation, int groups)
    {
        var g = new Generator(31);
        GradCheck.Check(
            x => F.Conv1d(x[0], x[1], x[2], stride, padding, dilation, groups),
            [R(g, xShape), R(g, wShape), R(g, wShape[0])]);
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 3)]
    [InlineData(4, 2)]
    public void CausalConv1dGradientsMatchFiniteDifferences(int dilation, int k)
    {
        var g = new Generator(32);
        GradCheck.Check(x => F.CausalConv1d(x[0], x[1], x[2], dilation), [R(g, 2, 3, 11), R(g, 5, 3, k), R(g, 5)]);
    }

    [Fact]
    public void Pad1dGradientMatchesFiniteDifferences()
    {
        var g = new Generator(33);
        GradCheck.Check(x => F.Pad1d(x[0], 1, 4), [R(g, 3, 7)]);
        GradCheck.Check(x => F.Pad1d(x[0], 0, 2), [R(g, 17)]);
    }

    [Fact]
    public void CausalConvOutputDoesNotSeeTheFuture()
    {
        var g = new Generator(34);
        var x = R(g, 1, 2, 10);
        var w = R(g, 3, 2, 3);
        var y = F.CausalConv1d(x, w, dilation: 2).ToArray();
        x[0, 1, 6] += 5f;
        var y2 = F.CausalConv1d(x, w, dilation: 2).ToArray();
        for (int c = 0; c < 3; c++)
        {
            for (int t = 0; t < 10; t++)
            {
                // Position 6 reaches outputs 6, 8 and 10 (taps at t, t-2, t-4).
                bool sees = t is 6 or 8;
                int i = (c * 10) + t;
                Assert.True(sees ? y[i] != y2[i] : y[i] == y2[i], $"channel {c}, time {t}");
            }
        }
    }

    [Fact]
    public void Im2ColMatchesTheWindowFormulaAndFoldIsItsAdjoint()
    {
        var g = new Generator(36);
        foreach (var (len, k, stride, padLeft, padRight, dilation) in new[]
        {
            (7, 3, 1, 0, 0, 1), (5, 3, 1, 4, 0, 2), (4, 2, 1, 6, 6, 1), (9, 4, 2, 3, 1, 3), (1, 1, 1, 0, 0, 1), (17, 5, 3, 2, 2, 2),
        })
        {
            const int B = 2, C = 3;
            int lOut = ((len + padLeft + padRight - (dilation * (k - 1)) - 1) / stride) + 1;
            int n = B * lOut;
            var x = Tensor.Randn([B, C, len], g).ToArray();
            var col = new float[C * k * n];
            Kernels.Im2Col.Unfold(x, col, B, C, len, k, lOut, stride, padLeft, dilation, 0, C);
            for (int b = 0; b < B; b++)
            {
                for (int c = 0; c < C; c++)
                {
                    for (int t = 0; t < k; t++)
                    {
                        for (int o = 0; o < lOut; o++)
                        {
                            int p = (o * stride) - padLeft + (t * dilation);
                            float expected = p >= 0 && p < len ? x[(((b * C) + c) * len) + p] : 0f;
                            Assert.Equal(expected, col[(((c * k) + t) * n) + (b * lOut) + o]);
                        }
                    }
                }
            }

            // <Unfold(x), y> = <x, Fold(y)> for a random y.
            var y = Tensor.Randn([C * k * n], g).ToArray();
            var folded = new float[x.Length];
            Kernels.Im2Col.Fold(y, folded, B, C, len, k, lOut, stride, padLeft, dilation, 0, B * C);
            double lhs = 0, rhs = 0;
            for (int i = 0; i < col.Length; i++)
            {
                lhs += (double)col[i] * y[i];
            }

            for (int i = 0; i < x.Length; i++)
            {
                rhs += (double)x[i] * folded[i];
            }

            Assert.Equal(lhs, rhs, 4);
        }
    }

    public static TheoryData<string> BadInputs => new() { "channels", "groups", "coutGroups", "bias", "rank", "tooShort", "stride", "padding" };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputThrowsNamingShapesAndLeavesInputsUnchanged(string what)
    {
        var g = new Generator(35);
        var x = R(g, 2, 4, 9);
        var w = R(g, 6, 4, 3);
        var before = x.ToArray();
        Exception e = what switch
        {
            "channels" => Assert.Throws<ArgumentException>(() => F.Conv1d(x, R(g, 6, 3, 3))),
            "groups" => Assert.Throws<ArgumentException>(() => F.Conv1d(x, R(g, 6, 2, 3), groups: 3)),
            "coutGroups" => Assert.Throws<ArgumentException>(() => F.Conv1d(x, R(g, 5, 2, 3), groups: 2)),
            "bias" => Assert.Throws<ArgumentException>(() => F.Conv1d(x, w, R(g, 5))),
            "rank" => Assert.Throws<ArgumentException>(() => F.CausalConv1d(R(g, 4, 9), w)),
            "tooShort" => Assert.Throws<ArgumentException>(() => F.Conv1d(x, w, dilation: 5)),
            "stride" => Assert.Throws<ArgumentOutOfRangeException>(() => F.Conv1d(x, w, stride: 0)),
            "padding" => Assert.Throws<ArgumentOutOfRangeException>(() => F.Pad1d(x, -1, 0)),
            _ => throw new XunitException(what),
        };
        Assert.Matches("^(Conv1d|CausalConv1d|Pad1d):", e.Message);
        if (what is "channels" or "groups" or "coutGroups" or "tooShort")
        {
            Assert.Contains(x.Shape.ToString(), e.Message);
        }
        else if (what == "rank")
        {
            Assert.Contains("[4, 9]", e.Message);
        }

        Assert.Equal(before, x.ToArray());
    }
}
