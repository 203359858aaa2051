using System.Globalization;
using ParamGen.Adapters;
using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Backbones;

/// <summary>
/// SASRec (Kang and McAuley, ICDM 2018): a causal transformer over the item history whose state at each position
/// predicts the next item by a dot product with the item embeddings.
/// </summary>
/// <remarks>
/// <para>Forward, for left-padded ids <c>[B, L]</c>:
/// <c>x = Dropout(LayerNorm(E[ids] (· sqrt d) + P[MaxLength - L .. MaxLength)))</c>, then each block
/// (<see cref="TransformerBlock"/>, i.e. <c>torch.nn.TransformerEncoderLayer</c>, with a causal mask and a key padding
/// mask at id 0) followed by its slot <c>block{i}</c>, then a final layer norm (pre-norm only) and the slot
/// <c>user_state</c>. Positions are aligned to the right, so the most recent item always has the last learned
/// position whatever L is (with L = MaxLength this is PyTorch's <c>pos.weight[:L]</c>).</para>
/// <para>State keys: <c>item_embedding.weight</c>, <c>position_embedding.weight</c>, <c>input_norm.*</c>,
/// <c>blocks.{i}.*</c> (PyTorch's encoder-layer names), <c>final_norm.*</c> (pre-norm), <c>output_embedding.weight</c>
/// (untied), <c>adapters.{slot}.*</c>.</para>
/// <para>A padding query sees only padding keys and gets a zero attention output (PyTorch would give NaN); its
/// state is meaningless and its target is 0, which the losses ignore.</para>
/// </remarks>
public sealed class SasRec : Module, ISequentialBackbone
{
    /// <summary>The name of the slot on the final states (every position, width d).</summary>
    public const string UserStateSlot = "user_state";

    private const string Name = nameof(SasRec);
    private readonly Embedding _itemEmbedding;
    private readonly Embedding _positionEmbedding;
    private readonly LayerNorm _inputNorm;
    private readonly Dropout _inputDropout;
    private readonly ModuleList<TransformerBlock> _blocks;
    private readonly LayerNorm? _finalNorm;
    private readonly Embedding? _outputEmbedding;
    private readonly string[] _blockSlots;
    private readonly float _embeddingScale;

    /// <summary>Creates the backbone.</summary>
    /// <param name="numItems">Number of real items (ids 1..numItems; 0 is padding). At least 1.</param>
    /// <param name="options">The architecture; null for the defaults of <see cref="SasRecOptions"/>.</param>
    /// <param name="generator">The random source of the initial weights and of every dropout mask; <see cref="Generator.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numItems"/> is below 1 or an option is out of range.</exception>
    public SasRec(int numItems, SasRecOptions? options = null, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numItems, 1);
        options ??= new SasRecOptions();
        options.Validate();
        Options = options;
        NumItems = numItems;
        Generator = generator ?? Generator.Default;
        int d = options.HiddenSize;
        _embeddingScale = options.ScaleEmbeddings ? MathF.Sqrt(d) : 1f;

        _itemEmbedding = RegisterModule("item_embedding", new Embedding(numItems + 1, d, paddingIdx: 0, generator: Generator));
        _positionEmbedding = RegisterModule("position_embedding", new Embedding(options.MaxLength, d, generator: Generator));
        _inputNorm = RegisterModule("input_norm", new LayerNorm(d, options.LayerNormEps));
        _inputDropout = RegisterModule("input_dropout", new Dropout(options.Dropout, Generator));
        _blocks = RegisterModule("blocks", new ModuleList<TransformerBlock>());
        for (int i = 0; i < options.Blocks; i++)
        {
            _blocks.Add(new TransformerBlock(d, options.Heads, options.EffectiveFeedForwardSize, options.Dropout, options.Activation,
                options.LayerNormEps, normFirst: options.PreNorm, generator: Generator, attentionDropout: options.EffectiveAttentionDropout));
        }

        _finalNorm = options.PreNorm ? RegisterModule("final_norm", new LayerNorm(d, options.LayerNormEps)) : null;
        _outputEmbedding = options.TieOutputEmbeddings ? null
            : RegisterModule("output_embedding", new Embedding(numItems + 1, d, paddingIdx: 0, generator: Generator));
        if (options.Initialization == BackboneInitialization.RecBole)
        {
            InitializeRecBole(this, Generator);
        }

        Slots = RegisterModule("adapters", new AdapterSlots());
        _blockSlots = new string[options.Blocks];
        for (int i = 0; i < options.Blocks; i++)
        {
            _blockSlots[i] = BlockSlot(i);
            Slots.Declare(_blockSlots[i], d, $"after transformer block {i}, every position");
        }

        Slots.Declare(UserStateSlot, d, "on the final states (after the final layer norm), every position");
    }

    /// <summary>The architecture.</summary>
    public SasRecOptions Options { get; }

    /// <summary>The random source of the initial weights and the dropout masks (its state is what a checkpoint saves to resume training exactly).</summary>
    public Generator Generator { get; }

    /// <inheritdoc/>
    public int NumItems { get; }

    /// <inheritdoc/>
    public int HiddenSize => Options.HiddenSize;

    /// <inheritdoc/>
    public int MaxLength => Options.MaxLength;

    /// <inheritdoc/>
    public AdapterSlots Slots { get; }

    /// <inheritdoc/>
    Module ISequentialBackbone.Module => this;

    /// <summary>The input item table <c>[NumItems + 1, d]</c> (row 0, padding, stays zero).</summary>
    public Embedding ItemEmbedding => _itemEmbedding;

    /// <summary>True: padding keys are masked and positions are aligned to the right, so the states at real positions do not depend on how many padding positions come first.</summary>
    public bool IgnoresLeftPadding => true;

    /// <summary>The learned positions <c>[MaxLength, d]</c>; row MaxLength - 1 is the most recent item's.</summary>
    public Embedding PositionEmbedding => _positionEmbedding;

    /// <summary>The layer norm on the summed item and position embeddings.</summary>
    public LayerNorm InputNorm => _inputNorm;

    /// <summary>The layer norm after the last block (pre-norm only; null for post-norm, whose blocks end in a norm).</summary>
    public LayerNorm? FinalNorm => _finalNorm;

    /// <summary>The transformer blocks.</summary>
    public IReadOnlyList<TransformerBlock> Blocks => _blocks;

    /// <inheritdoc/>
    public Tensor ItemEmbeddings => (_outputEmbedding ?? _itemEmbedding).Weight;

    /// <summary>The slot after block <paramref name="index"/>: <c>block{index}</c>.</summary>
    /// <param name="index">The block index, from 0.</param>
    /// <returns>The slot name.</returns>
    public static string BlockSlot(int index) => string.Create(CultureInfo.InvariantCulture, $"block{index}");

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The batch is wider than <see cref="MaxLength"/>, holds an id outside [0, <see cref="NumItems"/>],
    /// or the generated weights serve another number of rows.</exception>
    public Tensor Encode(SequenceBatch batch, GeneratedWeights? weights = null)
    {
        BackboneInputs.CheckBatch(Name, batch, MaxLength, NumItems, weights);
        var (x, padding) = EmbedInput(batch.ItemIds);                               // [B, L, d], [B, L]
        for (int i = 0; i < _blocks.Count; i++)
        {
            x = _blocks[i].Forward(x, srcKeyPaddingMask: padding, isCausal: true);  // [B, L, d]
            x = Slots.Apply(_blockSlots[i], x, weights);                             // [B, L, d]
        }

        return Finish(x, weights);                                                  // [B, L, d]
    }

    /// <summary>
    /// The final state at the last position <c>[B, d]</c>, running the last block for that one query (its keys and
    /// values still cover the whole history). Equal to the last column of <see cref="Encode"/>; in evaluation mode it
    /// saves most of the last block. Slot adapters must act on each position on its own (every ParamGen adapter does).
    /// </summary>
    /// <param name="batch">Left-padded item ids <c>[B, L]</c>.</param>
    /// <param name="weights">Generated adapter weights, or null.</param>
    /// <returns>States <c>[B, d]</c>.</returns>
    /// <exception cref="ArgumentException">As <see cref="Encode"/>.</exception>
    public Tensor EncodeLast(SequenceBatch batch, GeneratedWeights? weights = null)
    {
        BackboneInputs.CheckBatch(Name, batch, MaxLength, NumItems, weights);
        int b = batch.Size, l = batch.MaxLength;
        var (x, padding) = EmbedInput(batch.ItemIds);                               // [B, L, d], [B, L]
        int last = _blocks.Count - 1;
        for (int i = 0; i < last; i++)
        {
            x = _blocks[i].Forward(x, srcKeyPaddingMask: padding, isCausal: true);  // [B, L, d]
            x = Slots.Apply(_blockSlots[i], x, weights);                             // [B, L, d]
        }

        if (last >= 0)
        {
            x = LastQuery(_blocks[last], x, padding);                               // [B, 1, d]
            x = Slots.Apply(_blockSlots[last], x, weights);                          // [B, 1, d]
        }
        else
        {
            x = x.Narrow(1, l - 1, 1);                                              // [B, 1, d]
        }

        return Finish(x, weights).Reshape(b, HiddenSize);                           // [B, d]
    }

    /// <inheritdoc/>
    public Tensor Score(Tensor states) => ItemScoring.All(Name, states, ItemEmbeddings);

    /// <inheritdoc/>
    public Tensor ScoreCandidates(Tensor states, Tensor candidates) => ItemScoring.Candidates(Name, states, candidates, ItemEmbeddings);

    /// <summary>Item plus position embeddings, normalised and dropped out, and the key padding mask (1 at id 0).</summary>
    private (Tensor X, Tensor Padding) EmbedInput(Tensor ids)
    {
        int l = ids.Shape[1];
        var x = F.Embedding(ids, _itemEmbedding.Weight, paddingIdx: 0);            // [B, L, d]
        if (_embeddingScale != 1f)
        {
            x = x * _embeddingScale;
        }

        var positions = _positionEmbedding.Weight.Narrow(0, MaxLength - l, l);     // [L, d], a view
        x = _inputDropout.Forward(_inputNorm.Forward(x + positions));              // [B, L, d]
        Tensor padding;
        using (Grad.NoGrad())
        {
            padding = ids.Eq(0f);                                                  // [B, L]
        }

        return (x, padding);
    }

    /// <summary>Final layer norm (pre-norm) and the user-state slot.</summary>
    private Tensor Finish(Tensor x, GeneratedWeights? weights)
    {
        if (_finalNorm is not null)
        {
            x = _finalNorm.Forward(x);                                              // [B, *, d]
        }

        return Slots.Apply(UserStateSlot, x, weights);                              // [B, *, d]
    }

    /// <summary>One block for the last query only: the same arithmetic as <see cref="TransformerBlock.Forward(Tensor, Tensor?, Tensor?, bool)"/> at position L - 1.</summary>
    private static Tensor LastQuery(TransformerBlock block, Tensor x, Tensor padding)
    {
        int l = x.Shape[1];
        var xq = x.Narrow(1, l - 1, 1);                                               // [B, 1, d]
        if (block.NormFirst)
        {
            var h = block.Norm1.Forward(x);                                           // [B, L, d]
            var sa = block.SelfAttn.Forward(h.Narrow(1, l - 1, 1), h, h, padding);     // [B, 1, d]: the last query sees every key
            xq = xq + block.Dropout1.Forward(sa);                                     // [B, 1, d]
            return xq + block.Dropout2.Forward(FeedForward(block, block.Norm2.Forward(xq))); // [B, 1, d]
        }

        var y = block.Norm1.Forward(xq + block.Dropout1.Forward(block.SelfAttn.Forward(xq, x, x, padding))); // [B, 1, d]
        return block.Norm2.Forward(y + block.Dropout2.Forward(FeedForward(block, y)));  // [B, 1, d]
    }

    private static Tensor FeedForward(TransformerBlock block, Tensor x)
    {
        var h = block.Linear1.Forward(x);                                             // [B, 1, ff]
        h = block.Activation == TransformerActivation.Gelu ? h.Gelu() : h.Relu();
        return block.Linear2.Forward(block.FfDropout.Forward(h));                     // [B, 1, d]
    }

    /// <summary>RecBole's <c>_init_weights</c>: N(0, 0.02) for every embedding and linear weight (attention projections included), zero biases.</summary>
    private static void InitializeRecBole(Module root, Generator generator)
    {
        const float Std = 0.02f;
        foreach (var (_, m) in root.NamedModules())
        {
            switch (m)
            {
                case Linear linear:
                    Init.Normal(linear.Weight, 0f, Std, generator);
                    if (linear.Bias is not null)
                    {
                        Init.Zeros(linear.Bias);
                    }

                    break;
                case MultiHeadAttention attention:
                    Init.Normal(attention.InProjWeight, 0f, Std, generator);
                    if (attention.InProjBias is not null)
                    {
                        Init.Zeros(attention.InProjBias);
                    }

                    break;
                case Embedding embedding:
                    Init.Normal(embedding.Weight, 0f, Std, generator);
                    if (embedding.PaddingIdx is int p)
                    {
                        embedding.Weight.Span.Slice(p * embedding.EmbeddingDim, embedding.EmbeddingDim).Clear();
                    }

                    break;
            }
        }
    }
}
