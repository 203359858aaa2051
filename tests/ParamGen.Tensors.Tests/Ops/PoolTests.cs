using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using Xunit.Sdk;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>MaxPool1d and AvgPool1d: PyTorch agreement, gradients, tie rule and bad input.</summary>
public class PoolTests
{
    private const string Group = "seq";

    [Fact]
    public void MaxPool1dMatchesTorch()
    {
        Golden.Run(Group, "maxpool.default", x => F.MaxPool1d(x[0], 3));
        Golden.Run(Group, "maxpool.pad", x => F.MaxPool1d(x[0], 3, padding: 1));
        Golden.Run(Group, "maxpool.overlap", x => F.MaxPool1d(x[0], 4, stride: 1, padding: 2));
        Golden.Run(Group, "maxpool.rank2", x => F.MaxPool1d(x[0], 2, stride: 2));
    }

    [Fact]
    public void AvgPool1dMatchesTorchCountingPadding()
    {
        Golden.Run(Group, "avgpool.default", x => F.AvgPool1d(x[0], 3));
        Golden.Run(Group, "avgpool.pad", x => F.AvgPool1d(x[0], 3, padding: 1));
        Golden.Run(Group, "avgpool.overlap", x => F.AvgPool1d(x[0], 4, stride: 1, padding: 2));
        Golden.Run(Group, "avgpool.rank2", x => F.AvgPool1d(x[0], 2, stride: 2));
    }

    /// <summary>Distinct values spaced 0.1 apart, shuffled, so no window has a near-tie within the step.</summary>
    private static Tensor Distinct(Generator g, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = i * 0.1f;
        }

        for (int i = s.Length - 1; i > 0; i--)
        {
            int j = g.NextInt(i + 1);
            (s[i], s[j]) = (s[j], s[i]);
        }

        return t;
    }

    [Theory]
    [InlineData(3, null, 0)]
    [InlineData(3, 1, 1)]
    [InlineData(4, 3, 2)]
    [InlineData(1, 1, 0)]
    public void PoolingGradientsMatchFiniteDifferences(int kernel, int? stride, int padding)
    {
        var g = new Generator(41);
        GradCheck.Check(x => F.MaxPool1d(x[0], kernel, stride, padding), [Distinct(g, 2, 3, 17)]);
        GradCheck.Check(x => F.AvgPool1d(x[0], kernel, stride, padding), [Tensor.Randn([2, 3, 17], g)]);
        GradCheck.Check(x => F.AvgPool1d(x[0], kernel, stride, padding), [Tensor.Randn([5, 7], g)]);
    }

    [Fact]
    public void MaxPoolGradientGoesToTheFirstMaximumOnTies()
    {
        var x = new Tensor([1f, 3f, 3f, 0f, 2f, 2f], 1, 1, 6).RequiresGrad_();
        var y = F.MaxPool1d(x, 3, stride: 1); // windows [1,3,3] [3,3,0] [3,0,2] [0,2,2]: arg-max positions 1, 1, 2, 4
        Assert.Equal([3f, 3f, 3f, 2f], y.ToArray());
        y.Sum().Backward();
        Assert.Equal([0f, 2f, 1f, 0f, 1f, 0f], x.Grad!.ToArray());
    }

    [Fact]
    public void AvgPoolDividesPaddedWindowsByTheKernelSize()
    {
        var x = new Tensor([3f, 6f, 9f], 1, 3);
        var y = F.AvgPool1d(x, 3, stride: 1, padding: 1);
        Assert.Equal([3f, 6f, 5f], y.ToArray());
    }

    public static TheoryData<string> BadInputs => new() { "rank", "kernel", "stride", "padding", "tooShort" };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputThrowsNamingTheProblemAndLeavesInputUnchanged(string what)
    {
        var x = Tensor.Randn([2, 3, 5], new Generator(42));
        var before = x.ToArray();
        foreach (var (name, pool) in new (string, Func<Tensor, int, int?, int, Tensor>)[] { ("MaxPool1d", (t, k, s, p) => F.MaxPool1d(t, k, s, p)), ("AvgPool1d", (t, k, s, p) => F.AvgPool1d(t, k, s, p)) })
        {
            Exception e = what switch
            {
                "rank" => Assert.Throws<ArgumentException>(() => pool(x.Reshape(30), 2, null, 0)),
                "kernel" => Assert.Throws<ArgumentOutOfRangeException>(() => pool(x, 0, null, 0)),
                "stride" => Assert.Throws<ArgumentOutOfRangeException>(() => pool(x, 2, 0, 0)),
                "padding" => Assert.Throws<ArgumentOutOfRangeException>(() => pool(x, 2, null, 2)),
                "tooShort" => Assert.Throws<ArgumentException>(() => pool(x, 6, null, 0)),
                _ => throw new XunitException(what),
            };
            Assert.StartsWith(name + ":", e.Message);
            if (what is "rank")
            {
                Assert.Contains("[30]", e.Message);
            }
            else if (what is "tooShort")
            {
                Assert.Contains("[2, 3, 5]", e.Message);
            }
        }

        Assert.Equal(before, x.ToArray());
    }
}
