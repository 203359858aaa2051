using System.Globalization;
using ParamGen.Adapters;
using ParamGen.Data;
using ParamGen.Tensors;

namespace ParamGen.Backbones;

/// <summary>The checks a built-in backbone runs on its inputs before any work, with messages that name the backbone and the shapes.</summary>
internal static class BackboneInputs
{
    /// <summary>Checks a batch's ids: <c>[B, L]</c> with 1 ≤ L ≤ maxLength and every id an integer in [0, numItems].</summary>
    public static void CheckBatch(string backbone, SequenceBatch batch, int maxLength, int numItems, GeneratedWeights? weights)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var ids = batch.ItemIds;
        if (ids.Rank != 2 || ids.Shape[1] < 1 || ids.Shape[1] > maxLength)
        {
            throw new ArgumentException($"{backbone}: batch item ids {ids.Shape} must be [B, L] with 1 <= L <= MaxLength {maxLength}; build batches with SequenceBatchOptions.MaxLength <= {maxLength}.", nameof(batch));
        }

        int l = ids.Shape[1];
        var span = ids.AsReadOnlySpan();
        for (int i = 0; i < span.Length; i++)
        {
            float v = span[i];
            if (!(v >= 0f && v <= numItems) || v != MathF.Floor(v))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{backbone}: item id {v} at batch row {i / l}, column {i % l} is outside [0, {numItems}] (0 is padding; the backbone was built for {numItems} items)."), nameof(batch));
            }
        }

        if (weights is not null && weights.Rows != ids.Shape[0])
        {
            throw new ArgumentException($"{backbone}: generated weights serve {weights.Rows} samples but the batch has {ids.Shape[0]} rows.", nameof(weights));
        }
    }

    /// <summary>Checks that <paramref name="states"/> is <c>[..., d]</c>.</summary>
    public static void CheckStates(string backbone, Tensor states, int width)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Rank < 1 || states.Shape[-1] != width)
        {
            throw new ArgumentException($"{backbone}: states {states.Shape} must end in the state width {width}.", nameof(states));
        }
    }
}
