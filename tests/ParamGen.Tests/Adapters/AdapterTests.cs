using ParamGen.Adapters;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.Adapters;

/// <summary>The three adapter kinds: static and generated weights agree, gradients reach what produced the weights.</summary>
public class AdapterTests
{
    private const int D = 6;

    public static TheoryData<string> Kinds => ["bottleneck", "dense", "dense-hidden", "lowrank"];

    private static Adapter Make(string kind, AdapterWeightSource source, ulong seed = 1) => kind switch
    {
        "bottleneck" => new BottleneckAdapter(D, 3, source, AdapterActivation.Gelu, generator: new Generator(seed)),
        "dense" => new DenseAdapter(D, source: source, generator: new Generator(seed)),
        "dense-hidden" => new DenseAdapter(D, [4, 5], source, AdapterActivation.Tanh, generator: new Generator(seed)),
        "lowrank" => new LowRankAdapter(D, 2, source, generator: new Generator(seed)),
        _ => throw new ArgumentException(kind),
    };

    /// <summary>A generated twin of a static adapter (same U, V for the low-rank kind).</summary>
    private static Adapter Twin(string kind, Adapter stat)
    {
        var gen = Make(kind, AdapterWeightSource.Generated);
        if (stat is LowRankAdapter s && gen is LowRankAdapter g)
        {
            g.U.CopyFrom(s.U);
            g.V.CopyFrom(s.V);
        }

        return gen;
    }

    private static (Tensor Y, Tensor Packed) RunGenerated(Adapter adapter, Tensor x, Tensor packed, int[]? rows = null)
    {
        var slots = new AdapterSlots();
        slots.Declare("s", D, "test");
        slots.Attach("s", adapter);
        return (slots.Apply("s", x, ParameterLayout.For(slots).Bind(packed, rows)), packed);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GeneratedWeightsEqualToTheStaticOnesGiveTheStaticOutput(string kind)
    {
        var stat = Make(kind, AdapterWeightSource.Static);

        // Move the static weights away from their near-identity start so every weight matters.
        var row = stat.ExportWeights().Select((v, i) => v + (0.3f * MathF.Sin(i))).ToArray();
        stat.ImportWeights(row);
        Assert.Equal(row, stat.ExportWeights());
        var gen = Twin(kind, stat);
        Assert.Equal(stat.WeightSpecs.Select(s => s.ToString()), gen.WeightSpecs.Select(s => s.ToString()));

        foreach (int[] shape in new[] { new[] { 4, 5, D }, new[] { 4, D } })
        {
            var x = Tensor.Randn(shape, new Generator(2));
            var packed = Tensor.FromSpan(Enumerable.Repeat(row, 4).SelectMany(r => r).ToArray(), 4, row.Length);
            var expected = stat.Forward(x, null).ToArray();
            var (actual, _) = RunGenerated(gen, x, packed);
            AdapterTestKit.Close(expected, actual.ToArray(), 1e-5, $"{kind} {string.Join("x", shape)}");
            Assert.Equal(x.Shape, actual.Shape);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ANewStaticResidualAdapterStartsCloseToTheIdentityButNotAtIt(string kind)
    {
        var x = Tensor.Randn([8, 5, D], new Generator(3));
        var y = Make(kind, AdapterWeightSource.Static).Forward(x, null);
        float maxMove = x.ToArray().Zip(y.ToArray(), (a, b) => MathF.Abs(a - b)).Max();
        Assert.InRange(maxMove, 1e-6f, 0.1f);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryStaticWeightGetsAGradient(string kind)
    {
        var adapter = Make(kind, AdapterWeightSource.Static);
        var x = Tensor.Randn([3, 4, D], new Generator(4)).RequiresGrad_();
        adapter.Forward(x, null).Square().Sum().Backward();
        Assert.NotNull(x.Grad);
        foreach (var (name, p) in adapter.NamedParameters())
        {
            Assert.True(p.Grad is not null && p.Grad.ToArray().Any(v => v != 0f), $"{kind}: parameter '{name}' got no gradient");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void RowIndexedWeightsEqualGatheringTheRowsFirst(string kind)
    {
        var adapter = Make(kind, AdapterWeightSource.Generated);
        int p = adapter.WeightCount;
        int[] rows = [2, 0, 2, 1, 0];
        var x = Tensor.Randn([5, 3, D], new Generator(5));
        var gy = Tensor.Randn([5, 3, D], new Generator(6));
        var groups = Tensor.Randn([3, p], new Generator(7)).Mul(0.4f).RequiresGrad_();
        var (byIndex, _) = RunGenerated(adapter, x, groups, rows);
        byIndex.Backward(gy);

        var groups2 = groups.Detach().Clone().RequiresGrad_();
        var gathered = groups2.IndexSelect(0, Tensor.FromInts(rows, 5)); // [B, P]
        var (byRows, _) = RunGenerated(adapter, x, gathered);
        byRows.Backward(gy);
        Assert.Equal(byRows.ToArray(), byIndex.ToArray());
        AdapterTestKit.Close(groups2.Grad!.ToArray(), groups.Grad!.ToArray(), 1e-5, $"{kind} gradient of the [G, P] rows");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GradientsReachAGeneratorsParametersThroughGeneratedWeights(string kind)
    {
        // A linear generator maps a per-sample context [B, 3] to the adapter's weights [B, P]; finite differences in double
        // on the generator's weight and bias must agree with autograd through the packed ops.
        var adapter = Make(kind, AdapterWeightSource.Generated);
        var generator = new Linear(3, adapter.WeightCount, generator: new Generator(8));
        var context = Tensor.Randn([2, 3], new Generator(9));
        var x = Tensor.Randn([2, 3, D], new Generator(10));
        var w = Tensor.Randn([2, 3, D], new Generator(11));
        Tensor Run() => RunGenerated(adapter, x, generator.Forward(context)).Y;
        Run().Mul(w).Sum().Backward();
        AdapterTestKit.CheckGradient(Run, generator.Weight, w);
        AdapterTestKit.CheckGradient(Run, generator.Bias!, w);
    }

    [Fact]
    public void LowRankCoreIsTheOnlyGeneratedWeightAndUvStayStatic()
    {
        var adapter = new LowRankAdapter(D, 2, AdapterWeightSource.Generated);
        Assert.Equal(["core [2, 2]", "bias [6]"], adapter.WeightSpecs.Select(s => s.ToString()));
        Assert.Equal(["u", "v"], adapter.NamedParameters().Select(p => p.Name));
        Assert.Equal(["core [2, 2]"], new LowRankAdapter(D, 2, AdapterWeightSource.Generated, bias: false).WeightSpecs.Select(s => s.ToString()));

        // U and V learn from the generated path too.
        var x = Tensor.Randn([2, D], new Generator(12));
        var (y, _) = RunGenerated(adapter, x, Tensor.Randn([2, 10], new Generator(13)));
        y.Square().Sum().Backward();
        Assert.NotNull(adapter.U.Grad);
        Assert.NotNull(adapter.V.Grad);
    }

    [Fact]
    public void StateKeysAreTheWeightNamesUnderTheSlot()
    {
        var model = new SlottedModel(D, new Generator(14));
        model.Slots.Attach("block0", new BottleneckAdapter(D, 2));
        model.Slots.Attach("user_state", new DenseAdapter(D, [3]));
        Assert.Equal(
            ["encoder.weight", "encoder.bias", "adapters.block0.down", "adapters.block0.down_bias", "adapters.block0.up", "adapters.block0.up_bias",
             "adapters.user_state.layer0", "adapters.user_state.layer0_bias", "adapters.user_state.layer1", "adapters.user_state.layer1_bias"],
            model.StateDict().Select(kv => kv.Key));
    }

    [Fact]
    public void ExportAndImportRefuseWhatDoesNotFit()
    {
        var gen = new BottleneckAdapter(D, 2, AdapterWeightSource.Generated);
        Assert.Contains("has no static weights", Assert.Throws<InvalidOperationException>(() => gen.ExportWeights()).Message);
        var stat = new BottleneckAdapter(D, 2);
        var before = stat.ExportWeights();
        Assert.Contains("takes 32 floats", Assert.Throws<ArgumentException>(() => stat.ImportWeights(new float[31])).Message);
        Assert.Equal(before, stat.ExportWeights());
        Assert.Throws<ArgumentOutOfRangeException>(() => new BottleneckAdapter(D, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DenseAdapter(D, [3, 0]));
    }

    [Fact]
    public void ViewOpsCheckTheirShapes()
    {
        var slots = new AdapterSlots();
        slots.Declare("s", D, "test");
        slots.Attach("s", new BottleneckAdapter(D, 2, AdapterWeightSource.Generated));
        var w = ParameterLayout.For(slots).Bind(Tensor.Zeros(3, 32)).ForSlot("s")!;
        Assert.Contains("do not fit per-sample weights [3 samples] x [6, 2]", Assert.Throws<ArgumentException>(() => w["down"].MatMul(Tensor.Zeros(3, 4, 5))).Message);
        Assert.Contains("A bias [6] does not fit a matrix [6, 2]", Assert.Throws<ArgumentException>(() => w["down"].MatMul(Tensor.Zeros(3, D), w["up_bias"])).Message);
        Assert.Contains("needs a matrix view", Assert.Throws<ArgumentException>(() => w["up_bias"].MatMul(Tensor.Zeros(3, D))).Message);
        Assert.Equal([3, D], w["up_bias"].AddTo(Tensor.Zeros(3, D)).Shape.ToArray());
        Assert.Contains("expected [3, L, n] or [3, n]", Assert.Throws<ArgumentException>(() => w["up_bias"].AddTo(Tensor.Zeros(2, D))).Message);
    }
}
