using System.Globalization;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Evaluation;
using ParamGen.Generators;
using ParamGen.Samples;
using ParamGen.Samples.MultiDomain;
using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Training;
using Spectre.Console;

// MultiDomain: the four models of the HAMUR issue on the same leave-one-out splits, each over several seeds:
// (1) a shared backbone, (2) + one static adapter per domain, (3) HAMUR with shared factors (the reference code),
// (4) HAMUR with per-domain factors (the paper). Prints test NDCG@10 and HR@10 per domain (mean ± sample std over
// the seeds) and an indicative generation cost. Data: the bundled synthetic set (3 domains in its domain column), or
// --data A --data B (each file one domain, e.g. ../shared/datasets/Beauty.txt and Toys_and_Games.txt).
// --init-from DIR warm-starts every variant from the shared backbone of the same seed in the results folder DIR
// (TrainingCheckpoint.LoadBackbone), --freeze-backbone then trains only the adapters and their generator.
var files = SampleArgs.Strings(args, "--data");
bool multiFile = files.Count > 1;
string model = SampleArgs.String(args, "--model") ?? "sasrec";
string candidates = SampleArgs.String(args, "--candidates") ?? (multiFile ? "domain" : "all");
int epochs = SampleArgs.Int(args, "--epochs", multiFile ? 30 : 20);
int patience = SampleArgs.Int(args, "--patience", 3);
int dim = SampleArgs.Int(args, "--dim", 64);
int maxLength = SampleArgs.Int(args, "--max-len", multiFile ? 50 : 30);
int batchSize = SampleArgs.Int(args, "--batch", multiFile ? 256 : 128);
var seeds = Seeds(SampleArgs.List(args, "--seeds", ["3"]));
var names = SampleArgs.List(args, "--variants", [.. Variant.All.Select(v => v.Name)]);
string? resultsDirectory = SampleArgs.String(args, "--results");
string positions = SampleArgs.String(args, "--positions") ?? "all";
double learningRate = SampleArgs.Double(args, "--lr", 2e-3);
string? initFrom = SampleArgs.String(args, "--init-from");
bool freezeBackbone = args.Contains("--freeze-backbone");
bool groupByLength = args.Contains("--group-by-length");
if (SampleArgs.Int(args, "--threads", 0) is int threads and > 0)
{
    Engine.NumThreads = threads;
}

if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 150; // a log file gets the tables on one line per row
}

var unknownVariant = names.FirstOrDefault(n => Variant.Known.All(v => v.Name != n));
if (model is not ("sasrec" or "gru4rec") || candidates is not ("all" or "domain") || positions is not ("all" or "last") || unknownVariant is not null || seeds is null
    || (freezeBackbone && (initFrom is null || names.Contains("shared"))))
{
    Console.Error.WriteLine("usage: MultiDomain [--data FILE [--data FILE2 ...]] [--model sasrec|gru4rec] [--candidates all|domain] [--seeds 3 | --seeds 1,2,3] " +
        $"[--variants {string.Join(',', Variant.Known.Select(v => v.Name))}] [--epochs N] [--patience N] [--dim 64] [--max-len N] [--batch N] [--threads N] [--positions all|last] [--group-by-length] [--lr 0.002] [--init-from DIR [--freeze-backbone]] [--results DIR]");
    return 2;
}

var variants = Variant.Known.Where(v => names.Contains(v.Name)).ToList();
var dataset = files.Count switch
{
    0 => DatasetLoader.Load(SampleArgs.FindBundledData("data/synthetic/synthetic.inter")),
    1 => DatasetLoader.Load(files[0]),
    _ => DatasetLoader.LoadDomains(files),
};
var scope = candidates == "domain" ? CandidateScope.UserDomain : CandidateScope.AllItems;
var split = new LeaveOneOutSplit().Split(dataset);
int domainCount = Math.Max(1, dataset.NumDomains);
var trainer = new TrainerOptions
{
    Epochs = epochs,
    Patience = patience,
    BatchSize = batchSize,
    LearningRate = learningRate,
    Evaluation = new EvaluationOptions { Ks = [10], CandidateScope = scope, ListMetrics = false },
    Positions = positions == "last" ? TrainingPositions.Last : TrainingPositions.All,
    GroupByLength = groupByLength,
};

// At the last position of every prefix HAMUR's hypernetwork can read the history (the paper's instance input) without
// seeing a target; at every position it reads the domain alone.
var history = trainer.Positions == TrainingPositions.Last ? HamurHistory.Mean : HamurHistory.None;

ISequentialBackbone Backbone(Generator g) => model == "gru4rec"
    ? new Gru4Rec(dataset.NumItems, new Gru4RecOptions { EmbeddingSize = dim, HiddenSize = 2 * dim, MaxLength = maxLength, Dropout = 0.2f }, g)
    : new SasRec(dataset.NumItems, new SasRecOptions { HiddenSize = dim, Blocks = 2, Heads = 2, MaxLength = maxLength, Dropout = 0.2f }, g);

AnsiConsole.MarkupLine($"[bold]ParamGen MultiDomain[/]: {Markup.Escape(dataset.ToString())} ({string.Join(", ", dataset.DomainNames)})");
AnsiConsole.MarkupLine($"Leave-one-out: {split.Train.Count:N0} train / {split.Valid.Count:N0} valid / {split.Test.Count:N0} test sequences. " +
    $"{model} d {dim}, window {maxLength}; up to {epochs} epochs, patience {patience}, batch {batchSize}; seeds {string.Join(", ", seeds)}; {Engine.NumThreads} threads.");
AnsiConsole.MarkupLine($"Candidates: {(scope == CandidateScope.UserDomain ? "the items of the user's domain" : "all items")} (validation and test). " +
    $"Loss at {(trainer.Positions == TrainingPositions.Last ? "the last position of every prefix; HAMUR reads the domain and the mean item embedding of the history" : "every position; HAMUR reads the domain alone")}.");

if (initFrom is not null)
{
    AnsiConsole.MarkupLine($"Warm start: every variant begins from the shared backbone of its seed in {Markup.Escape(initFrom)}{(freezeBackbone ? ", kept frozen" : string.Empty)}; learning rate {trainer.LearningRate}.");
}

// With --results DIR, each training keeps its checkpoints in DIR/{variant}-seed{seed} and its record in
// DIR/{variant}-seed{seed}.json: a finished training is read back, an interrupted one resumes from its last epoch
// (the trainer's Resume gives the result of an uninterrupted run), so a long comparison can span several sessions.
string setup = $"data {string.Join(" + ", files.Count == 0 ? ["synthetic"] : files.Select(Path.GetFileName))}; {model} d {dim}, window {maxLength}; " +
    $"epochs {epochs}, patience {patience}, batch {batchSize}, lr {trainer.LearningRate}; candidates {candidates}; positions {positions}{(groupByLength ? ", grouped by length" : string.Empty)}; {Engine.NumThreads} threads" +
    (initFrom is null ? string.Empty : $"; backbones warm-started from {Path.GetFullPath(initFrom)}{(freezeBackbone ? " and frozen" : string.Empty)}");
if (resultsDirectory is not null && !RunStore.Open(resultsDirectory, setup, out string? mismatch))
{
    Console.Error.WriteLine(mismatch);
    return 2;
}

// Train every variant with every seed; each seed fixes the initial weights, the batch order and dropout for all variants alike.
var runs = new List<(Variant Variant, RunRecord Record)>();
var warnings = new WarningLines(); // the trainer's warnings (e.g. batch statistics under --group-by-length), each shown once
AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).Start(ctx =>
{
    foreach (var variant in variants)
    {
        foreach (ulong seed in seeds)
        {
            var task = ctx.AddTask($"{variant.Name} seed {seed}", maxValue: 1);
            string? saved = resultsDirectory is null ? null : RunStore.RecordPath(resultsDirectory, variant.Name, seed);
            if (saved is not null && File.Exists(saved))
            {
                runs.Add((variant, RunRecord.Load(saved)));
                task.Value = task.MaxValue;
                continue;
            }

            var g = new Generator(seed);
            var recommender = variant.Build(Backbone(g), domainCount, g, history);
            if (initFrom is not null)
            {
                // Warm start: every variant, the shared backbone too, goes on from the shared backbone this seed trained there.
                TrainingCheckpoint.LoadBackbone(RunStore.CheckpointDirectory(initFrom, "shared", seed), recommender.Backbone);
                if (freezeBackbone)
                {
                    ((GeneratedRecommender)recommender).FreezeBackbone(); // the usage check keeps `shared` (nothing left to train) out
                }
            }

            string? checkpoints = resultsDirectory is null ? null : RunStore.CheckpointDirectory(resultsDirectory, variant.Name, seed);
            var fit = new Trainer(recommender, trainer with { Seed = seed, CheckpointDirectory = checkpoints }, warnings, g);
            var bar = new TrainingBar(task, epochs, $"{variant.Name} seed {seed}");
            var result = checkpoints is not null && RunStore.CanResume(checkpoints) ? fit.Resume(split, checkpoints, bar) : fit.Fit(split, bar);
            var record = RunRecord.From(variant.Name, seed, result, (recommender as GeneratedRecommender)?.Generator.Module.ParameterCount() ?? 0);
            if (saved is not null)
            {
                record.Save(saved);
            }

            task.Value = task.MaxValue;
            runs.Add((variant, record));
        }
    }
});

var training = new Table().AddColumns("variant", "what", "generator parameters", "epochs (best)", "seconds per run");
foreach (var variant in variants)
{
    var mine = runs.Where(r => r.Variant == variant).Select(r => r.Record).ToList();
    training.AddRow(variant.Name, variant.Description, $"{mine[0].GeneratorParameters:N0}",
        string.Join(", ", mine.Select(r => $"{r.Epochs} ({r.BestEpoch})")), $"{mine.Average(r => r.Seconds):F0}");
}

AnsiConsole.Write(training);
var rows = dataset.NumDomains > 1 ? [.. dataset.DomainNames, "overall"] : new List<string> { "overall" };
List<double> Values(Variant v, string row, string metric) => [.. runs.Where(r => r.Variant == v).Select(r => r.Record.Metric(row, metric))];
foreach (var metric in new[] { "NDCG@10", "HR@10" })
{
    var table = new Table { Title = new TableTitle($"test {metric}, mean ± sample std over {seeds.Count} seed(s); candidates: {(scope == CandidateScope.UserDomain ? "user's domain" : "all items")}") };
    table.AddColumn("domain");
    foreach (var variant in variants)
    {
        table.AddColumn(new TableColumn(variant.Name).RightAligned());
    }

    foreach (var row in rows)
    {
        table.AddRow([row, .. variants.Select(v => SeedStatistics.Format(Values(v, row, metric)))]);
    }

    AnsiConsole.Write(table);
}

// The issue's targets, read off the table: each HAMUR variant in the run (the paper's `hamur` is the one the targets
// name) against the shared backbone and against the static adapters, per domain and overall.
if (variants.FirstOrDefault(v => v.Name == "shared") is { } shared)
{
    var fixedAdapters = variants.FirstOrDefault(v => v.Name == "static");
    var verdict = new Table().AddColumns("variant", "domain", "− shared NDCG@10", "larger std of the two", "beats shared by more than the spread", "− static NDCG@10");
    foreach (var hamur in variants.Where(v => v.Name.StartsWith("hamur", StringComparison.Ordinal)))
    {
        foreach (var row in rows)
        {
            var (h, hs) = SeedStatistics.Of(Values(hamur, row, "NDCG@10"));
            var (s, ss) = SeedStatistics.Of(Values(shared, row, "NDCG@10"));
            string versusStatic = fixedAdapters is null ? "-" : Signed(h - SeedStatistics.Of(Values(fixedAdapters, row, "NDCG@10")).Mean);
            verdict.AddRow(hamur.Name, row, Signed(h - s), Math.Max(hs, ss).ToString("F4", CultureInfo.InvariantCulture), h - s > Math.Max(hs, ss) ? "[green]yes[/]" : "[red]no[/]", versusStatic);
        }
    }

    AnsiConsole.Write(verdict);
}

// Generation cost on one batch of 256 test histories (fresh weights: the cost does not depend on their values).
var costBatch = new SequenceBatcher(dataset, [.. split.Test.Take(256)], new SequenceBatchOptions { BatchSize = 256, MaxLength = maxLength }).First();
var timed = (GeneratedRecommender)Variant.All.First(v => v.Name == "hamur").Build(Backbone(new Generator(0)), domainCount, new Generator(0), history);
var (generateMs, encodeMs, plainMs) = GenerationCost.Measure(timed, Backbone(new Generator(0)), costBatch);
AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"Generation cost (indicative: batch of {costBatch.Size}, eval mode, no grad, median of 7): HamurGenerator.Generate {generateMs:F2} ms; {model} Encode with the generated adapters {encodeMs:F2} ms, without adapters {plainMs:F2} ms; generation = {100 * generateMs / encodeMs:F1}% of the forward with adapters."));
AnsiConsole.MarkupLine("The benchmark measures it properly (training mode too): dotnet run -c Release --project benchmarks/ParamGen.Benchmarks -- hamur");
return 0;

// Rounded first, so a difference that rounds to zero prints as 0.0000 rather than with a sign.
static string Signed(double value) => (Math.Round(value, 4) + 0.0).ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture);

static List<ulong>? Seeds(IReadOnlyList<string> values)
{
    var seeds = new List<ulong>();
    foreach (var value in values)
    {
        if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v))
        {
            return null;
        }

        seeds.Add(v);
    }

    // One number alone is a count: --seeds 3 means seeds 1, 2, 3.
    return seeds.Count == 1 ? seeds[0] is > 0 and < 1000 ? [.. Enumerable.Range(1, (int)seeds[0]).Select(s => (ulong)s)] : null : seeds;
}
