using ParamGen.Backbones;
using ParamGen.Data;

namespace ParamGen.Evaluation;

/// <summary>Evaluates a recommender on examples (e.g. a split's validation or test part).</summary>
public static class Evaluator
{
    /// <summary>Ranks each example's target and computes the metrics.</summary>
    /// <param name="model">The recommender (put in evaluation mode for the run).</param>
    /// <param name="dataset">The dataset the examples index.</param>
    /// <param name="examples">The examples.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="progress">Receives the number of examples done, or null.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>The metrics.</returns>
    public static EvaluationResult Evaluate(ISequentialRecommender model, InteractionDataset dataset, IReadOnlyList<SequenceExample> examples,
        EvaluationOptions? options = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException("Evaluator.Evaluate is being written (backbone issue).");
}
