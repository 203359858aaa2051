using ParamGen.Adapters;
using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;

namespace ParamGen.Backbones;

/// <summary>
/// A sequential recommender backbone: it encodes a <see cref="SequenceBatch"/> of item histories into states,
/// scores states against the item catalogue, and declares named <see cref="AdapterSlot"/>s that adapters (static
/// or generated) can fill. Implement it (usually by deriving from <see cref="Module"/>) to bring your own
/// backbone; every generator then works with it unchanged.
/// </summary>
/// <remarks>
/// Item id 0 is padding. Scores cover ids 0 .. <see cref="NumItems"/>; callers exclude id 0 when ranking.
/// </remarks>
public interface ISequentialBackbone
{
    /// <summary>The module that holds the backbone's parameters, buffers and slots (usually the backbone itself).</summary>
    Module Module { get; }

    /// <summary>Number of real items; embedding tables have <c>NumItems + 1</c> rows.</summary>
    int NumItems { get; }

    /// <summary>The state width d (the width of <see cref="ItemEmbeddings"/> rows and of the final states).</summary>
    int HiddenSize { get; }

    /// <summary>The longest history the backbone reads; batches must have <c>MaxLength</c> columns or fewer.</summary>
    int MaxLength { get; }

    /// <summary>The backbone's adapter slots.</summary>
    AdapterSlots Slots { get; }

    /// <summary>
    /// Encodes a batch into the final state at every position, after all slots (including the user-state slot).
    /// </summary>
    /// <param name="batch">Left-padded item ids <c>[B, L]</c> and their metadata.</param>
    /// <param name="weights">Generated adapter weights for the batch, or null (static or empty slots only).</param>
    /// <returns>States <c>[B, L, d]</c>; the state at position t summarises items up to t (causal). Rows of padding positions are defined but meaningless.</returns>
    Tensor Encode(SequenceBatch batch, GeneratedWeights? weights = null);

    /// <summary>
    /// Encodes a batch into the final state at the last position only (where the most recent item of every
    /// left-padded row sits): what ranking the next item needs. Backbones override it to skip work the other
    /// positions would need (SASRec runs its last block for one query; GRU4Rec projects one state); the default
    /// takes the last column of <see cref="Encode"/>.
    /// </summary>
    /// <param name="batch">Left-padded item ids <c>[B, L]</c> and their metadata.</param>
    /// <param name="weights">Generated adapter weights for the batch, or null.</param>
    /// <returns>States <c>[B, d]</c>, equal (up to rounding) to <c>Encode(batch, weights)[:, L - 1]</c>.</returns>
    Tensor EncodeLast(SequenceBatch batch, GeneratedWeights? weights = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Encode(batch, weights).Select(1, batch.MaxLength - 1); // [B, d]
    }

    /// <summary>
    /// Whether the states at real positions are the same however many padding positions precede them (default
    /// false). True for a backbone that masks padding keys and aligns positions to the right (SASRec); false for one
    /// that runs through the padding (GRU4Rec's recurrence). When true, a trainer may cut each batch's window to its
    /// longest history (<see cref="Training.TrainerOptions.GroupByLength"/>).
    /// </summary>
    bool IgnoresLeftPadding => false;

    /// <summary>The output item embeddings <c>[NumItems + 1, d]</c> that scores are taken against (tied to the input embeddings or not).</summary>
    Tensor ItemEmbeddings { get; }

    /// <summary>Scores against the whole catalogue: <c>states · ItemEmbeddingsᵀ</c>.</summary>
    /// <param name="states">States <c>[..., d]</c>.</param>
    /// <returns>Scores <c>[..., NumItems + 1]</c>.</returns>
    Tensor Score(Tensor states);

    /// <summary>Scores against given candidates.</summary>
    /// <param name="states">States <c>[B, d]</c>.</param>
    /// <param name="candidates">Item ids <c>[B, C]</c> (float32 holding integers).</param>
    /// <returns>Scores <c>[B, C]</c>.</returns>
    Tensor ScoreCandidates(Tensor states, Tensor candidates);
}
