using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tests.Backbones;

public class SasRecTests
{
    private static readonly SasRecOptions Small = new() { HiddenSize = 16, Blocks = 2, Heads = 2, FeedForwardSize = 32, MaxLength = 8, Dropout = 0.1f };

    private static SasRec Model(SasRecOptions? options = null, ulong seed = 1) => new(30, options ?? Small, new Generator(seed));

    [Fact]
    public void Encode_WithEmptySlots_EqualsTheModulesAppliedByHand()
    {
        // The plain forward with no slot anywhere: item + right-aligned positions, input norm, blocks, final norm.
        var model = Model();
        model.Eval();
        var batch = BackboneTestKit.RandomBatch(30, 6, 3, 6, 2, 4);                         // L = 6 < MaxLength 8
        var ids = batch.ItemIds;
        var x = F.Embedding(ids, model.ItemEmbedding.Weight, 0) + model.PositionEmbedding.Weight.Narrow(0, 2, 6);
        x = model.InputNorm.Forward(x);
        foreach (var block in model.Blocks)
        {
            x = block.Forward(x, srcKeyPaddingMask: ids.Eq(0f), isCausal: true);
        }

        x = model.FinalNorm!.Forward(x);
        Assert.Equal(x.ToArray(), model.Encode(batch).ToArray());                           // bitwise: empty slots add nothing
    }

    [Fact]
    public void AttachThenDetach_GivesBitwiseTheOriginalOutput()
    {
        var model = Model();
        model.Eval();
        var batch = BackboneTestKit.RandomBatch(30, 8, 4, 8, 3, 1);
        float[] before = model.Encode(batch).ToArray();
        model.Slots.Attach("block0", new ScaleShiftAdapter(16, AdapterWeightSource.Static));
        float[] with = model.Encode(batch).ToArray();
        model.Slots.Detach("block0");
        Assert.NotEqual(before, with);
        Assert.Equal(before, model.Encode(batch).ToArray());
    }

    [Theory]
    [InlineData("block0")]
    [InlineData("block1")]
    [InlineData("user_state")]
    public void StaticAdapter_ChangesTheOutputAndLearns(string slot)
    {
        var model = Model();
        model.Eval();
        var batch = BackboneTestKit.RandomBatch(30, 8, 5, 8, 5, 2);
        float[] plain = model.Encode(batch).ToArray();
        var adapter = new ScaleShiftAdapter(16, AdapterWeightSource.Static);
        model.Slots.Attach(slot, adapter);
        var states = model.Encode(batch);
        Assert.NotEqual(plain, states.ToArray());
        F.LinearCrossEntropy(states, model.ItemEmbeddings, batch.Targets, ignoreIndex: 0).Backward();
        Assert.NotNull(adapter.Scale.Grad);
        Assert.Contains(adapter.Scale.Grad!.ToArray(), v => v != 0);
        Assert.Contains($"adapters.{slot}.scale", model.StateDict().Select(kv => kv.Key));
    }

    [Fact]
    public void GeneratedWeights_FlowThroughEncode_PerSample()
    {
        var model = Model();
        model.Eval();
        model.Slots.Attach("block1", new ScaleShiftAdapter(16, AdapterWeightSource.Generated));
        model.Slots.Attach(SasRec.UserStateSlot, new ScaleShiftAdapter(16, AdapterWeightSource.Generated));
        var layout = ParameterLayout.For(model.Slots);
        Assert.Equal(64, layout.Size);                                                     // 2 slots x (scale 16 + shift 16)
        var batch = BackboneTestKit.RandomBatch(30, 8, 6, 8, 4, 6);
        var packed = (Tensor.Randn([3, layout.Size], new Generator(9)) * 0.3f + 1f).RequiresGrad_(); // [B, P], the "generator output"

        var states = model.Encode(batch, layout.Bind(packed));                              // [B, L, d]
        F.LinearCrossEntropy(states, model.ItemEmbeddings, batch.Targets, ignoreIndex: 0).Backward();
        Assert.NotNull(packed.Grad);
        for (int row = 0; row < 3; row++)
        {
            Assert.True(packed.Grad![row, 0] != 0 && packed.Grad[row, 40] != 0, $"row {row} of the generated weights got no gradient");
        }

        // Changing sample 1's weights changes sample 1's states only.
        float[] before = states.ToArray();
        using (Grad.NoGrad())
        {
            packed.Span[layout.Size + 3] += 0.5f;
        }

        float[] after = model.Encode(batch, layout.Bind(packed)).ToArray();
        int perRow = 8 * 16;
        Assert.Equal(before[..perRow], after[..perRow]);
        Assert.NotEqual(before[perRow..(2 * perRow)], after[perRow..(2 * perRow)]);
        Assert.Equal(before[(2 * perRow)..], after[(2 * perRow)..]);
    }

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 2)]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public void EncodeLast_EqualsTheLastColumnOfEncode(bool preNorm, int blocks)
    {
        var model = Model(Small with { PreNorm = preNorm, Blocks = blocks, ScaleEmbeddings = !preNorm });
        if (blocks > 0)
        {
            model.Slots.Attach(SasRec.BlockSlot(blocks - 1), new ScaleShiftAdapter(16, AdapterWeightSource.Static));
        }

        model.Eval();
        var batch = BackboneTestKit.RandomBatch(30, 8, 7, 8, 1, 5, 3);
        var all = model.Encode(batch);                                                      // [B, L, d]
        var last = model.EncodeLast(batch);                                                 // [B, d]
        Assert.Equal(new Shape(4, 16), last.Shape);
        BackboneTestKit.AssertClose(all.Select(1, 7).ToArray(), last.ToArray(), 1e-5f, "EncodeLast");
    }

    [Fact]
    public void ShorterWindow_GivesTheSameLastStateAsTheFullWindow()
    {
        // Positions are aligned right and padding keys are masked, so the window width does not matter.
        var model = Model();
        model.Eval();
        int[] history = [3, 9, 27, 4];
        var wide = model.EncodeLast(SequenceBatch.FromHistory(history, 8));
        var narrow = model.EncodeLast(SequenceBatch.FromHistory(history, 4));
        BackboneTestKit.AssertClose(wide.ToArray(), narrow.ToArray(), 1e-5f, "last state");
    }

    [Fact]
    public void TrainingMode_DropsOut_AndEvaluationIsDeterministic()
    {
        var model = Model(Small with { Dropout = 0.3f });
        var batch = BackboneTestKit.RandomBatch(30, 8, 8, 8, 8);
        model.Train();
        var a = model.Encode(batch).ToArray();
        var b = model.Encode(batch).ToArray();
        Assert.NotEqual(a, b);
        model.Eval();
        Assert.Equal(model.Encode(batch).ToArray(), model.Encode(batch).ToArray());
    }

    [Fact]
    public void SameSeed_GivesTheSameWeights_AndTheInitialisationFollowsTheOption()
    {
        Assert.Equal(Model(seed: 4).StateDict().SelectMany(kv => kv.Value.ToArray()), Model(seed: 4).StateDict().SelectMany(kv => kv.Value.ToArray()));
        var recbole = Model();                                                              // default: RecBole
        float[] item = recbole.ItemEmbedding.Weight.ToArray();
        Assert.All(item[..16], v => Assert.Equal(0f, v));                                   // padding row
        double std = Math.Sqrt(item[16..].Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.017, 0.023);
        Assert.InRange(Math.Sqrt(recbole.Blocks[0].SelfAttn.InProjWeight.ToArray().Select(v => (double)v * v).Average()), 0.017, 0.023);
        Assert.All(recbole.Blocks[0].Linear1.Bias!.ToArray(), v => Assert.Equal(0f, v));
        double pytorchStd = Math.Sqrt(Model(Small with { Initialization = BackboneInitialization.PyTorch }).ItemEmbedding.Weight.ToArray()[16..].Select(v => (double)v * v).Average());
        Assert.InRange(pytorchStd, 0.9, 1.1);                                               // nn.Embedding: N(0, 1)
    }

    [Fact]
    public void StateDictKeys_AreStableDottedPaths()
    {
        var keys = Model(Small with { Blocks = 1 }).StateDict().Select(kv => kv.Key).ToArray();
        string[] block =
        [
            "blocks.0.self_attn.in_proj_weight", "blocks.0.self_attn.in_proj_bias", "blocks.0.self_attn.out_proj.weight", "blocks.0.self_attn.out_proj.bias",
            "blocks.0.linear1.weight", "blocks.0.linear1.bias", "blocks.0.linear2.weight", "blocks.0.linear2.bias",
            "blocks.0.norm1.weight", "blocks.0.norm1.bias", "blocks.0.norm2.weight", "blocks.0.norm2.bias",
        ];
        Assert.Equal(["item_embedding.weight", "position_embedding.weight", "input_norm.weight", "input_norm.bias", .. block, "final_norm.weight", "final_norm.bias"], keys);

        var untied = Model(Small with { Blocks = 1, PreNorm = false, TieOutputEmbeddings = false });
        untied.Slots.Attach(SasRec.UserStateSlot, new ScaleShiftAdapter(16, AdapterWeightSource.Static));
        Assert.Equal(["item_embedding.weight", "position_embedding.weight", "input_norm.weight", "input_norm.bias", .. block,
            "output_embedding.weight", "adapters.user_state.scale", "adapters.user_state.shift"], untied.StateDict().Select(kv => kv.Key));
        Assert.Same(untied.StateDict().Single(kv => kv.Key == "output_embedding.weight").Value, untied.ItemEmbeddings);
        Assert.Equal(["block0", "user_state"], untied.Slots.Names);
    }

    [Fact]
    public void Scores_CoverTheCatalogue_AndCandidatesAgreeWithIt()
    {
        var model = Model();
        model.Eval();
        var states = model.EncodeLast(BackboneTestKit.RandomBatch(30, 8, 10, 8, 3));       // [2, d]
        var all = model.Score(states);                                                      // [2, 31]
        Assert.Equal(new Shape(2, 31), all.Shape);
        var candidates = Tensor.FromInts([5, 1, 30, 7, 7, 2], 2, 3);
        var some = model.ScoreCandidates(states, candidates);                               // [2, 3]
        Assert.Equal(new Shape(2, 3), some.Shape);
        for (int r = 0; r < 2; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(all[r, (int)candidates[r, c]], some[r, c], 1e-5 * Math.Abs(all[r, (int)candidates[r, c]]) + 1e-6);
            }
        }
    }

    [Fact]
    public void Options_RoundTripThroughJson_SoACheckpointCanRebuildTheModel()
    {
        var options = Small with { PreNorm = false, AttentionDropout = 0.05f, Activation = TransformerActivation.Relu, Initialization = BackboneInitialization.PyTorch };
        string json = System.Text.Json.JsonSerializer.Serialize(options);
        Assert.DoesNotContain("Effective", json, StringComparison.Ordinal);
        Assert.Equal(options, System.Text.Json.JsonSerializer.Deserialize<SasRecOptions>(json));
        var gru = new Gru4RecOptions { Layers = 2, TieOutputEmbeddings = false };
        Assert.Equal(gru, System.Text.Json.JsonSerializer.Deserialize<Gru4RecOptions>(System.Text.Json.JsonSerializer.Serialize(gru)));
    }

    [Fact]
    public void BadInput_IsRejectedWithClearMessages()
    {
        var model = Model();
        var tooWide = Assert.Throws<ArgumentException>(() => model.Encode(BackboneTestKit.RandomBatch(30, 9, 11, 9)));
        Assert.Contains("MaxLength 8", tooWide.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ArgumentException>(() => model.Encode(SequenceBatch.FromHistory([4, 31], 8)));
        Assert.Contains("item id 31 at batch row 0, column 7", unknown.Message, StringComparison.Ordinal);
        var width = Assert.Throws<ArgumentException>(() => model.Score(Tensor.Zeros(2, 15)));
        Assert.Contains("[2, 15]", width.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => model.ScoreCandidates(Tensor.Zeros(2, 16), Tensor.Zeros(3, 4)));
        model.Slots.Attach("block0", new ScaleShiftAdapter(16, AdapterWeightSource.Generated));
        var layout = ParameterLayout.For(model.Slots);
        var rows = Assert.Throws<ArgumentException>(() => model.Encode(BackboneTestKit.RandomBatch(30, 8, 12, 3, 3), layout.Bind(Tensor.Zeros(5, layout.Size))));
        Assert.Contains("5 samples", rows.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => model.Slots.Attach("block1", new ScaleShiftAdapter(8, AdapterWeightSource.Static)));
        Assert.Throws<KeyNotFoundException>(() => model.Slots.Attach("block7", new ScaleShiftAdapter(16, AdapterWeightSource.Static)));
        var heads = Assert.Throws<ArgumentOutOfRangeException>(() => new SasRec(10, new SasRecOptions { HiddenSize = 10, Heads = 3 }));
        Assert.Contains("Heads", heads.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SasRec(10, new SasRecOptions { Dropout = 1f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SasRec(0));
    }
}
