using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Evaluation;

namespace ParamGen.Training;

/// <summary>
/// How a <see cref="Trainer"/> scores a model on examples (validation and test); <see cref="Evaluator.Evaluate"/>
/// unless a test replaces it. Called in evaluation mode without gradient recording.
/// </summary>
internal delegate EvaluationResult ValidationScorer(ISequentialRecommender model, InteractionDataset dataset,
    IReadOnlyList<SequenceExample> examples, EvaluationOptions options, CancellationToken cancellationToken);
