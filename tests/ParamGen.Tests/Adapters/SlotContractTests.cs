using ParamGen.Adapters;
using ParamGen.Tensors;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.Adapters;

/// <summary>The slot and layout contract: empty slots are identities, layouts slice packed rows into views without copying.</summary>
public class SlotContractTests
{
    [Fact]
    public void AnEmptySlotReturnsTheSameTensorObject()
    {
        var slots = new AdapterSlots();
        slots.Declare("user_state", 4, "test");
        var x = Tensor.Randn([2, 3, 4], new Generator(1));
        Assert.Same(x, slots.Apply("user_state", x));
        var weights = ParameterLayout.For(slots).Bind(Tensor.Zeros(2, 0));
        Assert.Same(x, slots.Apply("user_state", x, weights));

        // Emptied again after an adapter was attached: identity again.
        slots.Attach("user_state", new BottleneckAdapter(4, 2));
        Assert.NotSame(x, slots.Apply("user_state", x));
        slots.Detach("user_state");
        Assert.Same(x, slots.Apply("user_state", x));
    }

    /// <summary>
    /// block0: generated bottleneck d 2, r 1; mid: static (not in the layout); user_state: generated low-rank d 2, k 1.
    /// P = (2 + 1 + 2 + 2) + (1 + 2) = 10.
    /// </summary>
    private static AdapterSlots HandMadeSlots()
    {
        var slots = new AdapterSlots();
        slots.Declare("block0", 2, "first");
        slots.Declare("mid", 2, "static");
        slots.Declare("user_state", 2, "last");
        slots.Attach("block0", new BottleneckAdapter(2, 1, AdapterWeightSource.Generated, AdapterActivation.Identity));
        slots.Attach("mid", new DenseAdapter(2));
        slots.Attach("user_state", new LowRankAdapter(2, 1, AdapterWeightSource.Generated));
        return slots;
    }

    /// <summary>Row r, column c holds 100 r + c.</summary>
    private static Tensor Numbered(int rows, int p) =>
        Tensor.FromSpan(Enumerable.Range(0, rows * p).Select(i => (100f * (i / p)) + (i % p)).ToArray(), rows, p);

    [Fact]
    public void TheLayoutPlacesEveryGeneratedWeightAtItsOffset()
    {
        var layout = ParameterLayout.For(HandMadeSlots());
        Assert.Equal(10, layout.Size);
        Assert.Equal(["block0", "user_state"], layout.Slots);
        Assert.Equal(
            ["block0.down@0[2,1]", "block0.down_bias@2[1]", "block0.up@3[1,2]", "block0.up_bias@5[2]", "user_state.core@7[1,1]", "user_state.bias@8[2]"],
            layout.Entries.Select(e => $"{e.Key}@{e.Offset}[{string.Join(",", e.Shape)}]"));
        Assert.Equal(8, layout["user_state", "bias"].Offset);
        Assert.Contains("block0.down, block0.down_bias", Assert.Throws<KeyNotFoundException>(() => layout["mid", "layer0"]).Message);
    }

    [Fact]
    public void BindSlicesAPackedTensorIntoPerSlotViewsOfItsOwnNumbers()
    {
        var layout = ParameterLayout.For(HandMadeSlots());
        var packed = Numbered(3, 10);
        var bound = layout.Bind(packed);
        Assert.Same(packed, bound.Packed);
        Assert.Null(bound.ForSlot("mid"));
        var up = bound.ForSlot("block0")!["up"];
        Assert.Same(packed, up.Packed);
        Assert.Equal([3f, 4f, 103f, 104f, 203f, 204f], up.Materialize().ToArray());
        Assert.Equal([3, 1, 2], up.Materialize().Shape.ToArray());
        Assert.Equal([8f, 9f, 108f, 109f, 208f, 209f], bound.ForSlot("user_state")!["bias"].Materialize().ToArray());

        // A row per group: samples 0..3 use rows 2, 0, 2, 1.
        var byGroup = layout.Bind(packed, [2, 0, 2, 1]);
        Assert.Equal(4, byGroup.Rows);
        Assert.Equal([207f, 7f, 207f, 107f], byGroup.ForSlot("user_state")!["core"].Materialize().ToArray());
    }

    [Fact]
    public void GeneratedWeightsAreReadInPlaceNotCopied()
    {
        var slots = HandMadeSlots();
        var layout = ParameterLayout.For(slots);
        var packed = Tensor.Randn([3, layout.Size], new Generator(2)).Mul(0.5f);
        var x = Tensor.Randn([3, 4, 2], new Generator(3));
        var bound = layout.Bind(packed);
        var before = slots.Apply("block0", x, bound).ToArray();

        // Change sample 1's up_bias in the generator output: sample 1's states move, the others do not.
        packed[1, layout["block0", "up_bias"].Offset] += 1f;
        var after = slots.Apply("block0", x, bound).ToArray();
        int perSample = 4 * 2;
        Assert.Equal(before[..perSample], after[..perSample]);
        Assert.Equal(before[(2 * perSample)..], after[(2 * perSample)..]);
        for (int t = 0; t < 4; t++)
        {
            Assert.Equal(before[perSample + (t * 2)] + 1f, after[perSample + (t * 2)], 5);
        }
    }

    [Fact]
    public void AHandComputedBottleneckOverHandMadeWeights()
    {
        // y = x + (x down + down_bias) up + up_bias, identity activation, d 2, r 1, sample 0 = row 0, sample 1 = row 1.
        var slots = HandMadeSlots();
        var layout = ParameterLayout.For(slots);
        float[] row0 = [1, 2, 0.5f, 3, -1, 10, 20, 0, 0, 0];
        float[] row1 = [0, 1, 0, 1, 1, 0, 0, 0, 0, 0];
        var packed = Tensor.FromSpan([.. row0, .. row1], 2, 10);
        var x = Tensor.FromSpan([1f, 1f, 2f, -3f], 2, 2);
        var y = slots.Apply("block0", x, layout.Bind(packed)).ToArray();

        // sample 0: h = 1*1 + 1*2 + 0.5 = 3.5; y = [1 + 3.5*3 + 10, 1 + 3.5*(-1) + 20] = [21.5, 17.5]
        // sample 1: h = 2*0 + (-3)*1 + 0 = -3; y = [2 + (-3)*1 + 0, -3 + (-3)*1 + 0] = [-1, -6]
        Assert.Equal([21.5f, 17.5f, -1f, -6f], y);
    }

    [Fact]
    public void LayoutMismatchesAreReportedByShapeAndSlot()
    {
        var slots = HandMadeSlots();
        var layout = ParameterLayout.For(slots);
        var x = Tensor.Randn([3, 2], new Generator(4));
        Assert.Contains("expected [N, 10]", Assert.Throws<ArgumentException>(() => layout.Bind(Tensor.Zeros(3, 9))).Message);
        Assert.Contains("Row index 3 of sample 1", Assert.Throws<ArgumentException>(() => layout.Bind(Tensor.Zeros(3, 10), [0, 3])).Message);
        Assert.Contains("serve 2 samples but the states [3, 2] hold 3", Assert.Throws<ArgumentException>(() => slots.Apply("block0", x, layout.Bind(Tensor.Zeros(2, 10)))).Message);
        Assert.Contains("no generated weights were passed", Assert.Throws<ArgumentException>(() => slots.Apply("block0", x)).Message);

        // A layout built before the adapter in block0 was replaced no longer fits it.
        slots.Attach("block0", new BottleneckAdapter(2, 2, AdapterWeightSource.Generated));
        var stale = layout.Bind(Tensor.Zeros(3, 10));
        Assert.Contains("do not match BottleneckAdapter (width 2, Generated)", Assert.Throws<ArgumentException>(() => slots.Apply("block0", x, stale)).Message);
        Assert.Contains("maps states [B, L, 2] or [B, 2]; got [3, 5]", Assert.Throws<ArgumentException>(() => slots.Apply("mid", Tensor.Zeros(3, 5))).Message);
    }
}
