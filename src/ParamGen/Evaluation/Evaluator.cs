using System.Diagnostics;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors.Memory;

namespace ParamGen.Evaluation;

/// <summary>
/// Evaluates a recommender on examples (e.g. a split's validation or test part): each example's target is ranked
/// against the whole catalogue (or against sampled negatives) from the state of the last input position, and the
/// ranks become HR, NDCG, MRR and Recall at every K, plus catalogue coverage and category diversity of the top-K
/// lists.
/// </summary>
/// <remarks>
/// <para><b>Full ranking</b> (the default): per batch, one product of the last states <c>[B, d]</c> with the item
/// embeddings (<see cref="ISequentialBackbone.Score"/>), then one vectorised pass per row counts the items scoring
/// strictly higher than the target and those level with it (<see cref="EvaluationOptions.Ties"/> decides where the
/// target lands among those). The padding id 0 is never a candidate; with <see cref="EvaluationOptions.MaskHistory"/>
/// neither are the items of the example's input (the target excepted). A NaN target score ranks last.</para>
/// <para><b>Sampled</b>: the target is ranked against the user's fixed negatives
/// (<see cref="SampledEvaluationNegatives"/>, 100 by default) through <see cref="ISequentialBackbone.ScoreCandidates"/>.</para>
/// <para><b>Per domain</b>: when the dataset has several domains, each example counts towards the domain of its
/// target interaction as well as overall; with <see cref="CandidateScope.UserDomain"/> only that domain's items are its
/// candidates (<see cref="EvaluationOptions.CandidateScope"/>).</para>
/// <para>The model runs in evaluation mode without recording a graph, and goes back to training mode afterwards if it
/// was in it. Results do not depend on <c>Engine.NumThreads</c>.</para>
/// </remarks>
public static class Evaluator
{
    /// <summary>Ranks each example's target and computes the metrics.</summary>
    /// <param name="model">The recommender (put in evaluation mode for the run).</param>
    /// <param name="dataset">The dataset the examples index; the model must score exactly its items.</param>
    /// <param name="examples">The examples (at least one).</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="progress">Receives the number of examples done after each batch, or null.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or <see cref="EvaluationOptions.MaxLength"/> exceeds the backbone's.</exception>
    /// <exception cref="ArgumentException">There are no examples, an example does not fit the dataset, the model's catalogue differs from the dataset's, or given negatives belong to another dataset.</exception>
    /// <exception cref="InvalidOperationException">The backbone returned states or scores of the wrong shape; the message names them.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static EvaluationResult Evaluate(ISequentialRecommender model, InteractionDataset dataset, IReadOnlyList<SequenceExample> examples,
        EvaluationOptions? options = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(examples);
        options ??= new EvaluationOptions();
        options.Validate();
        var backbone = model.Backbone;
        if (backbone.NumItems != dataset.NumItems)
        {
            throw new ArgumentException($"Evaluator: the model scores {backbone.NumItems} items but dataset '{dataset.Name}' has {dataset.NumItems}; evaluate a model on the dataset (item ids) it was built for.", nameof(model));
        }

        int maxLength = options.MaxLength ?? backbone.MaxLength;
        if (maxLength > backbone.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(options), maxLength, $"Evaluator: EvaluationOptions.MaxLength = {maxLength} exceeds the backbone's MaxLength {backbone.MaxLength}.");
        }

        if (examples.Count == 0)
        {
            throw new ArgumentException($"Evaluator: no examples to evaluate on dataset '{dataset.Name}'.", nameof(examples));
        }

        var batcher = new SequenceBatcher(dataset, examples, new SequenceBatchOptions { BatchSize = options.BatchSize, MaxLength = maxLength });
        cancellationToken.ThrowIfCancellationRequested();
        var clock = Stopwatch.StartNew();
        var negatives = options.Protocol == EvaluationProtocol.Sampled ? Negatives(dataset, options, cancellationToken) : null;
        var run = new RankingRun(model, dataset, options, negatives, examples.Count);
        using (InferenceMode.Enter(model.Module))
        {
            int done = 0;
            foreach (var batch in batcher)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using (TensorScope.Begin())
                {
                    run.Score(batch, done);
                }

                done += batch.Size;
                progress?.Report(done);
            }
        }

        return run.Result(clock.Elapsed.TotalSeconds);
    }

    private static SampledEvaluationNegatives Negatives(InteractionDataset dataset, EvaluationOptions options, CancellationToken cancellationToken)
    {
        if (options.Negatives is not { } given)
        {
            return SampledEvaluationNegatives.Create(dataset, new SampledEvaluationOptions { Count = options.SampledNegatives, Seed = options.Seed }, cancellationToken);
        }

        if (given.NumUsers != dataset.NumUsers)
        {
            throw new ArgumentException($"Evaluator: the given negatives cover {given.NumUsers} users but dataset '{dataset.Name}' has {dataset.NumUsers}; draw them from the evaluated dataset.", nameof(options));
        }

        return given;
    }
}
