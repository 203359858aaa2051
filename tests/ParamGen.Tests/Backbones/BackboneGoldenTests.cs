using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Serialization;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tests.Backbones;

/// <summary>
/// The backbones against the PyTorch models they mirror (tests/golden/backbones_golden.py): the same weights under
/// the same keys give the same states at real positions, the same all-position cross-entropy and the same gradients.
/// </summary>
public class BackboneGoldenTests
{
    private static readonly Lazy<SafeTensorsFile> File = new(() => SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Backbones", "Golden", "backbones.safetensors")));

    public static TheoryData<string> Cases => ["sasrec_pre", "sasrec_post", "gru4rec"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void StatesLossAndGradients_MatchPyTorch(string name)
    {
        var golden = File.Value;
        ISequentialBackbone backbone = name switch
        {
            "sasrec_pre" => new SasRec(30, new SasRecOptions { HiddenSize = 16, Blocks = 2, Heads = 2, FeedForwardSize = 32, MaxLength = 8, Dropout = 0f }),
            "sasrec_post" => new SasRec(30, new SasRecOptions { HiddenSize = 16, Blocks = 2, Heads = 2, FeedForwardSize = 32, MaxLength = 8, Dropout = 0f, PreNorm = false, ScaleEmbeddings = true }),
            _ => new Gru4Rec(30, new Gru4RecOptions { EmbeddingSize = 16, HiddenSize = 24, Layers = 2, MaxLength = 8, Dropout = 0f }),
        };
        string prefix = name + ".p.";
        var state = golden.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        backbone.Module.LoadStateDict(state);                                               // strict: the keys are PyTorch's

        var ids = golden[name + ".ids"];
        var histories = Enumerable.Range(0, ids.Shape[0]).Select(b => Enumerable.Range(0, ids.Shape[1]).Select(t => (int)ids[b, t]).Where(v => v != 0).ToArray()).ToArray();
        var batch = SequenceBatch.FromHistories(histories, ids.Shape[1]);
        Assert.Equal(ids.ToArray(), batch.ItemIds.ToArray());

        var states = backbone.Encode(batch);                                                // [B, L, d]
        float[] expected = golden[name + ".out"].ToArray(), actual = states.ToArray();
        int d = backbone.HiddenSize;
        for (int i = 0; i < expected.Length; i++)
        {
            if (ids.AsReadOnlySpan()[i / d] != 0)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 2e-4f * (1 + Math.Abs(expected[i])), $"{name} state {i}: PyTorch {expected[i]}, ParamGen {actual[i]}");
            }
        }

        var loss = F.LinearCrossEntropy(states, backbone.ItemEmbeddings, golden[name + ".targets"], ignoreIndex: 0);
        Assert.Equal(golden[name + ".loss"][0], loss.Item(), 3);
        loss.Backward();
        foreach (var (key, p) in backbone.Module.NamedParameters())
        {
            BackboneTestKit.AssertClose(golden[$"{name}.grad.{key}"].ToArray(), p.Grad!.ToArray(), 2e-3f, $"{name} grad {key}");
        }
    }
}
