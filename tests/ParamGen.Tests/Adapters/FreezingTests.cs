using ParamGen.Adapters;
using ParamGen.Tensors;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.Adapters;

/// <summary>Freezing by glob patterns over dotted keys: what matches, what changes, and that optimizers leave frozen weights alone.</summary>
public class FreezingTests
{
    [Theory]
    [InlineData("blocks.0", "blocks.0.attn.q.weight", true)]
    [InlineData("blocks.0", "blocks.01.attn.q.weight", false)]
    [InlineData("blocks.*.ffn", "blocks.1.ffn.linear1.bias", true)]
    [InlineData("blocks.?.ffn", "blocks.12.ffn.linear1.bias", false)]
    [InlineData("**.adapters", "adapters.block0.down", true)]
    [InlineData("**.adapters", "backbone.adapters.user_state.core", true)]
    [InlineData("**.adapters", "backbone.adaptersx.core", false)]
    [InlineData("**.bias", "blocks.0.attn.q.bias", true)]
    [InlineData("**.bias", "blocks.0.attn.q.bias_extra", false)]
    [InlineData("*_emb*", "item_embedding.weight", true)]
    [InlineData("**", "anything.at.all", true)]
    [InlineData("encoder.weight", "encoder.weight", true)]
    [InlineData("encoder.weight.more", "encoder.weight", false)]
    public void PatternsMatchDottedKeysAndTheModulesAboveThem(string pattern, string key, bool expected) =>
        Assert.Equal(expected, Freezing.Matches(pattern, key));

    private static SlottedModel Model()
    {
        var model = new SlottedModel(4, new Generator(1));
        model.Slots.Attach("block0", new BottleneckAdapter(4, 2, generator: new Generator(2)));
        model.Slots.Attach("user_state", new LowRankAdapter(4, 2, generator: new Generator(3)));
        return model;
    }

    [Fact]
    public void FreezeAllButTheAdaptersTrainsOnlyTheAdapters()
    {
        var model = Model();
        int changed = model.FreezeAllBut(Freezing.AdaptersGroup);
        Assert.Equal(2, changed); // encoder.weight, encoder.bias
        Assert.Equal(
            ["adapters.block0.down", "adapters.block0.down_bias", "adapters.block0.up", "adapters.block0.up_bias",
             "adapters.user_state.u", "adapters.user_state.v", "adapters.user_state.core", "adapters.user_state.bias"],
            model.TrainableParameters().Select(p => p.Name));

        // One Adam step over every parameter: the frozen ones get no gradient and stay bit-identical.
        var before = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        var optimizer = new Adam(model.Parameters(), new AdamOptions { LearningRate = 1e-2 });
        var x = Tensor.Randn([3, 5, 4], new Generator(4));
        model.Forward(x).Square().Sum().Backward();
        Assert.Null(model.Encoder.Weight.Grad);
        optimizer.Step();
        foreach (var (key, value) in model.StateDict())
        {
            bool same = before[key].AsSpan().SequenceEqual(value.ToArray());
            Assert.True(key.StartsWith("encoder.", StringComparison.Ordinal) == same, $"{key}: changed {!same}");
        }
    }

    [Fact]
    public void FreezeAndUnfreezeCountOnlyWhatChangesAndClearStaleGradients()
    {
        var model = Model();
        model.Forward(Tensor.Randn([2, 4], new Generator(5))).Sum().Backward();
        Assert.NotNull(model.Encoder.Weight.Grad);
        Assert.Equal(2, model.Freeze("encoder"));
        Assert.Null(model.Encoder.Weight.Grad);
        Assert.False(model.Encoder.Bias!.RequiresGrad);
        Assert.Equal(0, model.Freeze("encoder.*"));
        Assert.Equal(4, model.Freeze("adapters.block0", "encoder"));
        Assert.Equal(1, model.Unfreeze("**.down"));
        Assert.Equal(["adapters.block0.down"], model.TrainableParameters().Where(p => !p.Name.StartsWith("adapters.user_state", StringComparison.Ordinal)).Select(p => p.Name));
        Assert.Equal(5, model.Unfreeze("**"));
        Assert.Equal(10, model.TrainableParameters().Count());
    }

    [Fact]
    public void APatternThatMatchesNothingOrIsMalformedChangesNothing()
    {
        var model = Model();
        var error = Assert.Throws<ArgumentException>(() => model.Freeze("encoder", "blocks.0"));
        Assert.Contains("'blocks.0' matches no parameter of SlottedModel (10 parameters under: encoder, adapters)", error.Message);
        Assert.True(model.Encoder.Weight.RequiresGrad);
        Assert.Contains("Malformed parameter pattern 'encoder..weight'", Assert.Throws<ArgumentException>(() => model.Freeze("encoder..weight")).Message);
        Assert.Contains("'**' must be a whole part", Assert.Throws<ArgumentException>(() => model.Freeze("enc**")).Message);
        Assert.Throws<ArgumentException>(() => model.Freeze());
        Assert.Equal(10, model.TrainableParameters().Count());
    }
}
