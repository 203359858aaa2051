using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Samples.CustomBackbone;

/// <summary>
/// A backbone of your own: item embeddings, then residual blocks of dilated causal convolutions (NextItNet-style,
/// so position t sees items up to t only), a layer norm and one adapter slot on the final states. Implementing
/// <see cref="ISequentialBackbone"/> is all it takes for ParamGen's training, evaluation, adapters and generators to
/// work with it.
/// </summary>
internal sealed class CausalConvBackbone : Module, ISequentialBackbone
{
    public const string UserStateSlot = "user_state";

    private readonly Embedding _items;
    private readonly ModuleList<Conv1d> _convs;
    private readonly LayerNorm _norm;
    private readonly Dropout _dropout;

    public CausalConvBackbone(int numItems, int dim, int maxLength, int[] dilations, int kernel, float dropout, Generator generator)
    {
        NumItems = numItems;
        HiddenSize = dim;
        MaxLength = maxLength;
        _items = RegisterModule("item_embedding", new Embedding(numItems + 1, dim, paddingIdx: 0, generator: generator));
        Init.Normal(_items.Weight, 0f, 0.02f, generator);                   // small embeddings: scores are tied to them
        _items.Weight.Span[..dim].Clear();                                  // padding row
        _dropout = RegisterModule("dropout", new Dropout(dropout, generator));
        _convs = RegisterModule("convs", new ModuleList<Conv1d>());
        foreach (int dilation in dilations)
        {
            _convs.Add(new Conv1d(dim, dim, kernel, dilation: dilation, causal: true, generator: generator));
        }

        _norm = RegisterModule("norm", new LayerNorm(dim));
        Slots = RegisterModule("adapters", new AdapterSlots());
        Slots.Declare(UserStateSlot, dim, "on the final states, every position");
    }

    public Module Module => this;

    public int NumItems { get; }

    public int HiddenSize { get; }

    public int MaxLength { get; }

    public AdapterSlots Slots { get; }

    public Tensor ItemEmbeddings => _items.Weight;

    public Tensor Encode(SequenceBatch batch, GeneratedWeights? weights = null)
    {
        var x = _dropout.Forward(_items.Forward(batch.ItemIds));            // [B, L, d]
        x = x.Transpose(1, 2);                                              // [B, d, L]: channels first for the convolutions
        for (int i = 0; i < _convs.Count; i++)
        {
            var h = _convs[i].Forward(x);                                   // [B, d, L], position t sees t - (k-1)·dilation .. t
            x = x + _dropout.Forward(h.Gelu());                             // [B, d, L]
        }

        x = _norm.Forward(x.Transpose(1, 2));                               // [B, L, d]
        return Slots.Apply(UserStateSlot, x, weights);                      // [B, L, d]
    }

    public Tensor Score(Tensor states) => F.Linear(states, ItemEmbeddings);  // [..., NumItems + 1]

    public Tensor ScoreCandidates(Tensor states, Tensor candidates)
    {
        var rows = F.Embedding(candidates, ItemEmbeddings);                 // [B, C, d]
        return rows.Bmm(states.Unsqueeze(2)).Squeeze(2);                    // [B, C]
    }
}
