using System.Globalization;
using ParamGen.Data;
using ParamGen.Tensors.Nn;
using ParamGen.Evaluation;
using ParamGen.Generators;
using ParamGen.Training;
using Spectre.Console;

namespace ParamGen.Cli;

/// <summary>The JSON objects and tables the commands print.</summary>
internal static class CliSummaries
{
    public static object Training(string model, IParameterGenerator? generator, LoadedData loaded, DatasetSplit split, TrainingResult result, TrainerOptions options)
    {
        var epochSeconds = result.Epochs.Select(e => e.Seconds).Order().ToArray();
        return new
        {
            Command = "train",
            Model = model,
            Generator = Generator(generator),
            Data = Data(loaded.Dataset, split),
            Loss = options.Loss.ToString(),
            Positions = options.Positions.ToString(),
            options.GroupByLength,
            Epochs = result.Epochs.Select(e => new { e.Epoch, e.Loss, e.Seconds, e.ValidationSeconds, Validation = e.Validation }).ToArray(),
            Metric = result.Metric,
            result.BestEpoch,
            result.BestScore,
            result.StoppedEarly,
            MedianEpochSeconds = epochSeconds.Length == 0 ? 0 : epochSeconds[epochSeconds.Length / 2],
            Test = result.Test is null ? null : Evaluation(result.Test),
            result.Seconds,
            Checkpoint = options.CheckpointDirectory,
        };
    }

    /// <summary>The generator's kind, domain count, parameter count and options, or null.</summary>
    public static object? Generator(IParameterGenerator? generator) => generator is null ? null : new
    {
        Kind = GeneratorRegistry.Describe(generator)?.Kind ?? generator.GetType().Name,
        Domains = generator.GroupCount,
        Parameters = generator.Module.ParameterCount(),
        Options = GeneratorRegistry.Describe(generator)?.Options,
    };

    public static object Evaluation(EvaluationResult r) => new
    {
        Protocol = r.Protocol.ToString(),
        r.MaskHistory,
        Candidates = Candidates(r.CandidateScope),
        r.Examples,
        Metrics = r.Overall,
        PerDomain = r.PerDomain.Count == 0 ? null : r.PerDomain,
        r.Seconds,
    };

    public static object Data(InteractionDataset dataset, DatasetSplit split) => new
    {
        Dataset = dataset.Name,
        dataset.NumUsers,
        dataset.NumItems,
        dataset.NumInteractions,
        Domains = dataset.DomainNames,
        Train = split.Train.Count,
        Valid = split.Valid.Count,
        Test = split.Test.Count,
    };

    public static void PrintTraining(IAnsiConsole console, TrainingResult result, TrainerOptions options)
    {
        var table = new Table().AddColumns("epoch", "loss", "train s", result.Metric + " (valid)");
        foreach (var e in result.Epochs)
        {
            string mark = e.Epoch == result.BestEpoch ? " *" : string.Empty;
            table.AddRow(e.Epoch.ToString(CultureInfo.InvariantCulture), e.Loss.ToString("F4", CultureInfo.InvariantCulture),
                e.Seconds.ToString("F1", CultureInfo.InvariantCulture), e.Score is double s ? s.ToString("F4", CultureInfo.InvariantCulture) + mark : "-");
        }

        console.Write(table);
        if (result.Test is { } test)
        {
            console.MarkupLine($"[bold]Test[/] (best epoch {result.BestEpoch}; {Protocol(test)}):");
            PrintMetrics(console, test);
        }

        console.MarkupLine($"Checkpoint: {Markup.Escape(options.CheckpointDirectory ?? "(none)")}; {result.Seconds:F1} s in all.");
    }

    /// <summary>How an evaluation ranked, in words: protocol, history masking, candidate scope.</summary>
    public static string Protocol(EvaluationResult r) =>
        $"{r.Protocol} ranking, history {(r.MaskHistory ? "masked" : "not masked")}, candidates: {(r.CandidateScope == CandidateScope.UserDomain ? "the user's domain" : "all items")}";

    /// <summary>The <c>--candidates</c> value of a scope.</summary>
    public static string Candidates(CandidateScope scope) => scope == CandidateScope.UserDomain ? "domain" : "all";

    public static void PrintMetrics(IAnsiConsole console, EvaluationResult r)
    {
        var names = r.Overall.Keys.ToArray();
        var table = new Table().AddColumn("domain");
        foreach (var n in names)
        {
            table.AddColumn(n);
        }

        table.AddRow([(r.PerDomain.Count == 0 ? "all" : "overall"), .. names.Select(n => r.Overall[n].ToString("F4", CultureInfo.InvariantCulture))]);
        foreach (var (domain, metrics) in r.PerDomain)
        {
            table.AddRow([Markup.Escape(domain), .. names.Select(n => metrics.TryGetValue(n, out double v) ? v.ToString("F4", CultureInfo.InvariantCulture) : "-")]);
        }

        console.Write(table);
        console.MarkupLine($"{r.Examples:N0} examples in {r.Seconds:F2} s.");
    }
}
