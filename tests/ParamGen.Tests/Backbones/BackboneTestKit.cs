using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tests.Backbones;

/// <summary>
/// <c>y = x * scale + shift</c> over the last dimension: the smallest adapter with both weight sources, so the
/// backbone tests do not depend on the adapter library. Generated weights are read from the packed tensor.
/// </summary>
internal sealed class ScaleShiftAdapter : Adapter
{
    private readonly Parameter? _scale;
    private readonly Parameter? _shift;

    public ScaleShiftAdapter(int width, AdapterWeightSource source, Generator? generator = null)
        : base(width, source)
    {
        if (source == AdapterWeightSource.Static)
        {
            var g = generator ?? new Generator(5);
            _scale = RegisterParameter("scale", new Parameter(Tensor.Randn([width], g) * 0.5f + 1f));
            _shift = RegisterParameter("shift", new Parameter(Tensor.Randn([width], g) * 0.5f));
        }
    }

    public Parameter Scale => _scale ?? throw new InvalidOperationException("generated");

    public override IReadOnlyList<WeightSpec> WeightSpecs => [new("scale", [Width]), new("shift", [Width])];

    public override Tensor Forward(Tensor x, SlotWeights? weights)
    {
        if (Source == AdapterWeightSource.Static)
        {
            return (x * _scale!) + _shift!;
        }

        var scale = Rows(weights!["scale"]);                     // [B, d]
        var shift = Rows(weights["shift"]);                      // [B, d]
        if (x.Rank == 3)
        {
            scale = scale.Unsqueeze(1);                          // [B, 1, d]
            shift = shift.Unsqueeze(1);
        }

        return (x * scale) + shift;
    }

    private static Tensor Rows(ParameterView view)
    {
        var t = view.Packed.Narrow(1, view.Offset, view.NumElements); // [N, d]
        return view.RowIndex is null ? t : t.IndexSelect(0, Tensor.FromInts(view.RowIndex, view.RowIndex.Length));
    }
}

/// <summary>Batches, metrics and a minimal training loop for the backbone tests.</summary>
internal static class BackboneTestKit
{
    public static SequenceBatch Batch(int maxLength, params int[][] histories) => SequenceBatch.FromHistories(histories, maxLength);

    /// <summary>Random histories of the given lengths over items 1..numItems.</summary>
    public static SequenceBatch RandomBatch(int numItems, int maxLength, ulong seed, params int[] lengths)
    {
        var g = new Generator(seed);
        var histories = lengths.Select(n => Enumerable.Range(0, n).Select(_ => 1 + g.NextInt(numItems)).ToArray()).ToArray();
        return SequenceBatch.FromHistories(histories, maxLength);
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = 0;
        foreach (float v in expected)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        for (int i = 0; i < expected.Length; i++)
        {
            float diff = Math.Abs(expected[i] - actual[i]);
            Assert.True(diff <= tolerance * Math.Max(scale, 1e-3f), $"{what}[{i}]: expected {expected[i]}, got {actual[i]} (max |expected| {scale})");
        }
    }

    /// <summary>Trains with all-position cross-entropy (F.LinearCrossEntropy against the item embeddings, ignore index 0) and Adam.</summary>
    public static void Train(ISequentialBackbone backbone, InteractionDataset dataset, IReadOnlyList<SequenceExample> examples, int epochs, int batchSize, double lr, ulong seed)
    {
        var module = backbone.Module;
        var optimizer = new Adam(module.Parameters(), new AdamOptions { LearningRate = lr });
        var batches = new SequenceBatcher(dataset, examples, new SequenceBatchOptions { BatchSize = batchSize, MaxLength = backbone.MaxLength, Shuffle = true, Seed = seed });
        module.Train();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            foreach (var batch in batches.Epoch(epoch))
            {
                optimizer.ZeroGrad();
                var states = backbone.Encode(batch);                                            // [B, L, d]
                var loss = F.LinearCrossEntropy(states, backbone.ItemEmbeddings, batch.Targets, ignoreIndex: 0);
                loss.Backward();
                optimizer.Step();
            }
        }

        module.Eval();
    }

    /// <summary>NDCG@10 of the examples' targets, ranking every item (id 0 excluded) from the last state.</summary>
    public static double Ndcg10(ISequentialBackbone backbone, InteractionDataset dataset, IReadOnlyList<SequenceExample> examples)
    {
        backbone.Module.Eval();
        using var noGrad = Grad.NoGrad();
        double sum = 0;
        foreach (var batch in new SequenceBatcher(dataset, examples, new SequenceBatchOptions { BatchSize = 256, MaxLength = backbone.MaxLength }))
        {
            var scores = backbone.Score(backbone.EncodeLast(batch));                            // [B, N + 1]
            int n = scores.Shape[1];
            var s = scores.AsReadOnlySpan();
            for (int r = 0; r < batch.Size; r++)
            {
                var row = s.Slice(r * n, n);
                int target = (int)batch.LastTargets[r];
                int rank = 0;
                for (int i = 1; i < n; i++)
                {
                    rank += row[i] > row[target] ? 1 : 0;
                }

                sum += rank < 10 ? 1.0 / Math.Log2(rank + 2) : 0;
            }
        }

        return sum / examples.Count;
    }

    /// <summary>NDCG@10 of a popularity ranking (item counts over the training inputs, ties broken pessimistically).</summary>
    public static double PopularityNdcg10(InteractionDataset dataset, IReadOnlyList<SequenceExample> train, IReadOnlyList<SequenceExample> examples)
    {
        var counts = new int[dataset.NumItems + 1];
        foreach (var e in train)
        {
            foreach (int item in dataset.GetSequence(e.User)[..e.End])
            {
                counts[item]++;
            }
        }

        double sum = 0;
        foreach (var e in examples)
        {
            int target = e.Target(dataset);
            int rank = counts.Skip(1).Count(c => c >= counts[target]) - 1;
            sum += rank < 10 ? 1.0 / Math.Log2(rank + 2) : 0;
        }

        return sum / examples.Count;
    }

    public static float[] Data(Tensor t) => t.ToArray();
}
