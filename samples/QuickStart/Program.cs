using System.Diagnostics;
using ParamGen.Data;
using ParamGen.Samples.QuickStart;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;
using Spectre.Console;

// QuickStart: loads the bundled synthetic dataset (data/synthetic), splits it leave-one-out, trains a small
// causal transformer on the ParamGen.Tensors engine with all-position next-item cross-entropy, and reports
// HR@10 / NDCG@10 over the whole catalogue on the validation and test items.
int epochs = ArgInt("--epochs", 12);
ulong seed = (ulong)ArgInt("--seed", 7);
if (ArgInt("--threads", 0) is int threads and > 0)
{
    Engine.NumThreads = threads;
}

string inter = ArgString("--data", null) ?? FindBundledData("data/synthetic/synthetic.inter");
string? itemFile = Path.ChangeExtension(inter, ".item") is var item && File.Exists(item) ? item : null;
var (dataset, report) = DatasetLoader.LoadWithReport(inter, new DataLoadOptions { ItemFilePath = itemFile });
var split = new LeaveOneOutSplit().Split(dataset);

const int MaxLength = 30, Dim = 48, Heads = 2, Batch = 128;
var generator = new Generator(seed);
var model = new NextItemModel(dataset.NumItems, MaxLength, Dim, Heads, generator);
var optimizer = new AdamW(model.Parameters(), new AdamWOptions { LearningRate = 3e-3, WeightDecay = 0.01 });
var batches = new SequenceBatcher(dataset, split.Train, new SequenceBatchOptions { BatchSize = Batch, MaxLength = MaxLength, Shuffle = true, Seed = seed });

AnsiConsole.MarkupLine($"[bold]ParamGen QuickStart[/]: {Markup.Escape(inter)}");
AnsiConsole.MarkupLine($"{dataset.NumUsers:N0} users, {dataset.NumItems:N0} items, {dataset.NumInteractions:N0} interactions, {dataset.NumDomains} domains ({report.Files[0].Format}); " +
    $"leave-one-out: {split.Train.Count:N0} train / {split.Valid.Count:N0} valid / {split.Test.Count:N0} test sequences");
AnsiConsole.MarkupLine($"Model: one-block causal transformer, d {Dim}, {model.ParameterCount():N0} parameters, {Engine.NumThreads} threads. " +
    "Ranking: all items, the user's history not masked.");

var table = new Table().AddColumns("epoch", "train loss", "valid HR@10", "valid NDCG@10", "seconds");
var (hr0, ndcg0) = Evaluate(model, dataset, split.Valid);
table.AddRow("0", "-", $"{hr0:P1}", $"{ndcg0:F4}", "-");
AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn()).Start(ctx =>
{
    var task = ctx.AddTask("training", maxValue: epochs * batches.BatchCount);
    for (int epoch = 1; epoch <= epochs; epoch++)
    {
        var sw = Stopwatch.StartNew();
        double lossSum = 0;
        int steps = 0;
        model.Train();
        foreach (var batch in batches.Epoch(epoch))
        {
            optimizer.ZeroGrad();
            var loss = model.Loss(batch.ItemIds, batch.Targets); // all-position next-item cross-entropy
            loss.Backward();
            optimizer.Step();
            lossSum += loss.Item();
            steps++;
            task.Increment(1);
        }

        var (hr, ndcg) = Evaluate(model, dataset, split.Valid);
        table.AddRow($"{epoch}", $"{lossSum / steps:F3}", $"{hr:P1}", $"{ndcg:F4}", $"{sw.Elapsed.TotalSeconds:F1}");
    }
});
AnsiConsole.Write(table);
var (testHr, testNdcg) = Evaluate(model, dataset, split.Test);
AnsiConsole.MarkupLine($"[bold]Test[/] (last item of each user): HR@10 {testHr:P1}, NDCG@10 {testNdcg:F4}; chance HR@10 is {10.0 / dataset.NumItems:P1}.");
return 0;

// HR@10 and NDCG@10 of each example's target, ranking every item from the state at the last input position.
static (double Hr, double Ndcg) Evaluate(NextItemModel model, InteractionDataset dataset, IReadOnlyList<SequenceExample> examples)
{
    model.Eval();
    using var noGrad = Grad.NoGrad();
    double hits = 0, ndcg = 0;
    foreach (var batch in new SequenceBatcher(dataset, examples, new SequenceBatchOptions { BatchSize = 512, MaxLength = MaxLength }))
    {
        var scores = model.Forward(batch.ItemIds).Select(1, MaxLength - 1);          // [B, items + 1]
        scores = scores.MaskedFill(ParamGen.Tensors.Functional.OneHot(Tensor.Zeros(batch.Size), scores.Shape[1]), float.NegativeInfinity);
        var (_, top) = scores.TopK(10);                                              // [B, 10]
        for (int r = 0; r < batch.Size; r++)
        {
            int target = (int)batch.LastTargets[r];
            for (int k = 0; k < 10; k++)
            {
                if ((int)top[r, k] == target)
                {
                    hits++;
                    ndcg += 1.0 / Math.Log2(k + 2);
                }
            }
        }
    }

    return (hits / examples.Count, ndcg / examples.Count);
}

// The bundled data sits in the repository's data/ folder; look upwards from here and from the program.
static string FindBundledData(string relative)
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
    }

    throw new FileNotFoundException($"Could not find {relative} above {Directory.GetCurrentDirectory()}; pass --data FILE.");
}

int ArgInt(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out int v) ? v : fallback;
}

string? ArgString(string name, string? fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
