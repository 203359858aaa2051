using Microsoft.Extensions.Logging;

namespace ParamGen.Training;

/// <summary>The <see cref="Trainer"/>'s log messages (one per epoch at most, never per step).</summary>
internal static partial class TrainerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Training {Model} on '{Dataset}': {Examples} examples, {StepsPerEpoch} steps per epoch, {Parameters} trainable parameters, loss {Loss}, {Optimizer} lr {LearningRate}, {Threads} threads")]
    public static partial void Started(ILogger logger, string model, string dataset, int examples, int stepsPerEpoch, long parameters, TrainingLoss loss, OptimizerKind optimizer, double learningRate, int threads);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Resuming from {Path} after epoch {Epoch} (step {Step})")]
    public static partial void Resumed(ILogger logger, string path, int epoch, long step);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Epoch {Epoch}/{Epochs}: loss {Loss:F4}, {Seconds:F1} s")]
    public static partial void Epoch(ILogger logger, int epoch, int epochs, double loss, double seconds);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information,
        Message = "Epoch {Epoch}/{Epochs}: loss {Loss:F4}, {Seconds:F1} s; valid {Metric} {Score:F4} ({ValidationSeconds:F1} s){Best}")]
    public static partial void EpochValidated(ILogger logger, int epoch, int epochs, double loss, double seconds, string metric, double score, double validationSeconds, string best);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Early stop after epoch {Epoch}: {Metric} has not improved for {Patience} validations (best {BestScore:F4} at epoch {BestEpoch})")]
    public static partial void EarlyStop(ILogger logger, int epoch, string metric, int patience, double bestScore, int bestEpoch);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Restored the weights of epoch {BestEpoch} ({Metric} {BestScore:F4})")]
    public static partial void RestoredBest(ILogger logger, int bestEpoch, string metric, double bestScore);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Test: {Metrics} ({Examples} examples, {Seconds:F1} s)")]
    public static partial void Test(ILogger logger, string metrics, int examples, double seconds);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning,
        Message = "GroupByLength is on and {Model} normalises with batch statistics in training ({Modules}): each batch holds histories of similar length, so those statistics follow the batch's length and differ from the running statistics evaluation uses. Leave GroupByLength off, or use norms without batch statistics where the model offers them")]
    public static partial void GroupedBatchStatistics(ILogger logger, string model, string modules);
}
