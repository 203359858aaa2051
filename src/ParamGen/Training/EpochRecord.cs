namespace ParamGen.Training;

/// <summary>The summary of one training epoch.</summary>
/// <param name="Epoch">The epoch, 1-based.</param>
/// <param name="Loss">The mean training loss over the epoch's steps.</param>
/// <param name="Steps">The epoch's steps.</param>
/// <param name="Seconds">Wall-clock seconds of the epoch's training steps (validation excluded).</param>
/// <param name="ValidationSeconds">Wall-clock seconds of its validation (0 when it was not validated).</param>
/// <param name="Validation">The validation metrics (overall), or null when the epoch was not validated.</param>
/// <param name="Score">The early-stopping metric's value, or null when the epoch was not validated.</param>
public sealed record EpochRecord(int Epoch, double Loss, int Steps, double Seconds, double ValidationSeconds,
    IReadOnlyDictionary<string, double>? Validation, double? Score);
