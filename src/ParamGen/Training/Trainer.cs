using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Evaluation;
using ParamGen.Generators;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Memory;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Serialization;

namespace ParamGen.Training;

/// <summary>
/// Trains a sequential recommender on a <see cref="DatasetSplit"/>: shuffled batches of the training examples, the
/// next-item loss at every position, Adam or AdamW, validation with early stopping, best-weights keeping,
/// checkpoints and resumption, as RecBole's trainer.
/// <code>
/// var trainer = new Trainer(new SequentialRecommender(backbone), new TrainerOptions { Epochs = 50, CheckpointDirectory = "runs/sasrec" }, logger);
/// TrainingResult result = trainer.Fit(split, progress, cancellationToken);
/// double testNdcg = result.Test!["NDCG@10"];   // the best epoch's test metrics (result.BestEpoch)
/// </code>
/// </summary>
/// <remarks>
/// <para><b>What is trained.</b> Every parameter of <see cref="ISequentialRecommender.Module"/> with
/// <c>RequiresGrad</c> set; frozen parameters are left out of the optimizer and stay bit-identical.</para>
/// <para><b>Randomness.</b> The example order of epoch e depends only on (<see cref="TrainerOptions.Seed"/>, e). At the
/// start of epoch e the trainer re-seeds <see cref="Generator"/> from the same pair; dropout masks and sampled
/// negatives come from it, so pass the generator the model's dropout draws from (the default,
/// <see cref="Generator.Default"/>, is what modules use when built without one). With the same initial model, seed
/// and <c>Engine.NumThreads</c>, training is bitwise repeatable, and a resumed run ends with the same model as an
/// uninterrupted one.</para>
/// <para><b>Memory.</b> Each step runs in a <c>TensorScope</c> (see <see cref="TrainerOptions.PoolStepTensors"/>) and
/// gradients are zeroed in place rather than dropped (PyTorch 1.13's <c>zero_grad()</c>), so after the first step the
/// loop reuses its buffers. Nothing is logged per step; progress reports are values.</para>
/// <para><b>Cancellation.</b> The token is checked before every step and every evaluation; cancelling throws
/// <see cref="OperationCanceledException"/> and leaves the model as the interrupted step left it (the checkpoint folder
/// still holds the last finished epoch).</para>
/// </remarks>
public sealed class Trainer
{
    private readonly ILogger _logger;

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The recommender to train (trained in place).</param>
    /// <param name="options">The options (default: <see cref="TrainerOptions"/>' defaults).</param>
    /// <param name="logger">Receives one line per epoch and a few per run (default: none).</param>
    /// <param name="generator">The generator that the model's dropout draws from; the trainer re-seeds it each epoch
    /// and draws sampled negatives from it (default <see cref="Generator.Default"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="ArgumentException">The early-stopping metric is malformed or not evaluated; or the options do
    /// not suit the model: <see cref="TrainingPositions.All"/> with a generator that conditions on the history, or
    /// <see cref="TrainerOptions.GroupByLength"/> with a backbone whose states depend on left padding.</exception>
    public Trainer(ISequentialRecommender model, TrainerOptions? options = null, ILogger? logger = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new TrainerOptions();
        options.Validate();
        if (options.Positions == TrainingPositions.All && model is GeneratedRecommender { Generator: { ConditionsOnHistory: true } history })
        {
            throw new ArgumentException($"Trainer: {history.GetType().Name} conditions on the whole history, which at every position but the last holds " +
                "that position's own target; train it with TrainerOptions.Positions = TrainingPositions.Last.", nameof(options));
        }

        if (options.GroupByLength && !model.Backbone.IgnoresLeftPadding)
        {
            throw new ArgumentException($"Trainer: TrainerOptions.GroupByLength cuts each batch's window to its longest history, which changes the states of {model.Backbone.GetType().Name}: " +
                "its IgnoresLeftPadding is false (it runs through the padding). Leave GroupByLength off for it.", nameof(options));
        }

        Model = model;
        Options = options;
        Generator = generator ?? Generator.Default;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The recommender being trained.</summary>
    public ISequentialRecommender Model { get; }

    /// <summary>The options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The generator of dropout masks and sampled negatives (re-seeded every epoch).</summary>
    public Generator Generator { get; }

    /// <summary>Scores the model on validation and test examples (a seam for tests; <see cref="Evaluator.Evaluate"/> by default).</summary>
    internal ValidationScorer Scorer { get; set; } = static (model, dataset, examples, options, token) =>
        Evaluator.Evaluate(model, dataset, examples, options, progress: null, token);

    /// <summary>
    /// Trains from the model's current weights for <see cref="TrainerOptions.Epochs"/> epochs (fewer when early
    /// stopping ends the run), then restores the best validated weights (<see cref="TrainerOptions.KeepBest"/>) and
    /// evaluates the test examples (<see cref="TrainerOptions.EvaluateTest"/>). The model is left in evaluation mode.
    /// </summary>
    /// <param name="split">The data: training examples, validation and test examples of one dataset whose catalogue
    /// is the backbone's.</param>
    /// <param name="progress">Receives a report after every step and around every validation (default: none).</param>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    /// <returns>The history, the best epoch and score, and the test metrics.</returns>
    /// <exception cref="ArgumentException">The split does not fit the model (catalogue size, empty parts the options
    /// need, a window longer than the backbone reads); nothing has changed.</exception>
    /// <exception cref="InvalidOperationException">The model has no trainable parameter.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public TrainingResult Fit(DatasetSplit split, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var run = Prepare(split, cancellationToken);
        if (Options.CheckpointDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
            TrainingCheckpoint.WriteItems(directory, split.Dataset.Items);
        }

        return Run(run, progress, cancellationToken);
    }

    /// <summary>
    /// Continues a run from the <c>last.safetensors</c> of a checkpoint folder: weights, optimizer moments, history,
    /// best epoch and best weights are restored and training goes on at the next epoch, up to
    /// <see cref="TrainerOptions.Epochs"/> (which may be larger than the saved run's). The result equals that of an
    /// uninterrupted run with these options. Options that shape the trajectory (batch size, learning rate, weight
    /// decay, optimizer, clipping, seed, window, loss, negatives, metric) must equal the saved run's.
    /// </summary>
    /// <param name="split">The same data the saved run trained on.</param>
    /// <param name="checkpointDirectory">The saved run's checkpoint folder (new checkpoints go to
    /// <see cref="TrainerOptions.CheckpointDirectory"/>, which may be the same folder).</param>
    /// <param name="progress">Receives reports as in <see cref="Fit"/>.</param>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    /// <returns>The whole run's history (saved epochs included), best epoch and test metrics.</returns>
    /// <exception cref="FileNotFoundException">The folder has no <c>last.safetensors</c>.</exception>
    /// <exception cref="ArgumentException">The options, data or model differ from the saved run's; the message names
    /// what differs. Nothing has changed.</exception>
    /// <exception cref="InvalidDataException">The checkpoint is not a training checkpoint.</exception>
    public TrainingResult Resume(DatasetSplit split, string checkpointDirectory, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointDirectory);
        var run = Prepare(split, cancellationToken);
        string last = Path.Combine(checkpointDirectory, TrainingCheckpoint.LastFileName);
        if (!File.Exists(last))
        {
            throw new FileNotFoundException($"Cannot resume: '{checkpointDirectory}' holds no {TrainingCheckpoint.LastFileName}.", last);
        }

        var record = TrainingCheckpoint.ReadRecord(last);
        CheckResumable(record, run, last);
        string best = Path.Combine(checkpointDirectory, TrainingCheckpoint.BestFileName);
        var bestWeights = Options.KeepBest && record.BestEpoch is not null && File.Exists(best) ? TrainingCheckpoint.ReadWeights(best, Model.Module) : null;
        Checkpoint.Load(last, Model.Module, run.Optimizer, generator: Generator);

        run.History.AddRange(record.History);
        run.Steps = record.Steps;
        run.BestEpoch = record.BestEpoch;
        run.BestScore = record.BestScore;
        run.SinceBest = ValidationsSince(record.History, record.BestEpoch);
        if (bestWeights is not null)
        {
            run.Best = new WeightSnapshot();
            run.Best.Set(bestWeights);
        }

        if (Options.CheckpointDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
            TrainingCheckpoint.WriteItems(directory, split.Dataset.Items);
            if (bestWeights is not null && !SameDirectory(directory, checkpointDirectory))
            {
                // The new folder must offer the best weights so far even if no later epoch improves on them.
                AtomicFile.WriteAllBytes(Path.Combine(directory, TrainingCheckpoint.BestFileName), File.ReadAllBytes(best));
                AtomicFile.WriteAllBytes(Checkpoint.SidecarPath(Path.Combine(directory, TrainingCheckpoint.BestFileName)), File.ReadAllBytes(Checkpoint.SidecarPath(best)));
            }
        }

        TrainerLog.Resumed(_logger, last, record.EpochsDone, record.Steps);
        return Run(run, progress, cancellationToken);
    }

    private static bool SameDirectory(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);

    private static int ValidationsSince(IReadOnlyList<EpochRecord> history, int? bestEpoch)
    {
        int count = 0;
        foreach (var e in history)
        {
            count += e.Score is not null && e.Epoch > (bestEpoch ?? 0) ? 1 : 0;
        }

        return count;
    }

    private RunState Prepare(DatasetSplit split, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(split);
        cancellationToken.ThrowIfCancellationRequested();
        var backbone = Model.Backbone;
        var dataset = split.Dataset;
        if (dataset.NumItems != backbone.NumItems)
        {
            throw new ArgumentException($"Trainer: dataset '{dataset.Name}' has {dataset.NumItems} items but the backbone {backbone.GetType().Name} was built for {backbone.NumItems}.", nameof(split));
        }

        int maxLength = Options.MaxLength ?? backbone.MaxLength;
        if (maxLength > backbone.MaxLength)
        {
            throw new ArgumentException($"Trainer: TrainerOptions.MaxLength {maxLength} exceeds the backbone's MaxLength {backbone.MaxLength}.", nameof(split));
        }

        CheckPart(split.Train, "training", "the split", dataset);
        if (Options.EvaluationInterval > 0)
        {
            CheckPart(split.Valid, "validation", "set TrainerOptions.EvaluationInterval = 0 to train without validation", dataset);
        }

        if (Options.EvaluateTest)
        {
            CheckPart(split.Test, "test", "set TrainerOptions.EvaluateTest = false to skip the test evaluation", dataset);
        }

        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var trainable = new List<Tensor>();
        foreach (var p in Model.Module.Parameters())
        {
            if (p.RequiresGrad && seen.Add(p))
            {
                trainable.Add(p);
            }
        }

        if (trainable.Count == 0)
        {
            throw new InvalidOperationException($"Trainer: {Model.GetType().Name} has no trainable parameter (all are frozen).");
        }

        Optimizer optimizer = Options.Optimizer == OptimizerKind.AdamW
            ? new AdamW(trainable, new AdamWOptions { LearningRate = Options.LearningRate, WeightDecay = Options.WeightDecay })
            : new Adam(trainable, new AdamOptions { LearningRate = Options.LearningRate, WeightDecay = Options.WeightDecay });
        var examples = Options.Positions == TrainingPositions.Last ? Prefixes(split.Train) : split.Train;
        var batcher = new SequenceBatcher(dataset, examples, new SequenceBatchOptions
        {
            BatchSize = Options.BatchSize,
            MaxLength = maxLength,
            Shuffle = true,
            Seed = StreamSeed.Derive(Options.Seed, 0),
            GroupByLength = Options.GroupByLength,
            TrimToLongest = Options.GroupByLength,
        });
        int k = Options.NegativesPerPosition;
        return new RunState
        {
            Split = split,
            MaxLength = maxLength,
            Trainable = [.. trainable],
            Optimizer = optimizer,
            Batcher = batcher,
            Negatives = k > 0 ? new NegativeDraws(new UniformNegativeSampler(dataset), k) : null,
            Evaluation = Options.Evaluation with { MaxLength = Options.Evaluation.MaxLength ?? maxLength },
            Dataset = new DatasetSummary(dataset.Name, dataset.NumUsers, dataset.NumItems, dataset.NumInteractions, examples.Count),
            Backbone = Model is SequentialRecommender or GeneratedRecommender ? BackboneRegistry.Describe(backbone) : null,
            Generator = Model is GeneratedRecommender composite ? GeneratorRegistry.Describe(composite.Generator) : null,
            ModelType = Model switch
            {
                SequentialRecommender => backbone.GetType().Name,
                GeneratedRecommender generated => $"{backbone.GetType().Name} + {generated.Generator.GetType().Name}",
                _ => $"{Model.GetType().Name} ({backbone.GetType().Name})",
            },
            GeneratorSeed = StreamSeed.Derive(Options.Seed, 1),
        };
    }

    /// <summary>Every prefix of each example (End 2, 3, ..., End): one example per target, in the split's order.</summary>
    private static List<SequenceExample> Prefixes(IReadOnlyList<SequenceExample> examples)
    {
        var prefixes = new List<SequenceExample>();
        foreach (var example in examples)
        {
            for (int end = 2; end <= example.End; end++)
            {
                prefixes.Add(example with { End = end });
            }
        }

        return prefixes;
    }

    private static void CheckPart(IReadOnlyList<SequenceExample>? part, string name, string hint, InteractionDataset dataset)
    {
        if (part is null || part.Count == 0)
        {
            throw new ArgumentException($"Trainer: the split of dataset '{dataset.Name}' has no {name} examples; {hint}.", "split");
        }
    }

    private void CheckResumable(TrainingRecord record, RunState run, string path)
    {
        var saved = record.Trainer;
        void Same<T>(string what, T then, T now)
        {
            if (!EqualityComparer<T>.Default.Equals(then, now))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Cannot resume {path}: {what} was {then?.ToString() ?? "null"} in the saved run but is {now?.ToString() ?? "null"} now."), "checkpointDirectory");
            }
        }

        Same("TrainerOptions.BatchSize", saved.BatchSize, Options.BatchSize);
        Same("TrainerOptions.LearningRate", saved.LearningRate, Options.LearningRate);
        Same("TrainerOptions.WeightDecay", saved.WeightDecay, Options.WeightDecay);
        Same("TrainerOptions.Optimizer", saved.Optimizer, Options.Optimizer);
        Same("TrainerOptions.GradientClipNorm", saved.GradientClipNorm, Options.GradientClipNorm);
        Same("TrainerOptions.Seed", saved.Seed, Options.Seed);
        Same("the training window (TrainerOptions.MaxLength)", saved.MaxLength ?? Model.Backbone.MaxLength, run.MaxLength);
        Same("TrainerOptions.Loss", saved.Loss, Options.Loss);
        Same("TrainerOptions.Positions", saved.Positions, Options.Positions);
        Same("TrainerOptions.GroupByLength", saved.GroupByLength, Options.GroupByLength);
        Same("the negatives per position (TrainerOptions.NegativeSamples)", saved.NegativesPerPosition, Options.NegativesPerPosition);
        Same("TrainerOptions.EarlyStoppingMetric", saved.EarlyStoppingMetric, Options.EarlyStoppingMetric);
        Same("the dataset", record.Dataset, run.Dataset);
        Same("the model", record.ModelType, run.ModelType);
        Same("the number of epochs in the history", record.History.Count, record.EpochsDone);
    }

    private TrainingResult Run(RunState run, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string metric = Options.EarlyStoppingMetric;
        TrainerLog.Started(_logger, run.ModelType, run.Dataset.Name, run.Dataset.TrainExamples, run.Batcher.BatchCount,
            SumElements(run.Trainable), Options.Loss, Options.Optimizer, Options.LearningRate, Engine.NumThreads);
        if (Options.GroupByLength && BatchStatisticsModules(Model.Module) is { Length: > 0 } norms)
        {
            TrainerLog.GroupedBatchStatistics(_logger, run.ModelType, norms);
        }

        bool patienceOut = Options.Patience is int p0 && run.SinceBest >= p0;
        for (int epoch = run.History.Count; epoch < Options.Epochs && !patienceOut; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (loss, steps, seconds) = TrainEpoch(run, epoch, progress, cancellationToken);

            IReadOnlyDictionary<string, double>? metrics = null;
            double? score = null;
            double validationSeconds = 0;
            if (Options.EvaluationInterval > 0 && ((epoch + 1) % Options.EvaluationInterval == 0 || epoch + 1 == Options.Epochs))
            {
                progress?.Report(new TrainingProgress(TrainingPhase.Validating, epoch + 1, Options.Epochs, steps, steps, run.Steps, loss, null));
                var validation = Score(run, run.Split.Valid, cancellationToken);
                validationSeconds = validation.Seconds;
                metrics = validation.Overall;
                score = validation[metric];
            }

            bool improved = score is double s && !double.IsNaN(s) && (run.BestScore is not double b || s > b);
            if (improved)
            {
                run.BestEpoch = epoch + 1;
                run.BestScore = score;
                run.SinceBest = 0;
                if (Options.KeepBest)
                {
                    (run.Best ??= new WeightSnapshot()).Capture(Model.Module);
                }
            }
            else if (score is not null)
            {
                run.SinceBest++;
            }

            var record = new EpochRecord(epoch + 1, loss, steps, seconds, validationSeconds, metrics, score);
            run.History.Add(record);
            SaveCheckpoints(run, improved);
            if (score is double sc)
            {
                TrainerLog.EpochValidated(_logger, epoch + 1, Options.Epochs, loss, seconds, metric, sc, validationSeconds, improved ? " (best)" : string.Empty);
            }
            else
            {
                TrainerLog.Epoch(_logger, epoch + 1, Options.Epochs, loss, seconds);
            }

            progress?.Report(new TrainingProgress(TrainingPhase.EpochCompleted, epoch + 1, Options.Epochs, steps, steps, run.Steps, loss, record));
            patienceOut = Options.Patience is int patience && run.SinceBest >= patience;
            if (patienceOut && epoch + 1 < Options.Epochs && run.BestEpoch is int be)
            {
                TrainerLog.EarlyStop(_logger, epoch + 1, metric, Options.Patience!.Value, run.BestScore!.Value, be);
            }
        }

        bool restored = false;
        if (Options.KeepBest && run.Best is not null && run.BestEpoch is int bestEpoch)
        {
            if (bestEpoch != run.History.Count)
            {
                run.Best.Restore(Model.Module);
                TrainerLog.RestoredBest(_logger, bestEpoch, metric, run.BestScore!.Value);
            }

            restored = true;
        }

        EvaluationResult? test = null;
        if (Options.EvaluateTest)
        {
            int epochs = run.History.Count;
            progress?.Report(new TrainingProgress(TrainingPhase.Testing, epochs, Options.Epochs, 0, run.Batcher.BatchCount, run.Steps, double.NaN, null));
            test = Score(run, run.Split.Test, cancellationToken);
            TrainerLog.Test(_logger, string.Join(", ", test.Overall.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:F4}"))), test.Examples, test.Seconds);
        }

        Model.Module.Eval();
        return new TrainingResult
        {
            Epochs = [.. run.History],
            Metric = metric,
            BestEpoch = run.BestEpoch,
            BestScore = run.BestScore,
            StoppedEarly = patienceOut && run.History.Count < Options.Epochs,
            RestoredBest = restored,
            Steps = run.Steps,
            Test = test,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    private (double Loss, int Steps, double Seconds) TrainEpoch(RunState run, int epoch, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        Generator.ManualSeed(StreamSeed.Derive(run.GeneratorSeed, (ulong)epoch));
        Model.Module.Train();
        var clock = Stopwatch.StartNew();
        double sum = 0;
        int step = 0, steps = run.Batcher.BatchCount;
        foreach (var batch in run.Batcher.Epoch(epoch))
        {
            cancellationToken.ThrowIfCancellationRequested();
            sum += Step(run, batch);
            step++;
            run.Steps++;
            progress?.Report(new TrainingProgress(TrainingPhase.Step, epoch + 1, Options.Epochs, step, steps, run.Steps, sum / step, null));
        }

        return (sum / step, step, clock.Elapsed.TotalSeconds);
    }

    /// <summary>One optimizer step on a batch; returns its loss.</summary>
    private float Step(RunState run, SequenceBatch batch)
    {
        using var scope = Options.PoolStepTensors ? TensorScope.Begin() : null;
        foreach (var p in run.Trainable)
        {
            if (p.Grad is { } g)
            {
                g.Span.Clear();
            }
        }

        Tensor states, targets;
        Tensor? negatives;
        if (Options.Positions == TrainingPositions.Last)
        {
            negatives = run.Negatives?.DrawLast(batch, Generator); // [B, k]
            states = Model.EncodeLast(batch);                     // [B, d]: SASRec runs its last block for the last query only
            targets = batch.LastTargets;                          // [B]
        }
        else
        {
            negatives = run.Negatives?.Draw(batch, Generator);    // [B, L, k]
            states = Model.Encode(batch);                         // [B, L, d]
            targets = batch.Targets;                              // [B, L]
        }

        var items = Model.Backbone.ItemEmbeddings;                // [C, d]
        var loss = Options.Loss switch
        {
            TrainingLoss.SampledBce => SequenceLosses.SampledBce(states, items, targets, negatives!),
            TrainingLoss.SampledSoftmax => SequenceLosses.SampledSoftmax(states, items, targets, negatives!),
            _ => SequenceLosses.CrossEntropy(states, items, targets),
        };
        loss.Backward();
        if (Options.GradientClipNorm is double maxNorm)
        {
            GradClip.ClipGradNorm(run.Trainable, maxNorm);
        }

        run.Optimizer.Step();
        return loss.Item();
    }

    private EvaluationResult Score(RunState run, IReadOnlyList<SequenceExample> examples, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Model.Module.Eval();
        using (Grad.NoGrad())
        {
            return Scorer(Model, run.Split.Dataset, examples, run.Evaluation, cancellationToken);
        }
    }

    private void SaveCheckpoints(RunState run, bool improved)
    {
        if (Options.CheckpointDirectory is not { } directory)
        {
            return;
        }

        var record = new TrainingRecord
        {
            Trainer = Options,
            Backbone = run.Backbone,
            Generator = run.Generator,
            ModelType = run.ModelType,
            Dataset = run.Dataset,
            EpochsDone = run.History.Count,
            Steps = run.Steps,
            BestEpoch = run.BestEpoch,
            BestScore = run.BestScore,
            History = run.History,
        };
        if (improved && Options.KeepBest)
        {
            TrainingCheckpoint.Write(directory, TrainingCheckpoint.BestFileName, Model.Module, optimizer: null, Generator, record);
        }

        TrainingCheckpoint.Write(directory, TrainingCheckpoint.LastFileName, Model.Module, run.Optimizer, Generator, record);
    }

    /// <summary>The names of the modules under <paramref name="root"/> that normalise with batch statistics in training
    /// (<see cref="ParamGen.Tensors.Nn.Module.UsesBatchStatistics"/>), comma-separated; empty when there are none.</summary>
    private static string BatchStatisticsModules(ParamGen.Tensors.Nn.Module root)
    {
        var names = root.NamedModules().Where(m => m.Module.UsesBatchStatistics).Select(m => m.Name).ToList();
        return names.Count <= 4 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(4))} and {names.Count - 4} more";
    }

    private static long SumElements(Tensor[] tensors)
    {
        long n = 0;
        foreach (var t in tensors)
        {
            n += t.NumElements;
        }

        return n;
    }

    /// <summary>Everything one call of <see cref="Fit"/> or <see cref="Resume"/> works with.</summary>
    private sealed class RunState
    {
        public required DatasetSplit Split { get; init; }

        public required int MaxLength { get; init; }

        public required Tensor[] Trainable { get; init; }

        public required Optimizer Optimizer { get; init; }

        public required SequenceBatcher Batcher { get; init; }

        public required NegativeDraws? Negatives { get; init; }

        public required EvaluationOptions Evaluation { get; init; }

        public required DatasetSummary Dataset { get; init; }

        public required BackboneDescription? Backbone { get; init; }

        public required GeneratorDescription? Generator { get; init; }

        public required string ModelType { get; init; }

        public required ulong GeneratorSeed { get; init; }

        public List<EpochRecord> History { get; } = [];

        public long Steps { get; set; }

        public int? BestEpoch { get; set; }

        public double? BestScore { get; set; }

        public int SinceBest { get; set; }

        public WeightSnapshot? Best { get; set; }
    }
}
