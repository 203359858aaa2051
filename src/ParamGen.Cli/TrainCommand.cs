using System.CommandLine;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Generators;
using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Training;
using Spectre.Console;

namespace ParamGen.Cli;

/// <summary><c>paramgen train</c>: load, split leave-one-out, train a backbone with early stopping, test the best epoch, save a checkpoint folder.</summary>
internal static class TrainCommand
{
    /// <summary>The flag that sets each <see cref="TrainerOptions"/> value, for usage errors.</summary>
    private static readonly Dictionary<string, string> TrainerFlags = new()
    {
        [nameof(TrainerOptions.Epochs)] = "--epochs",
        [nameof(TrainerOptions.BatchSize)] = "--batch",
        [nameof(TrainerOptions.LearningRate)] = "--lr",
        [nameof(TrainerOptions.WeightDecay)] = "--weight-decay",
        [nameof(TrainerOptions.Patience)] = "--patience",
        [nameof(TrainerOptions.NegativeSamples)] = "--negatives",
    };

    public static Command Create(CliIO io)
    {
        var data = new DataArguments();
        var model = new ModelArguments();
        var eval = new EvaluationArguments();
        var generators = new GeneratorArguments();
        var outDir = new Option<string>("--out") { Description = "Checkpoint folder to write (created if missing).", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Most epochs (default 100; early stopping usually ends sooner).", DefaultValueFactory = _ => 100 };
        var batch = new Option<int>("--batch") { Description = "Batch size (default 256).", DefaultValueFactory = _ => 256 };
        var lr = new Option<double>("--lr") { Description = "Learning rate (default 0.001).", DefaultValueFactory = _ => 1e-3 };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Weight decay (default 0; uses AdamW when above 0).", DefaultValueFactory = _ => 0 };
        var patience = new Option<int>("--patience") { Description = "Epochs without a better validation NDCG@10 before stopping (default 10).", DefaultValueFactory = _ => 10 };
        var loss = new Option<TrainingLoss>("--loss") { Description = "CrossEntropy (full softmax, default), SampledBce or SampledSoftmax.", DefaultValueFactory = _ => TrainingLoss.CrossEntropy };
        var negatives = new Option<int?>("--negatives") { Description = "Negatives per position for the sampled losses." };
        var positions = new Option<string?>("--positions")
        {
            Description = "Where the loss is taken: all (every position of each training sequence; the default) or last (every prefix an example, "
                + "the loss at its last position, as RecBole). A generator that reads the history (--hamur-history mean) needs last, and gets it by default.",
        }.AcceptOnlyFromAmong("all", "last");
        var groupByLength = new Option<bool>("--group-by-length")
        {
            Description = "Batches of similar lengths, each cut to its longest history: most of the padding's work goes (SASRec only; the batches differ from a run without it).",
        };
        var seed = new Option<ulong>("--seed") { Description = "Seed of initialisation, shuffling, dropout and negatives (default 0).", DefaultValueFactory = _ => 0UL };
        var threads = CliOptions.Threads();
        var resume = new Option<bool>("--resume") { Description = "Continue the run saved in --out from its last epoch." };
        var initBackbone = new Option<string?>("--init-backbone")
        {
            Description = "Warm start: begin from the backbone weights of a run saved in this folder (its best epoch), e.g. a backbone trained alone; "
                + "adapters are never copied. The backbone options must match the saved run's. Ignored with --resume, which restores the run's own weights.",
        };
        var freezeBackbone = new Option<bool>("--freeze-backbone") { Description = "Train only the generator and the adapters (with --generator); the backbone keeps its weights (see --init-backbone)." };
        var json = CliOptions.Json();
        var command = new Command("train", "Train SASRec or GRU4Rec, alone or with an adapter generator (HAMUR), on an interaction file (leave-one-out split, full-ranking validation).");
        data.AddTo(command);
        model.AddTo(command);
        generators.AddTo(command);
        eval.AddTo(command);
        foreach (var option in new Option[] { outDir, epochs, batch, lr, weightDecay, patience, loss, negatives, positions, groupByLength, seed, threads, resume, initBackbone, freezeBackbone, json })
        {
            command.Options.Add(option);
        }

        command.SetAction((parsed, cancellationToken) =>
        {
            CliOptions.ApplyThreads(parsed, threads);
            var loaded = data.Load(parsed);
            var split = new LeaveOneOutSplit().Split(loaded.Dataset);
            var generator = new Generator(parsed.GetValue(seed));
            var backbone = model.Create(parsed, loaded.Dataset.NumItems, generator);
            var domains = CheckpointDomains.Of(loaded.Dataset);
            var paramGenerator = generators.Create(parsed, backbone, Math.Max(1, loaded.Dataset.NumDomains), generator);
            ISequentialRecommender recommender = paramGenerator is null ? new SequentialRecommender(backbone) : new GeneratedRecommender(backbone, paramGenerator);
            string label = (parsed.GetValue(model.Model) ?? string.Empty) + (paramGenerator is null ? string.Empty : " + " + generators.Kind(parsed));
            if (parsed.GetValue(groupByLength) && !backbone.IgnoresLeftPadding)
            {
                throw new CliUsageException($"--group-by-length cuts each batch to its longest history, which would change {parsed.GetValue(model.Model)}'s states (it runs through the padding); it applies to sasrec only.");
            }

            if (parsed.GetValue(positions) == "all" && paramGenerator is { ConditionsOnHistory: true })
            {
                throw new CliUsageException("--positions all cannot train a generator that reads the history (--hamur-history mean): at every position but the last, "
                    + "the history holds that position's target. Use --positions last (the default then).");
            }

            if (parsed.GetValue(freezeBackbone))
            {
                if (recommender is not GeneratedRecommender generated)
                {
                    throw new CliUsageException("--freeze-backbone leaves nothing to train without a generator: add --generator.");
                }

                generated.FreezeBackbone();
            }

            if (parsed.GetValue(initBackbone) is { } from && !parsed.GetValue(resume))
            {
                try
                {
                    TrainingCheckpoint.LoadBackbone(from, backbone);
                }
                catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
                {
                    throw new CliUsageException($"--init-backbone {from}: {e.Message}");
                }
            }

            double wd = parsed.GetValue(weightDecay);
            var options = new TrainerOptions
            {
                Epochs = parsed.GetValue(epochs),
                BatchSize = parsed.GetValue(batch),
                LearningRate = parsed.GetValue(lr),
                WeightDecay = wd,
                Optimizer = wd > 0 ? OptimizerKind.AdamW : OptimizerKind.Adam,
                Patience = parsed.GetValue(patience),
                Loss = parsed.GetValue(loss),
                NegativeSamples = parsed.GetValue(negatives),
                Positions = parsed.GetValue(positions) switch
                {
                    "all" => TrainingPositions.All,
                    "last" => TrainingPositions.Last,
                    _ => paramGenerator is { ConditionsOnHistory: true } ? TrainingPositions.Last : TrainingPositions.All,
                },
                GroupByLength = parsed.GetValue(groupByLength),
                Seed = parsed.GetValue(seed),
                Evaluation = eval.Create(parsed),
                CheckpointDirectory = parsed.GetValue(outDir),
            };
            var trainer = CliUsageException.ForFlags(TrainerFlags, () => new Trainer(recommender, options, new StderrWarnings(io.Error), generator));
            Directory.CreateDirectory(options.CheckpointDirectory!);
            domains.Write(options.CheckpointDirectory!);
            bool asJson = parsed.GetValue(json);
            if (!asJson)
            {
                string generatorPart = paramGenerator is null ? string.Empty : $" ({paramGenerator.Module.ParameterCount():N0} in the generator, {paramGenerator.GroupCount} domain(s))";
                io.Console.MarkupLine($"[bold]paramgen train[/] {Markup.Escape(label)}: {Markup.Escape(loaded.Dataset.ToString())}; " +
                    $"{split.Train.Count:N0} train / {split.Valid.Count:N0} valid / {split.Test.Count:N0} test sequences; {recommender.Module.ParameterCount():N0} parameters{generatorPart}, {Engine.NumThreads} threads");
            }

            TrainingResult result = asJson
                ? Run(trainer, split, parsed.GetValue(resume), options.CheckpointDirectory!, new EpochLines(io.Error), cancellationToken)
                : CliProgress.Run(io.Console, options.Epochs, p => Run(trainer, split, parsed.GetValue(resume), options.CheckpointDirectory!, p, cancellationToken));
            var summary = CliSummaries.Training(parsed.GetValue(model.Model) ?? "", paramGenerator, loaded, split, result, options);
            if (asJson)
            {
                io.WriteJson(summary);
            }
            else
            {
                CliSummaries.PrintTraining(io.Console, result, options);
            }

            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>With --json, stdout holds only the final object; a line per epoch goes to stderr so long runs can be followed.</summary>
    private sealed class EpochLines(TextWriter error) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value is { Phase: TrainingPhase.EpochCompleted, Record: { } r })
            {
                error.WriteLine(FormattableString.Invariant($"epoch {r.Epoch}: loss {r.Loss:F4}, {r.Seconds:F1} s{(r.Score is double s ? $", valid {s:F4}" : string.Empty)}"));
            }
        }
    }

    private static TrainingResult Run(Trainer trainer, DatasetSplit split, bool resume, string dir, IProgress<TrainingProgress>? progress, CancellationToken token) =>
        resume ? trainer.Resume(split, dir, progress, token) : trainer.Fit(split, progress, token);
}
