using ParamGen.Adapters;
using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Backbones;

/// <summary>
/// GRU4Rec (Hidasi et al., ICLR 2016) in RecBole's sequential form: a GRU over the item history whose output,
/// projected back to the embedding width, predicts the next item by a dot product with the item embeddings.
/// </summary>
/// <remarks>
/// <para>Forward, for left-padded ids <c>[B, L]</c>: <c>Dropout(E[ids])</c> -> GRU (<see cref="Gru"/>, i.e.
/// <c>torch.nn.GRU</c>, from a zero state) -> slot <c>gru_out</c> (width H) -> <c>Linear(H, d)</c> -> slot
/// <c>user_state</c> (width d). Padding steps run through the GRU like any step (their input is the zero padding
/// row), exactly as the unpacked PyTorch model does.</para>
/// <para>State keys: <c>item_embedding.weight</c>, <c>gru.weight_ih_l{k}</c>, <c>gru.weight_hh_l{k}</c>,
/// <c>gru.bias_ih_l{k}</c>, <c>gru.bias_hh_l{k}</c>, <c>projection.weight</c>, <c>projection.bias</c>,
/// <c>output_embedding.weight</c> (untied), <c>adapters.{slot}.*</c>.</para>
/// </remarks>
public sealed class Gru4Rec : Module, ISequentialBackbone
{
    /// <summary>The name of the slot on the GRU output states (every position, width H).</summary>
    public const string GruOutputSlot = "gru_out";

    /// <summary>The name of the slot on the final states, after the projection to the embedding width (every position, width d).</summary>
    public const string UserStateSlot = "user_state";

    private const string Name = nameof(Gru4Rec);
    private readonly Embedding _itemEmbedding;
    private readonly Dropout _inputDropout;
    private readonly Gru _gru;
    private readonly Linear _projection;
    private readonly Embedding? _outputEmbedding;

    /// <summary>Creates the backbone.</summary>
    /// <param name="numItems">Number of real items (ids 1..numItems; 0 is padding). At least 1.</param>
    /// <param name="options">The architecture; null for the defaults of <see cref="Gru4RecOptions"/>.</param>
    /// <param name="generator">The random source of the initial weights and of every dropout mask; <see cref="Generator.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numItems"/> is below 1 or an option is out of range.</exception>
    public Gru4Rec(int numItems, Gru4RecOptions? options = null, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numItems, 1);
        options ??= new Gru4RecOptions();
        options.Validate();
        Options = options;
        NumItems = numItems;
        Generator = generator ?? Generator.Default;
        int d = options.EmbeddingSize, h = options.HiddenSize;

        _itemEmbedding = RegisterModule("item_embedding", new Embedding(numItems + 1, d, paddingIdx: 0, generator: Generator));
        _inputDropout = RegisterModule("input_dropout", new Dropout(options.Dropout, Generator));
        _gru = RegisterModule("gru", new Gru(d, h, options.Layers, dropout: options.Dropout, generator: Generator));
        _projection = RegisterModule("projection", new Linear(h, d, generator: Generator));
        _outputEmbedding = options.TieOutputEmbeddings ? null
            : RegisterModule("output_embedding", new Embedding(numItems + 1, d, paddingIdx: 0, generator: Generator));
        if (options.Initialization == BackboneInitialization.RecBole)
        {
            InitializeRecBole();
        }

        Slots = RegisterModule("adapters", new AdapterSlots());
        Slots.Declare(GruOutputSlot, h, "on the GRU output states, every position");
        Slots.Declare(UserStateSlot, d, "on the final states (after the projection to the embedding width), every position");
    }

    /// <summary>The architecture.</summary>
    public Gru4RecOptions Options { get; }

    /// <summary>The random source of the initial weights and the dropout masks (its state is what a checkpoint saves to resume training exactly).</summary>
    public Generator Generator { get; }

    /// <inheritdoc/>
    public int NumItems { get; }

    /// <summary>The state width d: the embedding width (<see cref="Gru4RecOptions.EmbeddingSize"/>), not the GRU width.</summary>
    public int HiddenSize => Options.EmbeddingSize;

    /// <inheritdoc/>
    public int MaxLength => Options.MaxLength;

    /// <inheritdoc/>
    public AdapterSlots Slots { get; }

    /// <inheritdoc/>
    Module ISequentialBackbone.Module => this;

    /// <summary>The input item table <c>[NumItems + 1, d]</c> (row 0, padding, stays zero).</summary>
    public Embedding ItemEmbedding => _itemEmbedding;

    /// <summary>The GRU stack.</summary>
    public Gru Gru => _gru;

    /// <summary>The projection from the GRU width H to the embedding width d.</summary>
    public Linear Projection => _projection;

    /// <inheritdoc/>
    public Tensor ItemEmbeddings => (_outputEmbedding ?? _itemEmbedding).Weight;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The batch is wider than <see cref="MaxLength"/>, holds an id outside [0, <see cref="NumItems"/>],
    /// or the generated weights serve another number of rows.</exception>
    public Tensor Encode(SequenceBatch batch, GeneratedWeights? weights = null)
    {
        BackboneInputs.CheckBatch(Name, batch, MaxLength, NumItems, weights);
        var y = RunGru(batch.ItemIds);                                             // [B, L, H]
        y = Slots.Apply(GruOutputSlot, y, weights);                                // [B, L, H]
        return Slots.Apply(UserStateSlot, _projection.Forward(y), weights);        // [B, L, d]
    }

    /// <summary>
    /// The final state at the last position <c>[B, d]</c>: the GRU runs over the whole history, the slots and the
    /// projection only over its last output. Equal to the last column of <see cref="Encode"/>. Slot adapters must
    /// act on each position on its own (every ParamGen adapter does).
    /// </summary>
    /// <param name="batch">Left-padded item ids <c>[B, L]</c>.</param>
    /// <param name="weights">Generated adapter weights, or null.</param>
    /// <returns>States <c>[B, d]</c>.</returns>
    /// <exception cref="ArgumentException">As <see cref="Encode"/>.</exception>
    public Tensor EncodeLast(SequenceBatch batch, GeneratedWeights? weights = null)
    {
        BackboneInputs.CheckBatch(Name, batch, MaxLength, NumItems, weights);
        var y = RunGru(batch.ItemIds).Select(1, batch.MaxLength - 1);             // [B, H]
        y = Slots.Apply(GruOutputSlot, y, weights);                                // [B, H]
        return Slots.Apply(UserStateSlot, _projection.Forward(y), weights);        // [B, d]
    }

    /// <inheritdoc/>
    public Tensor Score(Tensor states) => ItemScoring.All(Name, states, ItemEmbeddings);

    /// <inheritdoc/>
    public Tensor ScoreCandidates(Tensor states, Tensor candidates) => ItemScoring.Candidates(Name, states, candidates, ItemEmbeddings);

    private Tensor RunGru(Tensor ids)
    {
        var x = _inputDropout.Forward(F.Embedding(ids, _itemEmbedding.Weight, paddingIdx: 0)); // [B, L, d]
        return _gru.Forward(x, null).Output;                                                  // [B, L, H]
    }

    /// <summary>RecBole's GRU4Rec <c>_init_weights</c>: xavier_normal item embedding(s), xavier_uniform GRU weight matrices.</summary>
    private void InitializeRecBole()
    {
        foreach (var table in new[] { _itemEmbedding, _outputEmbedding })
        {
            if (table is not null)
            {
                Init.XavierNormal(table.Weight, generator: Generator);
                table.Weight.Span[..table.EmbeddingDim].Clear();                    // padding row
            }
        }

        for (int k = 0; k < _gru.NumLayers; k++)
        {
            Init.XavierUniform(_gru.WeightIh[k], generator: Generator);
            Init.XavierUniform(_gru.WeightHh[k], generator: Generator);
        }
    }
}
