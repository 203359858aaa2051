using System.Diagnostics;
using System.Globalization;
using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Evaluation;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Memory;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Benchmarks;

/// <summary>
/// <c>-- evalspeed [--data FILE] [--threads 2] [--reps 3] [--dim 64]</c>: the evaluator on a Beauty-sized problem.
/// Loads Beauty.txt (default <c>../shared/datasets/Beauty.txt</c>; a synthetic dataset of the same size when the
/// file is missing), splits it leave-one-out and ranks every test example against the whole catalogue with a
/// backbone of width d whose states are random (a table lookup of the last item, so the numbers measure the
/// evaluator, not a model: one <c>[B, d] x [d, V + 1]</c> product per batch, the rank count and the top-K lists).
/// Prints the best and median wall time of each protocol, the share spent in the score product, and the latency of
/// one <see cref="Recommender.Recommend"/> call (history of 50, top 10).
/// </summary>
internal static class EvalSpeedBenchmark
{
    public static int Run(string[] args)
    {
        int threads = IntOption(args, "--threads", 2), reps = IntOption(args, "--reps", 3), dim = IntOption(args, "--dim", 64);
        string path = Option(args, "--data") ?? Path.Combine("..", "shared", "datasets", "Beauty.txt");
        Engine.NumThreads = threads;
        var data = File.Exists(path) ? DatasetLoader.Load(path) : Synthetic(22_363, 12_101);
        var split = new LeaveOneOutSplit().Split(data);
        var model = new SequentialRecommender(new RandomStateBackbone(data.NumItems, dim, maxLength: 50, new Generator(1)));
        Console.WriteLine($"{(File.Exists(path) ? path : "synthetic (Beauty-sized)")}: {data}");
        Console.WriteLine($"test examples {split.Test.Count:N0} x {data.NumItems:N0} items, d {dim}, {threads} thread(s), {reps} rep(s) after a warm-up, .NET {Environment.Version}");
        Console.WriteLine($"{"protocol",-44} {"best s",7} {"median s",9}  NDCG@10 (random model)");

        var negatives = SampledEvaluationNegatives.Create(data);
        var cases = new (string Name, EvaluationOptions Options)[]
        {
            ("full, masked, HR/NDCG/MRR/Recall + coverage", new EvaluationOptions { MaskHistory = true }),
            ("full, masked, rank metrics only", new EvaluationOptions { MaskHistory = true, ListMetrics = false }),
            ("full, unmasked, rank metrics only", new EvaluationOptions { ListMetrics = false }),
            ("sampled 100 (negatives drawn in the call)", new EvaluationOptions { Protocol = EvaluationProtocol.Sampled }),
            ("sampled 100 (negatives drawn beforehand)", new EvaluationOptions { Protocol = EvaluationProtocol.Sampled, Negatives = negatives }),
        };
        foreach (var (name, options) in cases)
        {
            var times = new List<double>();
            EvaluationResult? result = null;
            for (int r = 0; r <= reps; r++)
            {
                result = Evaluator.Evaluate(model, data, split.Test, options);
                if (r > 0)
                {
                    times.Add(result.Seconds);
                }
            }

            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-44} {times[0],7:F2} {times[times.Count / 2],9:F2}  {result!["NDCG@10"]:F4}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"of which the stand-in backbone's EncodeLast alone: {ForwardSeconds(model, data, split.Test, score: false):F2} s, EncodeLast + Score: {ForwardSeconds(model, data, split.Test, score: true):F2} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Recommend (history 50, top 10, {data.NumItems:N0} items): {RecommendMicroseconds(model, data):F0} us per call"));
        return 0;
    }

    /// <summary>Best of three passes of EncodeLast (and Score) over every batch, without ranking.</summary>
    private static double ForwardSeconds(ISequentialRecommender model, InteractionDataset data, IReadOnlyList<SequenceExample> examples, bool score)
    {
        var batches = new SequenceBatcher(data, examples, new SequenceBatchOptions { BatchSize = 512, MaxLength = 50 }).ToList();
        double best = double.MaxValue;
        for (int pass = 0; pass < 3; pass++)
        {
            var sw = Stopwatch.StartNew();
            using var noGrad = Grad.NoGrad();
            foreach (var batch in batches)
            {
                using var scope = TensorScope.Begin();
                var states = model.EncodeLast(batch); // [B, d]
                if (score)
                {
                    _ = model.Backbone.Score(states); // [B, V + 1]
                }
            }

            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }

        return best;
    }

    private static double RecommendMicroseconds(ISequentialRecommender model, InteractionDataset data)
    {
        var g = new Generator(7);
        var history = Enumerable.Range(0, 50).Select(_ => 1 + g.NextInt(data.NumItems)).ToArray();
        for (int i = 0; i < 200; i++)
        {
            Recommender.Recommend(model, history);
        }

        const int Calls = 2000;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < Calls; i++)
        {
            Recommender.Recommend(model, history);
        }

        return sw.Elapsed.TotalMicroseconds / Calls;
    }

    /// <summary>Users with 5 to 20 items (Beauty's mean is 8.9) over a skewed catalogue.</summary>
    private static InteractionDataset Synthetic(int users, int items)
    {
        var g = new Generator(2024);
        var b = new InteractionDatasetBuilder("synthetic-beauty-size");
        for (int i = 1; i <= items; i++)
        {
            b.ItemId(i.ToString(CultureInfo.InvariantCulture));
        }

        for (int u = 1; u <= users; u++)
        {
            int length = 5 + g.NextInt(16);
            for (int t = 0; t < length; t++)
            {
                double x = g.NextDouble();
                b.Add(u.ToString(CultureInfo.InvariantCulture), (1 + (int)(items * x * x)).ToString(CultureInfo.InvariantCulture));
            }
        }

        return b.Build();
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A stand-in backbone of width d: the state after item i is a fixed random row; random item embeddings.</summary>
    private sealed class RandomStateBackbone : Module, ISequentialBackbone
    {
        private readonly Tensor _states;

        public RandomStateBackbone(int numItems, int dim, int maxLength, Generator g)
        {
            _states = Tensor.Randn([numItems + 1, dim], g);
            ItemEmbeddings = Tensor.Randn([numItems + 1, dim], g) * 0.1f;
            MaxLength = maxLength;
            Slots = RegisterModule("adapters", new AdapterSlots());
        }

        public Module Module => this;

        public int NumItems => ItemEmbeddings.Shape[0] - 1;

        public int HiddenSize => ItemEmbeddings.Shape[1];

        public int MaxLength { get; }

        public AdapterSlots Slots { get; }

        public Tensor ItemEmbeddings { get; }

        public Tensor Encode(SequenceBatch batch, GeneratedWeights? weights = null) => F.Embedding(batch.ItemIds, _states); // [B, L, d]

        public Tensor Score(Tensor states) => F.Linear(states, ItemEmbeddings); // [B, V + 1]

        public Tensor ScoreCandidates(Tensor states, Tensor candidates)
        {
            int b = candidates.Shape[0], c = candidates.Shape[1];
            return F.Embedding(candidates, ItemEmbeddings).MatMul(states.Unsqueeze(2)).Reshape(b, c); // [B, C]
        }
    }
}
