using System.Diagnostics;
using ParamGen.Samples.QuickStart;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;
using Spectre.Console;

// QuickStart: trains a small causal transformer with the ParamGen.Tensors engine on synthetic item
// sequences with a planted next-item rule, and shows the loss falling and HR@10 rising.
int epochs = ArgInt("--epochs", 6);
int users = ArgInt("--users", 2000);
ulong seed = (ulong)ArgInt("--seed", 7);
if (ArgInt("--threads", 0) is int threads and > 0)
{
    Engine.NumThreads = threads;
}

const int Items = 300, MaxLength = 20, Dim = 32, Heads = 2, Batch = 64;
var data = new SyntheticSequences(users, Items, clusterSize: 10, ruleProbability: 0.8, minLength: 8, maxLength: MaxLength + 1, seed);
var generator = new Generator(seed);
var model = new NextItemModel(Items, MaxLength, Dim, Heads, generator);
var optimizer = new AdamW(model.Parameters(), new AdamWOptions { LearningRate = 3e-3, WeightDecay = 0.01 });

AnsiConsole.MarkupLine($"[bold]ParamGen QuickStart[/]: {users} synthetic users, {Items} items, {model.ParameterCount():N0} parameters, {Engine.NumThreads} threads");
AnsiConsole.MarkupLine("Planted rule: 80% of next items are the current item's successor in its cluster of 10; chance HR@10 is 3.3%.");

var table = new Table().AddColumns("epoch", "train loss", "HR@10 (held-out last item)", "seconds");
double firstHr = HitRateAt10(model, data);
table.AddRow("0", "-", $"{firstHr:P1}", "-");
var order = Enumerable.Range(0, users).ToArray();
AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn()).Start(ctx =>
{
    var task = ctx.AddTask("training", maxValue: epochs * ((users + Batch - 1) / Batch));
    for (int epoch = 1; epoch <= epochs; epoch++)
    {
        var sw = Stopwatch.StartNew();
        Shuffle(order, generator);
        double lossSum = 0;
        int steps = 0;
        model.Train();
        for (int start = 0; start < users; start += Batch)
        {
            var rows = order.AsSpan(start, Math.Min(Batch, users - start)).ToArray();
            var (ids, targets) = TrainingBatch(data, rows);
            optimizer.ZeroGrad();
            var loss = model.Loss(ids, targets);
            loss.Backward();
            optimizer.Step();
            lossSum += loss.Item();
            steps++;
            task.Increment(1);
        }

        double hr = HitRateAt10(model, data);
        table.AddRow($"{epoch}", $"{lossSum / steps:F3}", $"{hr:P1}", $"{sw.Elapsed.TotalSeconds:F1}");
    }
});
AnsiConsole.Write(table);
return 0;

// Inputs are each sequence without its last item (held out); targets are the inputs shifted by one.
static (Tensor Ids, Tensor Targets) TrainingBatch(SyntheticSequences data, int[] rows)
{
    var ids = new float[rows.Length * MaxLength];
    var targets = new float[rows.Length * MaxLength];
    for (int r = 0; r < rows.Length; r++)
    {
        var seq = data.Sequences[rows[r]];
        var train = seq.AsSpan(0, seq.Length - 1);
        int n = Math.Min(train.Length - 1, MaxLength);
        var input = train.Slice(train.Length - 1 - n, n);
        var next = train.Slice(train.Length - n, n);
        for (int t = 0; t < n; t++)
        {
            ids[(r * MaxLength) + MaxLength - n + t] = input[t];
            targets[(r * MaxLength) + MaxLength - n + t] = next[t];
        }
    }

    return (new Tensor(ids, rows.Length, MaxLength), new Tensor(targets, rows.Length, MaxLength));
}

// HR@10 of the held-out last item, ranking all items from the state at the last input position.
static double HitRateAt10(NextItemModel model, SyntheticSequences data)
{
    model.Eval();
    int hits = 0;
    using var _ = Grad.NoGrad();
    for (int start = 0; start < data.Sequences.Length; start += 256)
    {
        int n = Math.Min(256, data.Sequences.Length - start);
        var ids = new float[n * MaxLength];
        for (int r = 0; r < n; r++)
        {
            var seq = data.Sequences[start + r];
            int len = Math.Min(seq.Length - 1, MaxLength);
            for (int t = 0; t < len; t++)
            {
                ids[(r * MaxLength) + MaxLength - len + t] = seq[seq.Length - 1 - len + t];
            }
        }

        var scores = model.Forward(new Tensor(ids, n, MaxLength)).Select(1, MaxLength - 1); // [n, V]
        scores = scores.MaskedFill(ParamGen.Tensors.Functional.OneHot(Tensor.Zeros(n), scores.Shape[1]), float.NegativeInfinity);
        var (_, top) = scores.TopK(10);
        for (int r = 0; r < n; r++)
        {
            var seq = data.Sequences[start + r];
            for (int k = 0; k < 10; k++)
            {
                hits += (int)top[r, k] == seq[^1] ? 1 : 0;
            }
        }
    }

    return (double)hits / data.Sequences.Length;
}

static void Shuffle(int[] a, Generator g)
{
    for (int i = a.Length - 1; i > 0; i--)
    {
        int j = g.NextInt(i + 1);
        (a[i], a[j]) = (a[j], a[i]);
    }
}

int ArgInt(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out int v) ? v : fallback;
}
