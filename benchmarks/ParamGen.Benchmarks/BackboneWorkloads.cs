using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Evaluation;
using ParamGen.Tensors;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;
using ParamGen.Training;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Benchmarks;

/// <summary>
/// The whole-model shapes of ../shared/reference/torch_speed.py: SASRec (d 64, 2 pre-norm blocks, 2 heads, FFN 256,
/// dropout 0.2, length 50, RecBole init) and GRU4Rec (embedding 64, hidden 128, 1 layer, dropout 0.2), batches of
/// 256 x 50 random item ids without padding, and the catalogues (3,416 items for training and batch inference, the
/// Beauty-sized 12,101 for the single-user latency). torch_bench.py builds the same models.
/// </summary>
internal static class BackboneBench
{
    public const int Batch = 256, Length = 50, TrainItems = 3416, ServeItems = 12101, TopK = 10;

    public static ISequentialBackbone Create(string model, int items, Generator g) => model switch
    {
        "sasrec" => new SasRec(items, new SasRecOptions
        {
            HiddenSize = 64, Blocks = 2, Heads = 2, FeedForwardSize = 256, Dropout = 0.2f, MaxLength = Length,
            PreNorm = true, Initialization = BackboneInitialization.RecBole,
        }, g),
        "gru4rec" => new Gru4Rec(items, new Gru4RecOptions
        {
            EmbeddingSize = 64, HiddenSize = 128, Layers = 1, Dropout = 0.2f, MaxLength = Length,
            Initialization = BackboneInitialization.RecBole,
        }, g),
        _ => throw new ArgumentException($"unknown model '{model}'", nameof(model)),
    };

    /// <summary><paramref name="rows"/> histories of <see cref="Length"/> uniform ids in [1, items].</summary>
    public static int[][] Histories(int rows, int items, Generator g)
    {
        var ids = Tensor.RandInt(1, items + 1, [rows, Length], g);
        return [.. ids.Span.ToArray().Select(v => (int)v).Chunk(Length)];
    }

    /// <summary>A full batch (no padding) whose next-item targets, every position and the last, are uniform ids in [1, items].</summary>
    public static SequenceBatch TrainingBatch(int items, Generator g)
    {
        var batch = SequenceBatch.FromHistories(Histories(Batch, items, g), Length, numItems: items);
        Tensor.RandInt(1, items + 1, [Batch, Length], g).Span.CopyTo(batch.Targets.Span); // [B, L]
        for (int b = 0; b < Batch; b++)
        {
            batch.LastTargets.Span[b] = batch.Targets.Span[(b * Length) + Length - 1];
        }

        return batch;
    }
}

/// <summary>
/// One training step as the Trainer takes it: gradients cleared in place, forward in training mode (dropout on),
/// full-softmax cross-entropy over the 3,417 item rows (padding row included), backward, one Adam step (lr 1e-3).
/// With <c>allPositions</c> the loss covers every position (<see cref="SequenceLosses.CrossEntropy"/>, the
/// Trainer's default; PyTorch: [B, L, V] logits and <c>F.cross_entropy</c>); otherwise only the last one, as the
/// reference script: <see cref="ISequentialBackbone.EncodeLast"/> (SASRec runs its last block for the last query
/// only; PyTorch runs the whole block and takes the last column) and <see cref="F.LinearCrossEntropy"/>.
/// </summary>
public abstract class BackboneTrainStepWorkload(string model, bool allPositions) : Workload
{
    private ISequentialBackbone _backbone = null!;
    private Tensor[] _parameters = null!;
    private Adam _adam = null!;
    private SequenceBatch _batch = null!;

    public override string Name => $"{model}_train_step{(allPositions ? "_allpos" : "")}";

    public override void Setup()
    {
        var g = new Generator(0);
        _backbone = BackboneBench.Create(model, BackboneBench.TrainItems, g);
        _backbone.Module.Train();
        _parameters = [.. _backbone.Module.Parameters()];
        _adam = new Adam(_parameters, new AdamOptions { LearningRate = 1e-3 });
        _batch = BackboneBench.TrainingBatch(BackboneBench.TrainItems, g);
    }

    public override void Run()
    {
        foreach (var p in _parameters)
        {
            p.Grad?.Span.Clear();
        }

        var loss = allPositions
            ? SequenceLosses.CrossEntropy(_backbone.Encode(_batch), _backbone.ItemEmbeddings, _batch.Targets)                        // [B, L, d] vs [V + 1, d]
            : F.LinearCrossEntropy(_backbone.EncodeLast(_batch), _backbone.ItemEmbeddings, _batch.LastTargets, ignoreIndex: 0);   // [B, d] vs [V + 1, d]
        loss.Backward();
        _adam.Step();
    }
}

/// <summary>
/// Serving through <see cref="Recommender.RecommendMany"/> (evaluation mode, no graph, the library's own scope):
/// top-10 over the 3,416-item catalogue for 256 histories of length 50, padding and seen items excluded (the
/// default); PyTorch masks the same items before <c>torch.topk</c>.
/// </summary>
public abstract class BackboneInferBatchWorkload(string model) : Workload
{
    private SequentialRecommender _recommender = null!;
    private int[][] _histories = null!;

    public override string Name => $"{model}_infer_batch";

    public override void Setup()
    {
        var g = new Generator(0);
        _recommender = new SequentialRecommender(BackboneBench.Create(model, BackboneBench.TrainItems, g));
        _histories = BackboneBench.Histories(BackboneBench.Batch, BackboneBench.TrainItems, g);
    }

    public override void Run() => Recommender.RecommendMany(_recommender, _histories, BackboneBench.TopK);
}

/// <summary>
/// Single-user latency through <see cref="Recommender.Recommend"/>: one history of length 50, top-10 over the
/// Beauty-sized catalogue (12,101 items), padding and seen items excluded (the default; PyTorch masks the same).
/// </summary>
public abstract class BackboneInferOneWorkload(string model) : Workload
{
    private SequentialRecommender _recommender = null!;
    private int[] _history = null!;

    public override string Name => $"{model}_infer_one";

    public override void Setup()
    {
        var g = new Generator(0);
        _recommender = new SequentialRecommender(BackboneBench.Create(model, BackboneBench.ServeItems, g));
        _history = BackboneBench.Histories(1, BackboneBench.ServeItems, g)[0];
    }

    public override void Run() => Recommender.Recommend(_recommender, _history, BackboneBench.TopK);
}

/// <summary>SASRec training step, cross-entropy at the last position.</summary>
public sealed class SasRecTrainStepWorkload() : BackboneTrainStepWorkload("sasrec", allPositions: false);

/// <summary>SASRec training step, cross-entropy at every position.</summary>
public sealed class SasRecTrainStepAllPositionsWorkload() : BackboneTrainStepWorkload("sasrec", allPositions: true);

/// <summary>GRU4Rec training step, cross-entropy at the last position.</summary>
public sealed class Gru4RecTrainStepWorkload() : BackboneTrainStepWorkload("gru4rec", allPositions: false);

/// <summary>GRU4Rec training step, cross-entropy at every position.</summary>
public sealed class Gru4RecTrainStepAllPositionsWorkload() : BackboneTrainStepWorkload("gru4rec", allPositions: true);

/// <summary>sasrec_train_step with a scope per step (the Trainer's default, <see cref="TrainerOptions.PoolStepTensors"/>).</summary>
public sealed class SasRecTrainStepScopedWorkload() : ScopedWorkload(new SasRecTrainStepWorkload());

/// <summary>sasrec_train_step_allpos with a scope per step.</summary>
public sealed class SasRecTrainStepAllPositionsScopedWorkload() : ScopedWorkload(new SasRecTrainStepAllPositionsWorkload());

/// <summary>gru4rec_train_step with a scope per step.</summary>
public sealed class Gru4RecTrainStepScopedWorkload() : ScopedWorkload(new Gru4RecTrainStepWorkload());

/// <summary>gru4rec_train_step_allpos with a scope per step.</summary>
public sealed class Gru4RecTrainStepAllPositionsScopedWorkload() : ScopedWorkload(new Gru4RecTrainStepAllPositionsWorkload());

/// <summary>SASRec top-10 for 256 users.</summary>
public sealed class SasRecInferBatchWorkload() : BackboneInferBatchWorkload("sasrec");

/// <summary>GRU4Rec top-10 for 256 users.</summary>
public sealed class Gru4RecInferBatchWorkload() : BackboneInferBatchWorkload("gru4rec");

/// <summary>SASRec top-10 for one user over 12,101 items.</summary>
public sealed class SasRecInferOneWorkload() : BackboneInferOneWorkload("sasrec");

/// <summary>GRU4Rec top-10 for one user over 12,101 items.</summary>
public sealed class Gru4RecInferOneWorkload() : BackboneInferOneWorkload("gru4rec");
