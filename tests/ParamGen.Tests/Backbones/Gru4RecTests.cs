using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tests.Backbones;

public class Gru4RecTests
{
    private static readonly Gru4RecOptions Small = new() { EmbeddingSize = 16, HiddenSize = 24, MaxLength = 8, Dropout = 0.1f };

    private static Gru4Rec Model(Gru4RecOptions? options = null, ulong seed = 1) => new(30, options ?? Small, new Generator(seed));

    [Fact]
    public void Encode_WithEmptySlots_EqualsTheModulesAppliedByHand()
    {
        var model = Model();
        model.Eval();
        var batch = BackboneTestKit.RandomBatch(30, 8, 3, 8, 2, 5);
        var (y, _) = model.Gru.Forward(F.Embedding(batch.ItemIds, model.ItemEmbedding.Weight, 0), null);
        Assert.Equal(model.Projection.Forward(y).ToArray(), model.Encode(batch).ToArray());
        Assert.Equal(16, model.HiddenSize);                                                 // the state width is the embedding width
        Assert.Equal(["gru_out", "user_state"], model.Slots.Names);
        Assert.Equal(24, model.Slots[Gru4Rec.GruOutputSlot].Width);
    }

    [Theory]
    [InlineData("gru_out", 24)]
    [InlineData("user_state", 16)]
    public void StaticAdapter_ChangesTheOutputAndLearns(string slot, int width)
    {
        var model = Model();
        model.Eval();
        var batch = BackboneTestKit.RandomBatch(30, 8, 4, 8, 3);
        float[] plain = model.Encode(batch).ToArray();
        var adapter = new ScaleShiftAdapter(width, AdapterWeightSource.Static);
        model.Slots.Attach(slot, adapter);
        var states = model.Encode(batch);
        Assert.NotEqual(plain, states.ToArray());
        F.LinearCrossEntropy(states, model.ItemEmbeddings, batch.Targets, ignoreIndex: 0).Backward();
        Assert.Contains(adapter.Scale.Grad!.ToArray(), v => v != 0);
        model.Slots.Detach(slot);
        Assert.Equal(plain, model.Encode(batch).ToArray());
    }

    [Fact]
    public void GeneratedWeights_WithARowIndex_ReachTheSharedRows()
    {
        var model = Model();
        model.Eval();
        model.Slots.Attach(Gru4Rec.GruOutputSlot, new ScaleShiftAdapter(24, AdapterWeightSource.Generated));
        var layout = ParameterLayout.For(model.Slots);
        var packed = (Tensor.Randn([2, layout.Size], new Generator(3)) * 0.2f + 1f).RequiresGrad_();   // [G = 2, P]: one row per domain
        var batch = BackboneTestKit.RandomBatch(30, 8, 5, 8, 4, 6);
        var weights = layout.Bind(packed, [1, 1, 1]);                                         // every sample uses row 1
        F.LinearCrossEntropy(model.Encode(batch, weights), model.ItemEmbeddings, batch.Targets, ignoreIndex: 0).Backward();
        var grad = packed.Grad!.ToArray();
        Assert.All(grad[..layout.Size], v => Assert.Equal(0f, v));                           // row 0 unused
        Assert.Contains(grad[layout.Size..], v => v != 0);
    }

    [Fact]
    public void EncodeLast_EqualsTheLastColumnOfEncode()
    {
        var model = Model(Small with { Layers = 2 });
        model.Slots.Attach(Gru4Rec.GruOutputSlot, new ScaleShiftAdapter(24, AdapterWeightSource.Static));
        model.Slots.Attach(Gru4Rec.UserStateSlot, new ScaleShiftAdapter(16, AdapterWeightSource.Static));
        model.Eval();
        var batch = BackboneTestKit.RandomBatch(30, 8, 6, 8, 1, 4);
        BackboneTestKit.AssertClose(model.Encode(batch).Select(1, 7).ToArray(), model.EncodeLast(batch).ToArray(), 1e-6f, "EncodeLast");
    }

    [Fact]
    public void StateDictKeys_AreStableDottedPaths_AndInitialisationFollowsTheOption()
    {
        Assert.Equal(["item_embedding.weight", "gru.weight_ih_l0", "gru.weight_hh_l0", "gru.bias_ih_l0", "gru.bias_hh_l0", "projection.weight", "projection.bias"],
            Model().StateDict().Select(kv => kv.Key));
        var untied = Model(Small with { TieOutputEmbeddings = false });                     // default: RecBole
        Assert.Equal("output_embedding.weight", untied.StateDict()[^1].Key);
        Assert.Same(untied.StateDict()[^1].Value, untied.ItemEmbeddings);
        float[] item = untied.ItemEmbedding.Weight.ToArray();
        Assert.All(item[..16], v => Assert.Equal(0f, v));
        double std = Math.Sqrt(item[16..].Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.15, 0.3);                                                     // xavier_normal of [31, 16]: sqrt(2 / 47) = 0.21
        Assert.InRange(Model(Small with { Initialization = BackboneInitialization.PyTorch }).Gru.WeightHh[0].ToArray().Max(Math.Abs), 0.15f, 1f / MathF.Sqrt(24));   // PyTorch: U(±1/sqrt(H))
    }

    [Fact]
    public void BadInput_IsRejectedWithClearMessages()
    {
        var model = Model();
        var tooWide = Assert.Throws<ArgumentException>(() => model.EncodeLast(BackboneTestKit.RandomBatch(30, 12, 1, 3)));
        Assert.Contains("Gru4Rec", tooWide.Message, StringComparison.Ordinal);
        var id = Assert.Throws<ArgumentException>(() => model.Encode(SequenceBatch.FromHistory([40], 8)));
        Assert.Contains("item id 40", id.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => model.Score(Tensor.Zeros(3, 24)));       // GRU width, not the state width
        Assert.Throws<ArgumentOutOfRangeException>(() => new Gru4Rec(5, new Gru4RecOptions { Layers = 0 }));
    }

    [Fact]
    public void EvaluationMode_IgnoresDropout()
    {
        var model = Model(Small with { Dropout = 0.5f });
        var batch = BackboneTestKit.RandomBatch(30, 8, 7, 8, 8);
        using var noGrad = Grad.NoGrad();
        Assert.NotEqual(model.Encode(batch).ToArray(), model.Encode(batch).ToArray());
        model.Eval();
        Assert.Equal(model.Encode(batch).ToArray(), model.Encode(batch).ToArray());
    }
}
