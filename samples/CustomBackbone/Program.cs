using ParamGen.Samples;
using System.Diagnostics;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Evaluation;
using ParamGen.Samples.CustomBackbone;
using ParamGen.Tensors;
using ParamGen.Tensors.Memory;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

// CustomBackbone: brings a backbone of its own (dilated causal convolutions, CausalConvBackbone.cs) to ParamGen by
// implementing ISequentialBackbone, trains it on the bundled synthetic data with all-position cross-entropy, and
// evaluates it with the library's evaluator, exactly as the built-in SASRec and GRU4Rec.
int epochs = SampleArgs.Int(args, "--epochs", 10);
ulong seed = (ulong)SampleArgs.Int(args, "--seed", 7);
if (SampleArgs.Int(args, "--threads", 0) is int threads and > 0)
{
    Engine.NumThreads = threads;
}

string path = SampleArgs.String(args, "--data") ?? SampleArgs.FindBundledData("data/synthetic/synthetic.inter");
var dataset = DatasetLoader.Load(path);
var split = new LeaveOneOutSplit().Split(dataset);
var generator = new Generator(seed);
var backbone = new CausalConvBackbone(dataset.NumItems, dim: 64, maxLength: 30, dilations: [1, 2, 4], kernel: 3, dropout: 0.2f, generator);
var model = new SequentialRecommender(backbone);
Console.WriteLine($"{dataset}; {backbone.ParameterCount():N0} parameters; slots: {string.Join(", ", backbone.Slots.All)}");

var optimizer = new Adam(backbone.Parameters(), new AdamOptions { LearningRate = 1e-3 });
var batches = new SequenceBatcher(dataset, split.Train, new SequenceBatchOptions { BatchSize = 128, MaxLength = backbone.MaxLength, Shuffle = true, Seed = seed });
var evaluation = new EvaluationOptions { Ks = [10], MaskHistory = true };
for (int epoch = 1; epoch <= epochs; epoch++)
{
    var clock = Stopwatch.StartNew();
    double lossSum = 0;
    int steps = 0;
    backbone.Train();
    foreach (var batch in batches.Epoch(epoch))
    {
        using var scope = TensorScope.Begin();                              // the step's intermediates go back to a pool
        optimizer.ZeroGrad();
        var states = model.Encode(batch);                                   // [B, L, d]
        var loss = F.LinearCrossEntropy(states, backbone.ItemEmbeddings, batch.Targets, ignoreIndex: 0); // every position, padding ignored
        loss.Backward();
        optimizer.Step();
        lossSum += loss.Item();
        steps++;
    }

    var valid = Evaluator.Evaluate(model, dataset, split.Valid, evaluation);
    Console.WriteLine($"epoch {epoch,2}: loss {lossSum / steps:F3}, valid NDCG@10 {valid["NDCG@10"]:F4}, HR@10 {valid["HR@10"]:F4} ({clock.Elapsed.TotalSeconds:F1} s)");
}

var test = Evaluator.Evaluate(model, dataset, split.Test, evaluation);
Console.WriteLine($"test ({test.Examples:N0} users, full ranking, history masked): NDCG@10 {test["NDCG@10"]:F4}, HR@10 {test["HR@10"]:F4}");
return 0;
