using System.CommandLine;
using ParamGen.Data;
using ParamGen.Evaluation;
using ParamGen.Generators;
using ParamGen.Training;
using Spectre.Console;

namespace ParamGen.Cli;

/// <summary><c>paramgen evaluate</c>: score a checkpoint on the leave-one-out test (or validation) items of a file.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CliIO io)
    {
        var data = new DataArguments();
        var eval = new EvaluationArguments();
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint folder written by 'paramgen train'.", Required = true };
        var part = new Option<string>("--split") { Description = "test (the last item of each user; default) or valid (the second last).", DefaultValueFactory = _ => "test" };
        var last = new Option<bool>("--last") { Description = "Use the last epoch's weights instead of the best validated ones." };
        var threads = CliOptions.Threads();
        var json = CliOptions.Json();
        var command = new Command("evaluate", "Evaluate a checkpoint with full ranking (default) or the sampled protocol; --json adds per-domain metrics.");
        command.Options.Add(checkpoint);
        data.AddTo(command);
        eval.AddTo(command);
        foreach (var option in new Option[] { part, last, threads, json })
        {
            command.Options.Add(option);
        }

        command.SetAction((parsed, cancellationToken) =>
        {
            CliOptions.ApplyThreads(parsed, threads);
            string which = parsed.GetValue(part) ?? "test";
            if (which is not ("test" or "valid"))
            {
                throw new CliUsageException($"--split '{which}': use test or valid.");
            }

            var options = eval.Create(parsed);
            var trained = TrainingCheckpoint.Load(parsed.GetValue(checkpoint)!, preferBest: !parsed.GetValue(last));
            var loaded = data.Load(parsed);
            var (dataset, dropped) = trained.Items is null ? (loaded.Dataset, 0) : CheckpointData.Align(loaded.Dataset, trained.Items);
            if (dataset.NumItems != trained.Backbone.NumItems)
            {
                throw new InvalidOperationException($"The data has {dataset.NumItems:N0} items but the checkpoint's model scores {trained.Backbone.NumItems:N0}; pass the data it was trained on.");
            }

            CheckDomains(parsed.GetValue(checkpoint)!, trained, dataset);
            var split = new LeaveOneOutSplit().Split(dataset);
            var examples = which == "test" ? split.Test : split.Valid;
            var result = Evaluator.Evaluate(trained.Recommender, dataset, examples, options, cancellationToken: cancellationToken);
            if (parsed.GetValue(json))
            {
                io.WriteJson(new
                {
                    Command = "evaluate",
                    Checkpoint = trained.Path,
                    Split = which,
                    Data = CliSummaries.Data(dataset, split),
                    DroppedUnknownItemInteractions = dropped,
                    Result = CliSummaries.Evaluation(result),
                });
            }
            else
            {
                io.Console.MarkupLine($"[bold]paramgen evaluate[/] {Markup.Escape(trained.Path)} on {Markup.Escape(dataset.ToString())} ({which}; {Markup.Escape(CliSummaries.Protocol(result))})");
                if (dropped > 0)
                {
                    io.Console.MarkupLine($"[yellow]note[/]: {dropped:N0} interactions with items unknown to the checkpoint were dropped.");
                }

                CliSummaries.PrintMetrics(io.Console, result);
            }

            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>
    /// A generator's rows are indexed by domain id, and ids follow the order domains appear in the data: a model with a
    /// generator must see the domains it was trained on, in the same order (e.g. the same --data files in the same order).
    /// </summary>
    private static void CheckDomains(string directory, TrainedModel trained, InteractionDataset dataset)
    {
        if (trained.Recommender is not GeneratedRecommender generated)
        {
            return;
        }

        var known = CheckpointDomains.Read(directory, trained).Names;
        bool fits = dataset.NumDomains <= generated.GroupCount
            && (!File.Exists(Path.Combine(directory, CheckpointDomains.FileName)) || dataset.DomainNames.SequenceEqual(known));
        if (!fits)
        {
            throw new InvalidOperationException($"The data's domains ({string.Join(", ", dataset.DomainNames)}) are not the ones the checkpoint's {generated.Generator.GetType().Name} was trained on ({string.Join(", ", known)}, in that order); pass the same data (the same --data files in the same order).");
        }
    }
}
