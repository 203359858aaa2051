using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Random;

namespace ParamGen.Training;

/// <summary>
/// Draws k training negatives per target position of a batch, <c>[B, L, k]</c>, each an item the row's user never
/// interacted with anywhere in the sampler's dataset (so never the target nor any history item); 0 at padding.
/// Rows are drawn in order with one sampler call each, so the draws depend only on the generator's state.
/// </summary>
internal sealed class NegativeDraws
{
    private readonly INegativeSampler _sampler;
    private int[] _buffer = [];

    /// <summary>Creates the drawer.</summary>
    /// <param name="sampler">The sampler (over the full dataset, so validation and test items are excluded too).</param>
    /// <param name="perPosition">Negatives per target position, at least 1.</param>
    public NegativeDraws(INegativeSampler sampler, int perPosition)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentOutOfRangeException.ThrowIfLessThan(perPosition, 1);
        _sampler = sampler;
        PerPosition = perPosition;
    }

    /// <summary>Negatives per target position.</summary>
    public int PerPosition { get; }

    /// <summary>Draws the negatives of a batch (a tensor of the current <c>TensorScope</c>, if any).</summary>
    /// <param name="batch">A batch whose users belong to the sampler's dataset.</param>
    /// <param name="generator">The random source.</param>
    /// <returns>Negative ids <c>[B, L, k]</c>, 0 where the target is padding.</returns>
    public Tensor Draw(SequenceBatch batch, Generator generator) =>
        Draw(batch, batch.Targets.AsReadOnlySpan(), batch.MaxLength, generator).Reshape(batch.Size, batch.MaxLength, PerPosition);

    /// <summary>Draws the negatives of each sample's last position only (training at the last position).</summary>
    /// <param name="batch">A batch whose users belong to the sampler's dataset.</param>
    /// <param name="generator">The random source.</param>
    /// <returns>Negative ids <c>[B, k]</c>, 0 where the sample has no target.</returns>
    public Tensor DrawLast(SequenceBatch batch, Generator generator) =>
        Draw(batch, batch.LastTargets.AsReadOnlySpan(), 1, generator);

    /// <summary>
    /// k negatives for each non-zero target of <paramref name="targets"/> (<c>[B, positions]</c>), one sampler call
    /// per row, as <c>[B, positions * k]</c>.
    /// </summary>
    private Tensor Draw(SequenceBatch batch, ReadOnlySpan<float> targets, int positions, Generator generator)
    {
        int k = PerPosition;
        if (_buffer.Length < positions * k)
        {
            _buffer = new int[positions * k];
        }

        var result = Tensor.Zeros(batch.Size, positions * k);
        var dst = result.Span;
        for (int b = 0; b < batch.Size; b++)
        {
            var rowTargets = targets.Slice(b * positions, positions);
            int count = 0;
            foreach (float target in rowTargets)
            {
                count += target != 0f ? 1 : 0;
            }

            _sampler.Sample(batch.UserIds[b], count * k, _buffer, generator);
            for (int t = 0, next = 0; t < positions; t++)
            {
                if (rowTargets[t] == 0f)
                {
                    continue;
                }

                var row = dst.Slice(((b * positions) + t) * k, k);
                for (int j = 0; j < k; j++)
                {
                    row[j] = _buffer[next++];
                }
            }
        }

        return result;
    }
}
