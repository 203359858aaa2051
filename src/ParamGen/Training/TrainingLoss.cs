namespace ParamGen.Training;

/// <summary>The training objective of a <see cref="Trainer"/> (see <see cref="SequenceLosses"/> for the formulas).</summary>
public enum TrainingLoss
{
    /// <summary>
    /// Full-softmax cross-entropy over the whole catalogue at every non-padding position (the default): the
    /// strongest objective for full-ranking evaluation, computed in chunks so the logits never exist whole.
    /// </summary>
    CrossEntropy,

    /// <summary>
    /// Binary cross-entropy of the target against k sampled negatives at every position, as the original SASRec
    /// (k = 1). Cheapest per step; weaker under full ranking.
    /// </summary>
    SampledBce,

    /// <summary>Softmax cross-entropy over the target and k sampled negatives at every position (sampled softmax).</summary>
    SampledSoftmax,
}
