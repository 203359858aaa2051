using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using Xunit.Sdk;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Fused scaled-dot-product attention: PyTorch agreement, gradients, masks, dropout and bad input.</summary>
public class AttentionTests
{
    private const string Group = "seq";

    private static Tensor R(Generator g, params int[] shape) => Tensor.Randn(shape, g);

    [Theory]
    [InlineData("attn.plain")]
    [InlineData("attn.rank3")]
    [InlineData("attn.rect_scale")]
    [InlineData("attn.causal")]
    [InlineData("attn.causal_rect")]
    public void AttentionMatchesTorch(string name)
    {
        bool causal = name.StartsWith("attn.causal", StringComparison.Ordinal);
        float? scale = name == "attn.rect_scale" ? 0.3f : null;
        Golden.Run(Group, name, x => F.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: causal, scale: scale));
    }

    [Fact]
    public void KeyPaddingMaskMatchesTorch()
    {
        var kpm = Golden.Aux(Golden.Load(Group), "attn.padding", 0);
        Golden.Run(Group, "attn.padding", x => F.ScaledDotProductAttention(x[0], x[1], x[2], keyPaddingMask: kpm));
    }

    [Fact]
    public void AdditiveMaskMatchesTorchIncludingItsGradient()
    {
        var xs = Golden.Run(Group, "attn.additive", x => F.ScaledDotProductAttention(x[0], x[1], x[2], attnMask: x[3]));
        Assert.NotNull(xs[3].Grad);
    }

    [Fact]
    public void BroadcastMinusInfinityMaskMatchesTorch()
    {
        var mask = Golden.Aux(Golden.Load(Group), "attn.additive_inf", 0);
        Assert.Contains(float.NegativeInfinity, mask.ToArray());
        Golden.Run(Group, "attn.additive_inf", x => F.ScaledDotProductAttention(x[0], x[1], x[2], attnMask: mask));
    }

    [Fact]
    public void FullyMaskedQueryRowsGiveZerosWhereTorchGivesNaN()
    {
        var file = Golden.Load(Group);
        const string Name = "attn.fully_masked";
        var xs = Golden.Inputs(file, Name);
        var kpm = Golden.Aux(file, Name, 0);
        var defined = Golden.Aux(file, Name, 1).ToArray(); // [B, H, Lq]
        var y = F.ScaledDotProductAttention(xs[0], xs[1], xs[2], keyPaddingMask: kpm, isCausal: true);

        var expected = file[$"{Name}.out0"].ToArray();
        var actual = y.ToArray();
        int dv = y.Shape[-1];
        int undefinedRows = 0;
        for (int row = 0; row < defined.Length; row++)
        {
            var e = expected.AsSpan(row * dv, dv);
            var a = actual.AsSpan(row * dv, dv);
            if (defined[row] != 0)
            {
                TensorAssert.Close(e, a, 1e-4, 1e-5, $"defined row {row}");
            }
            else
            {
                undefinedRows++;
                Assert.All(e.ToArray(), v => Assert.True(float.IsNaN(v), "PyTorch is expected to give NaN here"));
                Assert.All(a.ToArray(), v => Assert.Equal(0f, v));
            }
        }

        Assert.Equal(4, undefinedRows); // batch row 1, both heads, queries 0 and 1
        y.Mul(file[$"{Name}.gout0"]).Sum().Backward();
        for (int i = 0; i < 3; i++)
        {
            Assert.DoesNotContain(xs[i].Grad!.ToArray(), float.IsNaN);
            TensorAssert.Close(file[$"{Name}.grad{i}"], xs[i].Grad!, 1e-4, 1e-5, $"grad of input {i}");
        }
    }

    public static TheoryData<int[], int[], int[]> GradShapes => new()
    {
        { [2, 3, 5, 7], [2, 3, 5, 7], [2, 3, 5, 7] },
        { [1, 1, 1, 4], [1, 1, 17, 4], [1, 1, 17, 3] },
        { [3, 9, 17], [3, 7, 17], [3, 7, 1] },
        { [4, 33], [6, 33], [6, 2] },
    };

    [Theory]
    [MemberData(nameof(GradShapes))]
    public void GradientsMatchFiniteDifferences(int[] qs, int[] ks, int[] vs)
    {
        var g = new Generator(11);
        GradCheck.Check(x => F.ScaledDotProductAttention(x[0], x[1], x[2]), [R(g, qs), R(g, ks), R(g, vs)]);
        GradCheck.Check(x => F.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: true, scale: 0.7f), [R(g, qs), R(g, ks), R(g, vs)]);
    }

    [Fact]
    public void MaskedGradientsMatchFiniteDifferences()
    {
        var g = new Generator(12);
        var kpm = Tensor.FromInts([0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0], 2, 7);
        var bias = R(g, 1, 3, 5, 7); // broadcast over the batch, learned per head
        GradCheck.Check(
            x => F.ScaledDotProductAttention(x[0], x[1], x[2], attnMask: x[3], keyPaddingMask: kpm, isCausal: true),
            [R(g, 2, 3, 5, 9), R(g, 2, 3, 7, 9), R(g, 2, 3, 7, 4), bias]);
        GradCheck.Check(x => F.ScaledDotProductAttention(x[0], x[1], x[2], attnMask: x[3]), [R(g, 2, 5, 6), R(g, 2, 7, 6), R(g, 2, 7, 6), R(g, 5, 1)]);
    }

    [Fact]
    public void DropoutGradientsMatchFiniteDifferencesWithAFixedSeed()
    {
        var g = new Generator(13);
        GradCheck.Check(
            x => F.ScaledDotProductAttention(x[0], x[1], x[2], dropoutP: 0.3f, generator: new Generator(5)),
            [R(g, 2, 2, 6, 5), R(g, 2, 2, 6, 5), R(g, 2, 2, 6, 3)]);
    }

    [Fact]
    public void DropoutZeroesWeightsAndRescalesTheRest()
    {
        var g = new Generator(14);
        // Values = identity, so the output rows are the (dropped, rescaled) attention weights themselves.
        var q = R(g, 1, 1, 64, 4);
        var k = R(g, 1, 1, 8, 4);
        var v = Tensor.Eye(8).Reshape(1, 1, 8, 8);
        var plain = F.ScaledDotProductAttention(q, k, v).ToArray();
        var dropped = F.ScaledDotProductAttention(q, k, v, dropoutP: 0.25f, generator: new Generator(3)).ToArray();
        var again = F.ScaledDotProductAttention(q, k, v, dropoutP: 0.25f, generator: new Generator(3)).ToArray();
        Assert.Equal(dropped, again);
        int zeros = 0;
        for (int i = 0; i < plain.Length; i++)
        {
            if (dropped[i] == 0f)
            {
                zeros++;
            }
            else
            {
                Assert.Equal(plain[i] / 0.75f, dropped[i], 5);
            }
        }

        // 512 weights at p = 0.25: 128 expected, and far outside [80, 180] would mean a broken mask.
        Assert.InRange(zeros, 80, 180);
        Assert.Equal(plain, F.ScaledDotProductAttention(q, k, v, dropoutP: 0f, generator: new Generator(3)).ToArray());
    }

    [Fact]
    public void CausalAttentionIgnoresFutureKeys()
    {
        var g = new Generator(15);
        var q = R(g, 1, 2, 5, 4);
        var k = R(g, 1, 2, 5, 4);
        var v = R(g, 1, 2, 5, 3);
        var y = F.ScaledDotProductAttention(q, k, v, isCausal: true).ToArray();
        k.Span[(1 * 5 * 4) + (4 * 4)] += 10f; // head 1, key 4: only the last query sees it
        v.Span[(1 * 5 * 3) + (4 * 3)] += 10f;
        var y2 = F.ScaledDotProductAttention(q, k, v, isCausal: true).ToArray();
        for (int i = 0; i < y.Length; i++)
        {
            bool lastQueryOfHead1 = i >= (1 * 5 * 3) + (4 * 3);
            Assert.True(lastQueryOfHead1 ? y[i] != y2[i] : y[i] == y2[i], $"element {i}");
        }
    }

    public static TheoryData<string> BadInputs => new()
    {
        "feature", "length", "rank", "leading", "mask", "padding", "dropout", "nokeys",
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputThrowsNamingTheShapesAndLeavesInputsUnchanged(string what)
    {
        var g = new Generator(17);
        var q = R(g, 2, 3, 5, 8);
        var k = R(g, 2, 3, 6, 8);
        var v = R(g, 2, 3, 6, 4);
        var before = q.ToArray();
        Exception e = what switch
        {
            "feature" => Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q, R(g, 2, 3, 6, 7), v)),
            "length" => Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q, k, R(g, 2, 3, 5, 4))),
            "rank" => Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q, R(g, 3, 6, 8), v)),
            "leading" => Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q, R(g, 2, 2, 6, 8), v)),
            "mask" => Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q, k, v, attnMask: R(g, 5, 5))),
            "padding" => Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q, k, v, keyPaddingMask: Tensor.Zeros(2, 5))),
            "dropout" => Assert.Throws<ArgumentOutOfRangeException>(() => F.ScaledDotProductAttention(q, k, v, dropoutP: 1.5f)),
            "nokeys" => Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q, Tensor.Zeros(2, 3, 0, 8), Tensor.Zeros(2, 3, 0, 4))),
            _ => throw new XunitException(what),
        };
        Assert.Contains("ScaledDotProductAttention", e.Message);
        if (what is "feature" or "length" or "leading" or "mask" or "padding")
        {
            Assert.Contains("[", e.Message);
        }

        Assert.Equal(before, q.ToArray());
    }
}

/// <summary>Tests that change <see cref="Engine.NumThreads"/>, which is process-wide: run alone, never beside other tests.</summary>
[CollectionDefinition("Attention thread count", DisableParallelization = true)]
public class AttentionThreadCountCollection;

/// <summary>Attention's work split over (batch, head) pairs must not change any bit of the result.</summary>
[Collection("Attention thread count")]
public class AttentionThreadCountTests
{
    [Fact]
    public void ResultDoesNotDependOnThreadCount()
    {
        var g = new Generator(16);
        var q = Tensor.Randn([4, 4, 33, 16], g);
        var k = Tensor.Randn([4, 4, 33, 16], g);
        var v = Tensor.Randn([4, 4, 33, 16], g);
        int saved = Engine.NumThreads;
        try
        {
            Engine.NumThreads = 1;
            var one = F.ScaledDotProductAttention(q, k, v, isCausal: true).ToArray();
            Engine.NumThreads = 4;
            var four = F.ScaledDotProductAttention(q, k, v, isCausal: true).ToArray();
            Assert.Equal(one, four);
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }
}
