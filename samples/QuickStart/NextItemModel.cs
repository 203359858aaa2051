using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Samples.QuickStart;

/// <summary>
/// A one-block causal transformer over item ids (SASRec-shaped) with scores tied to the item embedding,
/// built from ParamGen.Tensors modules (the library's SASRec backbone arrives with the backbone issue).
/// </summary>
internal sealed class NextItemModel : Module<Tensor, Tensor>
{
    private readonly Embedding _items;
    private readonly Embedding _positions;
    private readonly TransformerBlock _block;
    private readonly LayerNorm _norm;

    public NextItemModel(int items, int maxLength, int dim, int heads, Generator generator)
    {
        _items = RegisterModule("item_emb", new Embedding(items + 1, dim, paddingIdx: 0, generator: generator));
        _positions = RegisterModule("pos_emb", new Embedding(maxLength, dim, generator: generator));
        _block = RegisterModule("block", new TransformerBlock(dim, heads, 2 * dim, dropout: 0.1f,
            activation: TransformerActivation.Gelu, normFirst: true, generator: generator));
        _norm = RegisterModule("norm", new LayerNorm(dim));
        Init.Normal(_items.Weight, 0f, 0.1f, generator);
        Init.Normal(_positions.Weight, 0f, 0.1f, generator);
        using (ParamGen.Tensors.Autograd.Grad.NoGrad())
        {
            _items.Weight.Span[.._items.EmbeddingDim].Clear(); // padding row
        }
    }

    /// <summary>Item ids [B, L] (left-padded with 0) to scores over all items at every position [B, L, items+1].</summary>
    public override Tensor Forward(Tensor ids)
    {
        int b = ids.Shape[0], l = ids.Shape[1];
        var positions = Tensor.Arange(l).Unsqueeze(0);                     // [1, L]
        var x = _items.Forward(ids) + _positions.Forward(positions);        // [B, L, d]
        var padding = ids.Eq(0f);                                           // [B, L], 1 = padding
        x = _block.Forward(x, srcKeyPaddingMask: padding, isCausal: true);  // [B, L, d]
        x = _norm.Forward(x);                                               // [B, L, d]
        return x.MatMul(_items.Weight.Transpose(0, 1)).Reshape(b, l, -1);   // [B, L, items+1]
    }

    /// <summary>Cross-entropy of next-item prediction at every non-padded position.</summary>
    public Tensor Loss(Tensor ids, Tensor targets)
    {
        var logits = Forward(ids);                                          // [B, L, V]
        return F.CrossEntropy(logits.Reshape(-1, logits.Shape[2]), targets.Reshape(-1), ignoreIndex: 0);
    }
}
