using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using ParamGen.Training;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tests.Training;

/// <summary>Options of <see cref="TinyBackbone"/>.</summary>
public sealed record TinyOptions(int Dim = 16, float Dropout = 0.2f, int MaxLength = 8);

/// <summary>
/// A first-order test backbone (the state at t depends only on item t): embedding, dropout, tanh(linear), a
/// user_state slot; scores against the tied item embeddings. Enough to learn a planted next-item pattern.
/// </summary>
public sealed class TinyBackbone : Module, ISequentialBackbone
{
    public const string Kind = "test_tiny";

    private readonly Embedding _items;
    private readonly Linear _proj;
    private readonly Dropout _dropout;

    public TinyBackbone(int numItems, TinyOptions options, Generator generator)
    {
        Options = options;
        NumItems = numItems;
        _items = RegisterModule("item_emb", new Embedding(numItems + 1, options.Dim, paddingIdx: 0, generator: generator));
        _proj = RegisterModule("proj", new Linear(options.Dim, options.Dim, generator: generator));
        _dropout = RegisterModule("dropout", new Dropout(options.Dropout, generator));
        Slots = RegisterModule("adapters", new AdapterSlots());
        Slots.Declare("user_state", options.Dim, "on the final states");
    }

    /// <summary>Registers the kind (idempotent).</summary>
    public static void Register() =>
        BackboneRegistry.Register<TinyBackbone, TinyOptions>(Kind, b => b.Options, (n, o, g) => new TinyBackbone(n, o, g));

    public TinyOptions Options { get; }

    public Module Module => this;

    public int NumItems { get; }

    public int HiddenSize => Options.Dim;

    public int MaxLength => Options.MaxLength;

    public AdapterSlots Slots { get; }

    public Tensor ItemEmbeddings => _items.Weight;

    public Embedding Items => _items;

    public Tensor Encode(SequenceBatch batch, GeneratedWeights? weights = null)
    {
        var x = _dropout.Forward(_items.Forward(batch.ItemIds));   // [B, L, d]
        var h = _proj.Forward(x).Tanh();                           // [B, L, d]
        return Slots.Apply("user_state", h, weights);              // [B, L, d]
    }

    public Tensor Score(Tensor states) => F.Linear(states, _items.Weight);

    public Tensor ScoreCandidates(Tensor states, Tensor candidates) =>
        F.Embedding(candidates, _items.Weight).MatMul(states.Unsqueeze(2)).Squeeze(2);
}
