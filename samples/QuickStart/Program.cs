using ParamGen.Samples;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Evaluation;
using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Training;
using Spectre.Console;

// QuickStart: loads the bundled synthetic dataset (data/synthetic), splits it leave-one-out, trains SASRec
// with full-softmax cross-entropy at every position and early stopping on validation NDCG@10, then prints the
// test metrics per domain and a few users' recommendations.
int epochs = SampleArgs.Int(args, "--epochs", 30);
ulong seed = (ulong)SampleArgs.Int(args, "--seed", 7);
if (SampleArgs.Int(args, "--threads", 0) is int threads and > 0)
{
    Engine.NumThreads = threads;
}

string inter = SampleArgs.String(args, "--data") ?? SampleArgs.FindBundledData("data/synthetic/synthetic.inter");
string? itemFile = Path.ChangeExtension(inter, ".item") is var item && File.Exists(item) ? item : null;
var dataset = DatasetLoader.Load(inter, new DataLoadOptions { ItemFilePath = itemFile });
var split = new LeaveOneOutSplit().Split(dataset);

var generator = new Generator(seed);
var sasrec = new SasRec(dataset.NumItems, new SasRecOptions { HiddenSize = 64, Blocks = 2, Heads = 2, MaxLength = 30, Dropout = 0.2f }, generator);
var model = new SequentialRecommender(sasrec);
var options = new TrainerOptions
{
    Epochs = epochs,
    BatchSize = 128,
    LearningRate = 2e-3,
    Patience = 4,
    Seed = seed,
    Evaluation = new EvaluationOptions { Ks = [10, 20] },
};

AnsiConsole.MarkupLine($"[bold]ParamGen QuickStart[/]: {Markup.Escape(dataset.ToString())}");
AnsiConsole.MarkupLine($"Leave-one-out: {split.Train.Count:N0} train / {split.Valid.Count:N0} valid / {split.Test.Count:N0} test sequences. " +
    $"SASRec d {sasrec.HiddenSize}, {sasrec.Blocks.Count} blocks, {sasrec.ParameterCount():N0} parameters, {Engine.NumThreads} threads.");

TrainingResult result = null!;
AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).Start(ctx =>
{
    var task = ctx.AddTask("training", maxValue: 1);
    result = new Trainer(model, options, generator: generator).Fit(split, new TrainingBar(task, epochs));
    task.Value = task.MaxValue;
});

var table = new Table().AddColumns("epoch", "train loss", "valid NDCG@10", "valid HR@10", "seconds");
foreach (var e in result.Epochs)
{
    table.AddRow($"{e.Epoch}{(e.Epoch == result.BestEpoch ? " *" : "")}", $"{e.Loss:F3}", $"{e.Validation?["NDCG@10"]:F4}", $"{e.Validation?["HR@10"]:P1}", $"{e.Seconds:F1}");
}

AnsiConsole.Write(table);
var test = result.Test!;
var metrics = new Table().AddColumns("test (best epoch, all items ranked)", "NDCG@10", "HR@10", "NDCG@20", "HR@20", "MRR@10", "users");
metrics.AddRow("all domains", $"{test["NDCG@10"]:F4}", $"{test["HR@10"]:P1}", $"{test["NDCG@20"]:F4}", $"{test["HR@20"]:P1}", $"{test["MRR@10"]:F4}", $"{test.Examples:N0}");
foreach (var (domain, m) in test.PerDomain)
{
    metrics.AddRow(Markup.Escape(domain), $"{m["NDCG@10"]:F4}", $"{m["HR@10"]:P1}", $"{m["NDCG@20"]:F4}", $"{m["HR@20"]:P1}", $"{m["MRR@10"]:F4}", "");
}

AnsiConsole.Write(metrics);
AnsiConsole.MarkupLine($"Chance HR@10 is {10.0 / dataset.NumItems:P1}; trained in {result.Seconds:F0} s.");

// A few users: their most recent items, the held-out test item, and the top 5 from the history before it.
var recs = new Table().AddColumns("user", "last items (oldest first)", "held-out next item", "top 5 recommended");
foreach (var example in split.Test.Take(4))
{
    var input = example.Input(dataset);
    var top = Recommender.Recommend(model, input, k: 5);
    int target = example.Target(dataset);
    recs.AddRow(
        dataset.Users.GetToken(example.User),
        string.Join(" ", input[Math.Max(0, input.Length - 5)..].ToArray().Select(dataset.Items.GetToken)),
        dataset.Items.GetToken(target),
        string.Join(" ", top.Select(r => r.Item == target ? $"[green]{dataset.Items.GetToken(r.Item)}[/]" : dataset.Items.GetToken(r.Item))));
}

AnsiConsole.Write(recs);
return 0;
