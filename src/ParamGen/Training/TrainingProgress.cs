namespace ParamGen.Training;

/// <summary>
/// A progress report of <see cref="Trainer"/>: one after every step (a value type, so reporting allocates nothing),
/// one when validation starts and one when an epoch ends.
/// </summary>
/// <param name="Phase">What the report marks.</param>
/// <param name="Epoch">The current epoch, 1-based.</param>
/// <param name="Epochs">The run's planned number of epochs (<see cref="TrainerOptions.Epochs"/>).</param>
/// <param name="Step">Steps finished in the current epoch.</param>
/// <param name="StepsPerEpoch">Steps per epoch.</param>
/// <param name="GlobalStep">Steps finished since the run began (resumed runs included).</param>
/// <param name="Loss">The mean training loss of the current epoch so far.</param>
/// <param name="Record">The finished epoch's summary (with <see cref="TrainingPhase.EpochCompleted"/>), else null.</param>
public readonly record struct TrainingProgress(TrainingPhase Phase, int Epoch, int Epochs, int Step, int StepsPerEpoch, long GlobalStep, double Loss, EpochRecord? Record);
