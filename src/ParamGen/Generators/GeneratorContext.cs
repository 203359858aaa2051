using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors;

namespace ParamGen.Generators;

/// <summary>
/// What a generator conditions on for one batch: the item history (the batch), the backbone (its item embeddings,
/// its states), the group of each sample and, for the generators that take them, task-requirement vectors.
/// </summary>
public sealed class GeneratorContext
{
    /// <summary>Creates the context of a batch.</summary>
    /// <param name="batch">The batch (item histories, lengths, domain ids).</param>
    /// <param name="backbone">The backbone the generated weights are for.</param>
    /// <param name="groupCount">Number of groups the model knows; each row's domain id must be below it.</param>
    /// <exception cref="ArgumentException">A row's domain id is outside [0, <paramref name="groupCount"/>); the message names the row.</exception>
    public GeneratorContext(SequenceBatch batch, ISequentialBackbone backbone, int groupCount)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(backbone);
        Batch = batch;
        Backbone = backbone;
        Samples = Adapters.SampleInfo.From(batch, groupCount);
    }

    /// <summary>The batch: item histories <c>[B, L]</c>, lengths, user and domain ids.</summary>
    public SequenceBatch Batch { get; }

    /// <summary>The backbone the weights are for.</summary>
    public ISequentialBackbone Backbone { get; }

    /// <summary>Group (domain) of each sample and real lengths, checked against the group count.</summary>
    public Adapters.SampleInfo Samples { get; }

    /// <summary>Number of samples B.</summary>
    public int Rows => Batch.Size;

    /// <summary>Group (domain) id of each sample <c>[B]</c>.</summary>
    public ReadOnlySpan<int> Groups => Samples.Groups;

    /// <summary>Task-requirement vectors <c>[B, r]</c> for generators conditioned on them (Paragon); default none.</summary>
    public Tensor? Requirements { get; init; }
}
