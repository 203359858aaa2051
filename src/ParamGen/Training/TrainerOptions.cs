using System.Globalization;
using ParamGen.Evaluation;

namespace ParamGen.Training;

/// <summary>
/// Settings of a <see cref="Trainer"/>. The defaults reproduce the usual RecBole/SASRec recipe for full-ranking
/// evaluation: Adam at 1e-3, batches of 256, full-softmax cross-entropy at every position, validation every epoch
/// and early stopping on NDCG@10 with a patience of 10 evaluations.
/// </summary>
/// <remarks>The record is stored in every checkpoint (as JSON), so a run can be inspected and resumed.</remarks>
public sealed record TrainerOptions
{
    /// <summary>The metric names early stopping accepts (each followed by <c>@K</c>).</summary>
    private static readonly string[] MetricNames = ["NDCG", "HR", "MRR", "Recall", "Coverage", "Diversity"];

    /// <summary>Number of epochs (default 100; early stopping usually ends the run sooner). At least 1.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Training examples per step (default 256, as the SASRec and RecBole recipes). At least 1.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>The learning rate (default 1e-3, Adam's customary rate for these models). Finite and greater than 0.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>
    /// Weight decay (default 0, as RecBole's SASRec): an L2 term added to the gradient with <see cref="OptimizerKind.Adam"/>,
    /// decoupled decay with <see cref="OptimizerKind.AdamW"/>. Finite and non-negative.
    /// </summary>
    public double WeightDecay { get; init; }

    /// <summary>The optimizer (default <see cref="OptimizerKind.Adam"/>).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>
    /// The largest total 2-norm of the gradients before each update (default null: no clipping). Finite and
    /// greater than 0 when set.
    /// </summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>
    /// The seed of everything random in training (default 0): the order of the examples in each epoch, dropout
    /// masks and sampled negatives. Same seed and same <c>Engine.NumThreads</c> give the same model.
    /// </summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// The window L of training batches (default null: the backbone's <c>MaxLength</c>). At least 1 and at most
    /// the backbone's <c>MaxLength</c>.
    /// </summary>
    public int? MaxLength { get; init; }

    /// <summary>The objective (default <see cref="TrainingLoss.CrossEntropy"/>, full softmax at every position).</summary>
    public TrainingLoss Loss { get; init; } = TrainingLoss.CrossEntropy;

    /// <summary>
    /// Which positions carry the loss (default <see cref="TrainingPositions.All"/>). <see cref="TrainingPositions.Last"/>
    /// trains every prefix of each training sequence at its last position, as RecBole does; a model whose generator
    /// conditions on the history needs it.
    /// </summary>
    public TrainingPositions Positions { get; init; } = TrainingPositions.All;

    /// <summary>
    /// Whether training batches hold examples of similar lengths, each cut to its longest history (default false;
    /// see <see cref="Data.SequenceBatchOptions.GroupByLength"/> and <see cref="Data.SequenceBatchOptions.TrimToLongest"/>).
    /// On data whose histories are mostly short (Beauty: 9 items on average in a window of 50) most of the padding
    /// goes, and with it most of the backbone's work. Only for a backbone whose states ignore left padding
    /// (<see cref="Backbones.ISequentialBackbone.IgnoresLeftPadding"/>, e.g. SASRec); the batches' composition
    /// changes, so a run is not the same as one without it. A layer that normalises with batch statistics in training
    /// (a batch norm) then sees batches of one length each, whose statistics differ from the running ones evaluation
    /// uses; the trainer logs a warning naming such layers.
    /// </summary>
    public bool GroupByLength { get; init; }

    /// <summary>
    /// Negatives per position for <see cref="TrainingLoss.SampledBce"/> and <see cref="TrainingLoss.SampledSoftmax"/>
    /// (default null: 1 for SampledBce, as the original SASRec, and 100 for SampledSoftmax). At least 1 when set;
    /// ignored by <see cref="TrainingLoss.CrossEntropy"/>.
    /// </summary>
    public int? NegativeSamples { get; init; }

    /// <summary>
    /// The validation metric that selects the best epoch and drives early stopping (default <c>NDCG@10</c>; higher is
    /// better). One of NDCG, HR, MRR, Recall, Coverage, Diversity followed by <c>@K</c>, with K in
    /// <see cref="EvaluationOptions.Ks"/> of <see cref="Evaluation"/>.
    /// </summary>
    public string EarlyStoppingMetric { get; init; } = "NDCG@10";

    /// <summary>
    /// How many validations in a row without improvement end the run (default 10, as RecBole's <c>stopping_step</c>;
    /// null never stops early). At least 1 when set.
    /// </summary>
    public int? Patience { get; init; } = 10;

    /// <summary>
    /// Validate every this many epochs, and after the last epoch (default 1; 0 never validates, so there is no
    /// best epoch and the final weights are kept). Non-negative.
    /// </summary>
    public int EvaluationInterval { get; init; } = 1;

    /// <summary>
    /// How validation (and the final test) ranks (default: <see cref="EvaluationOptions"/>' defaults; its
    /// <c>MaxLength</c>, when null, becomes this run's window).
    /// </summary>
    public EvaluationOptions Evaluation { get; init; } = new();

    /// <summary>
    /// The folder of the run's checkpoints (default null: none are written). After every epoch it holds
    /// <c>last.safetensors</c> (weights, optimizer, generator state, history), with <see cref="KeepBest"/> also
    /// <c>best.safetensors</c>, and the item vocabulary; see <see cref="TrainingCheckpoint"/>.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>
    /// Whether the weights of the best validated epoch are kept (in memory, and as <c>best.safetensors</c> when
    /// checkpointing) and restored when training ends (default true). Without validation there is no best epoch.
    /// </summary>
    public bool KeepBest { get; init; } = true;

    /// <summary>Whether the final model is evaluated on the split's test examples and the result returned (default true).</summary>
    public bool EvaluateTest { get; init; } = true;

    /// <summary>
    /// Whether each training step runs in a <c>TensorScope</c>, so its intermediate tensors are pooled and reused by
    /// the next step instead of being garbage collected (default true). Turn it off only for a backbone that keeps a
    /// tensor it created during <c>Encode</c> beyond the call (such a tensor would be freed with the step).
    /// </summary>
    public bool PoolStepTensors { get; init; } = true;

    /// <summary>The number of negatives per position the loss draws: 0 for cross-entropy.</summary>
    internal int NegativesPerPosition => Loss switch
    {
        TrainingLoss.CrossEntropy => 0,
        TrainingLoss.SampledBce => NegativeSamples ?? 1,
        _ => NegativeSamples ?? 100,
    };

    /// <summary>Checks every value and throws naming the first bad one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its documented range.</exception>
    /// <exception cref="ArgumentException">The early-stopping metric is malformed or its K is not evaluated.</exception>
    public void Validate()
    {
        Check(Epochs >= 1, nameof(Epochs), Epochs, "must be at least 1");
        Check(BatchSize >= 1, nameof(BatchSize), BatchSize, "must be at least 1");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "must be finite and greater than 0");
        Check(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, "must be finite and non-negative");
        Check(Enum.IsDefined(Optimizer), nameof(Optimizer), Optimizer, "is not a known optimizer");
        Check(GradientClipNorm is not double c || (c > 0 && double.IsFinite(c)), nameof(GradientClipNorm), GradientClipNorm!, "must be finite and greater than 0 (or null for no clipping)");
        Check(MaxLength is not int l || l >= 1, nameof(MaxLength), MaxLength!, "must be at least 1 (or null for the backbone's)");
        Check(Enum.IsDefined(Loss), nameof(Loss), Loss, "is not a known loss");
        Check(Enum.IsDefined(Positions), nameof(Positions), Positions, "is not a known choice");
        Check(NegativeSamples is not int k || k >= 1, nameof(NegativeSamples), NegativeSamples!, "must be at least 1 (or null for the loss's default)");
        Check(Patience is not int p || p >= 1, nameof(Patience), Patience!, "must be at least 1 (or null to never stop early)");
        Check(EvaluationInterval >= 0, nameof(EvaluationInterval), EvaluationInterval, "must be non-negative (0 never validates)");
        if (Evaluation is null)
        {
            throw new ArgumentNullException(nameof(Evaluation), "TrainerOptions.Evaluation must not be null.");
        }

        Evaluation.Validate();
        int metricK = ParseMetric(EarlyStoppingMetric);
        if (!Evaluation.Ks.Contains(metricK))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"TrainerOptions.EarlyStoppingMetric '{EarlyStoppingMetric}' needs K = {metricK} among Evaluation.Ks ({string.Join(", ", Evaluation.Ks)})."), nameof(EarlyStoppingMetric));
        }

        if (CheckpointDirectory is { Length: 0 })
        {
            throw new ArgumentException("TrainerOptions.CheckpointDirectory is empty; use null for no checkpoints.", nameof(CheckpointDirectory));
        }
    }

    /// <summary>The K of a metric name such as <c>NDCG@10</c>.</summary>
    /// <exception cref="ArgumentException">The name is not NAME@K with a known NAME and K at least 1.</exception>
    private static int ParseMetric(string? metric)
    {
        int at = metric?.IndexOf('@', StringComparison.Ordinal) ?? -1;
        if (metric is null || at < 0 || !MetricNames.Contains(metric[..at], StringComparer.Ordinal)
            || !int.TryParse(metric.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k < 1)
        {
            throw new ArgumentException($"TrainerOptions.EarlyStoppingMetric '{metric}' is not a metric: use NAME@K with NAME one of {string.Join(", ", MetricNames)} and K at least 1, e.g. NDCG@10.", nameof(EarlyStoppingMetric));
        }

        return k;
    }

    private static void Check(bool ok, string property, object? value, string rule) =>
        OptionCheck.Require(ok, nameof(TrainerOptions), property, value, rule);
}
