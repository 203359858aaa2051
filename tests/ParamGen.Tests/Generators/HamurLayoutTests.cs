using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Generators;
using ParamGen.Tensors;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.Generators;

/// <summary>Where HAMUR and the per-domain adapters go, what their parameter space looks like, and the errors of a bad setup.</summary>
public class HamurLayoutTests
{
    [Fact]
    public void HamurLayoutIsOneCorePerAdaptedSlotAndBindSlicesEachSlotsColumns()
    {
        var backbone = HamurTestKit.TinySasRec();
        var hamur = new HamurGenerator(backbone, HamurTestKit.TinyHamur(), 2, new Generator(2));
        Assert.Equal(["block0", "block1"], hamur.SlotNames);
        Assert.Equal(["block0.core [3, 3] @0", "block1.core [3, 3] @9"], hamur.Layout.Entries.Select(e => $"{e.Key} [{string.Join(", ", e.Shape)}] @{e.Offset}"));
        Assert.Equal(18, hamur.Layout.Size);
        Assert.True(backbone.Slots[SasRec.UserStateSlot].IsEmpty);

        var packed = Tensor.Arange(0, 3 * 18).Reshape(3, 18); // [B, P], value = column + 18 * row
        var bound = hamur.Layout.Bind(packed);
        for (int s = 0; s < 2; s++)
        {
            var core = bound.ForSlot(hamur.SlotNames[s])!["core"].Materialize(); // [B, 3, 3]
            Assert.Equal([3, 3, 3], core.Shape.ToArray());
            var expected = Enumerable.Range(0, 3).SelectMany(b => Enumerable.Range(0, 9).Select(j => (float)((18 * b) + (9 * s) + j)));
            Assert.Equal(expected, core.ToArray());
        }
    }

    [Fact]
    public void HamurGeneratesOneRowOfThePackedSpacePerSample()
    {
        var model = HamurTestKit.Tiny("hamur");
        var batch = HamurTestKit.MixedBatch();
        var packed = model.Generator.Generate(new GeneratorContext(batch, model.Backbone, 2));
        Assert.Equal([6, 18], packed.Shape.ToArray());
        Assert.Null(model.Generator.RowIndex(new GeneratorContext(batch, model.Backbone, 2)));
    }

    [Fact]
    public void DomainAdapterLayoutIsTheWholeCellAndTheTableHasOneRowPerDomain()
    {
        var backbone = HamurTestKit.TinySasRec();
        var generator = new DomainAdapterGenerator(backbone, new DomainAdapterOptions { Bottleneck = 4 }, 3, new Generator(2));
        string[] names = ["down [8, 4] @0", "down_bias [4] @32", "up [4, 8] @36", "up_bias [8] @68", "gamma [4] @76", "beta [4] @80"];
        Assert.Equal(names.Select(n => "block0." + n).Concat(names.Select(n => "block1." + Shift(n, 84))),
            generator.Layout.Entries.Select(e => $"{e.Key} [{string.Join(", ", e.Shape)}] @{e.Offset}"));
        Assert.Equal([3, 168], generator.Weights.Shape.ToArray());

        var batch = HamurTestKit.Batch(3, [2, 0, 1, 2]);
        var context = new GeneratorContext(batch, backbone, 3);
        Assert.Same(generator.Weights, generator.Generate(context));
        Assert.Equal([2, 0, 1, 2], generator.RowIndex(context)!);

        // Every domain starts from its own near-identity cell: gamma 1, beta and biases 0, small up-projection.
        var table = generator.Weights.AsReadOnlySpan();
        for (int d = 0; d < 3; d++)
        {
            var row = table.Slice(d * 168, 168);
            Assert.All(row.Slice(76, 4).ToArray(), v => Assert.Equal(1f, v));
            Assert.All(row.Slice(80, 4).ToArray().Concat(row.Slice(32, 4).ToArray()).Concat(row.Slice(68, 8).ToArray()), v => Assert.Equal(0f, v));
            Assert.InRange(row.Slice(36, 32).ToArray().Max(Math.Abs), 1e-4f, 0.06f);
        }

        Assert.NotEqual(table[..32].ToArray(), table.Slice(168, 32).ToArray());
    }

    [Fact]
    public void DefaultSlotsAreEveryBlockOrTheGruOutputOrTheOnlyUserState()
    {
        var sasrec = HamurTestKit.TinySasRec();
        Assert.Equal(["block0", "block1"], new HamurGenerator(sasrec, HamurTestKit.TinyHamur(), 2).SlotNames);

        var gru = new Gru4Rec(HamurTestKit.Items, new Gru4RecOptions { EmbeddingSize = 8, HiddenSize = 10, MaxLength = 5 }, new Generator(1));
        var onGru = new HamurGenerator(gru, HamurTestKit.TinyHamur(), 2);
        Assert.Equal([Gru4Rec.GruOutputSlot], onGru.SlotNames);
        Assert.Equal(10, onGru.Adapters[0].Width);
        Assert.Equal([2, 10, 3], onGru.Adapters[0].U1.Shape.ToArray());

        var noBlocks = HamurTestKit.TinySasRec(blocks: 0);
        Assert.Equal([SasRec.UserStateSlot], new DomainAdapterGenerator(noBlocks, new DomainAdapterOptions { Bottleneck = 4 }, 2).SlotNames);

        var chosen = HamurTestKit.TinySasRec();
        var onUserState = new HamurGenerator(chosen, HamurTestKit.TinyHamur() with { Slots = ["user_state", "block1"] }, 2);
        Assert.Equal(["block1", "user_state"], onUserState.SlotNames);
        Assert.True(chosen.Slots["block0"].IsEmpty);
    }

    [Theory]
    [MemberData(nameof(HamurTestKit.Kinds), MemberType = typeof(HamurTestKit))]
    public void UnknownSlotIsAClearErrorListingTheBackbonesSlotsAndAttachesNothing(string kind)
    {
        var backbone = HamurTestKit.TinySasRec();
        IReadOnlyList<string> slots = ["block0", "block7"];
        var e = Assert.Throws<ArgumentException>(() => Build(kind, backbone, slots));
        Assert.Contains("'block7'", e.Message, StringComparison.Ordinal);
        Assert.Contains("block0 (width 8), block1 (width 8), user_state (width 8)", e.Message, StringComparison.Ordinal);
        Assert.All(backbone.Slots.All, s => Assert.True(s.IsEmpty));

        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => Build(kind, backbone, ["block1", "block1"])).Message, StringComparison.Ordinal);
        backbone.Slots.Attach("block1", new BottleneckAdapter(8, 2));
        Assert.Contains("already holds a BottleneckAdapter", Assert.Throws<ArgumentException>(() => Build(kind, backbone, null)).Message, StringComparison.Ordinal);
        Assert.True(backbone.Slots["block0"].IsEmpty);
    }

    [Fact]
    public void AnotherGeneratorsSlotsAndBadOptionsAreRefusedBeforeAnythingIsAttached()
    {
        var backbone = HamurTestKit.TinySasRec();
        _ = new HamurGenerator(backbone, HamurTestKit.TinyHamur() with { Slots = ["block0"] }, 2);
        var e = Assert.Throws<ArgumentException>(() => new DomainAdapterGenerator(backbone, new DomainAdapterOptions { Slots = ["block1"] }, 2));
        Assert.Contains("slot 'block0' holds a generated HamurAdapter", e.Message, StringComparison.Ordinal);
        Assert.True(backbone.Slots["block1"].IsEmpty);

        var fresh = HamurTestKit.TinySasRec();
        Assert.Throws<ArgumentOutOfRangeException>(() => new HamurGenerator(fresh, new HamurOptions { CoreRank = 0 }, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HamurGenerator(fresh, new HamurOptions { HiddenSizes = [8, 0] }, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HamurGenerator(fresh, new HamurOptions { NormMomentum = 1.5f }, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HamurGenerator(fresh, null, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DomainAdapterGenerator(fresh, new DomainAdapterOptions { Bottleneck = 0 }, 2));
        Assert.All(fresh.Slots.All, s => Assert.True(s.IsEmpty));
    }

    [Fact]
    public void PerDomainFactorsHaveADomainDimensionAndSharedOnesDoNot()
    {
        var perDomain = new HamurGenerator(HamurTestKit.TinySasRec(), HamurTestKit.TinyHamur(), 3).Adapters[0];
        var shared = new HamurGenerator(HamurTestKit.TinySasRec(), HamurTestKit.TinyHamur(HamurFactors.Shared), 3).Adapters[0];
        Assert.Equal(["u1 [3, 8, 3]", "v1 [3, 3, 4]", "b1 [3, 4]", "u2 [3, 4, 3]", "v2 [3, 3, 8]", "b2 [3, 8]", "gamma [3, 4]", "beta [3, 4]"], Shapes(perDomain));
        Assert.Equal(["u1 [8, 3]", "v1 [3, 4]", "b1 [4]", "u2 [4, 3]", "v2 [3, 8]", "b2 [8]", "gamma [4]", "beta [4]"], Shapes(shared));
        Assert.Equal([3, 4], perDomain.RunningMean.Shape.ToArray());
        Assert.Equal([3, 4], shared.RunningVar.Shape.ToArray());
        Assert.Equal(
            ["norm.running_mean", "norm.running_var"],
            shared.StateDict().Select(kv => kv.Key).Where(k => k.StartsWith("norm.", StringComparison.Ordinal)));
    }

    private static string[] Shapes(HamurAdapter adapter) =>
        [.. adapter.NamedParameters(recurse: false).Select(p => $"{p.Name} [{string.Join(", ", p.Parameter.Shape.ToArray())}]")];

    private static string Shift(string entry, int by)
    {
        int at = entry.IndexOf('@', StringComparison.Ordinal);
        return entry[..(at + 1)] + (int.Parse(entry[(at + 1)..], System.Globalization.CultureInfo.InvariantCulture) + by).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static IParameterGenerator Build(string kind, SasRec backbone, IReadOnlyList<string>? slots) => kind == "hamur"
        ? new HamurGenerator(backbone, HamurTestKit.TinyHamur() with { Slots = slots }, 2)
        : new DomainAdapterGenerator(backbone, new DomainAdapterOptions { Bottleneck = 4, Slots = slots }, 2);
}
