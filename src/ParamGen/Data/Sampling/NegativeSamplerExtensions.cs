using ParamGen.Tensors;
using ParamGen.Tensors.Random;

namespace ParamGen.Data;

/// <summary>Batch-level helpers over <see cref="INegativeSampler"/>.</summary>
public static class NegativeSamplerExtensions
{
    /// <summary>
    /// One negative per target position of a batch, <c>[B, L]</c> (SASRec's BCE training): at each position
    /// where <see cref="SequenceBatch.Targets"/> is not padding, an item row b's user never interacted with in the
    /// sampler's dataset; 0 elsewhere. Rows are drawn in order, each with one <see cref="INegativeSampler.Sample"/> call.
    /// </summary>
    /// <param name="sampler">The sampler.</param>
    /// <param name="batch">A batch whose user ids belong to the sampler's dataset.</param>
    /// <param name="generator">The random source.</param>
    /// <returns>Negative item ids as floats, <c>[B, L]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A row's user is not in the sampler's dataset (e.g. a batch from <see cref="SequenceBatch.FromHistories"/>).</exception>
    public static Tensor SampleForTargets(this INegativeSampler sampler, SequenceBatch batch, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(generator);
        foreach (int user in batch.UserIds)
        {
            NegativeSamplerChecks.CheckUser(sampler.GetType().Name, sampler.Dataset, user);
        }

        int l = batch.MaxLength;
        var result = new float[batch.Size * l];
        Span<int> drawn = l <= 256 ? stackalloc int[l] : new int[l];
        var targets = batch.Targets.AsReadOnlySpan();
        for (int b = 0; b < batch.Size; b++)
        {
            // Targets of a row are 0 exactly on its left padding (and, for FromHistories rows, the last column).
            int first = l - batch.Lengths[b], count = 0;
            for (int t = first; t < l; t++)
            {
                count += targets[(b * l) + t] != 0 ? 1 : 0;
            }

            sampler.Sample(batch.UserIds[b], count, drawn, generator);
            for (int t = first, k = 0; t < l; t++)
            {
                if (targets[(b * l) + t] != 0)
                {
                    result[(b * l) + t] = drawn[k++];
                }
            }
        }

        return new Tensor(result, batch.Size, l);
    }
}
