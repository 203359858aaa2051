using ParamGen.Data;

namespace ParamGen.Adapters;

/// <summary>
/// What an adapter may need to know about the samples its generated weights serve, beyond the weights: the group
/// (domain, task) of each sample, for adapters with group-wise state such as HAMUR's domain norm, and the number of
/// real (non-padding) positions of each left-padded sequence, so statistics skip padding.
/// </summary>
/// <param name="Groups">Group id of each sample <c>[B]</c>, each in [0, <paramref name="GroupCount"/>).</param>
/// <param name="GroupCount">Number of groups the model knows (at least 1).</param>
/// <param name="Lengths">Real positions of each sample <c>[B]</c>: in a <c>[B, L, d]</c> state, sample b's real
/// positions are its last <c>Lengths[b]</c>; null means every position is real.</param>
public sealed record SampleInfo(int[] Groups, int GroupCount, int[]? Lengths)
{
    /// <summary>The samples of a batch: groups are the batch's domain ids (the target interaction's domain), lengths its input lengths.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="groupCount">Number of domains the model was built for.</param>
    /// <returns>The sample description.</returns>
    /// <exception cref="ArgumentException">A row's domain id is outside [0, <paramref name="groupCount"/>); the message names the row and the id.</exception>
    public static SampleInfo From(SequenceBatch batch, int groupCount)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(groupCount, 1);
        var groups = batch.DomainIds.ToArray();
        for (int b = 0; b < groups.Length; b++)
        {
            if ((uint)groups[b] >= (uint)groupCount)
            {
                throw new ArgumentException($"Batch row {b} (user {batch.UserIds[b]}) has domain id {groups[b]}, but the model knows {groupCount} domain(s) (ids 0..{groupCount - 1}); it was not trained with that domain.", nameof(batch));
            }
        }

        return new SampleInfo(groups, groupCount, batch.Lengths.ToArray());
    }

    /// <summary>Checks that the description fits <paramref name="rows"/> samples.</summary>
    /// <param name="rows">The number of samples served.</param>
    /// <exception cref="ArgumentException">An array has the wrong length or a group id is out of range.</exception>
    internal void Check(int rows)
    {
        if (Groups.Length != rows || (Lengths is not null && Lengths.Length != rows))
        {
            throw new ArgumentException($"Sample info describes {Groups.Length} groups and {Lengths?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} lengths, but the weights serve {rows} samples.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(GroupCount, 1);
        for (int b = 0; b < Groups.Length; b++)
        {
            if ((uint)Groups[b] >= (uint)GroupCount)
            {
                throw new ArgumentException($"Sample {b} has group id {Groups[b]}, outside [0, {GroupCount}).");
            }
        }
    }
}
