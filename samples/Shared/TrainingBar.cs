using ParamGen.Training;
using Spectre.Console;

namespace ParamGen.Samples;

/// <summary>
/// Moves a Spectre progress bar on every training step (its tasks are thread-safe) and shows the epoch, the running
/// loss and the last validation score, prefixed by <paramref name="name"/> when several runs share one display.
/// </summary>
/// <param name="task">The bar.</param>
/// <param name="epochs">The epoch budget (the bar's length in steps is epochs x steps per epoch).</param>
/// <param name="name">Prefix of the description, or null.</param>
internal sealed class TrainingBar(ProgressTask task, int epochs, string? name = null) : IProgress<TrainingProgress>
{
    private readonly string _prefix = name is null ? string.Empty : $"{name}: ";
    private string _valid = string.Empty;

    public void Report(TrainingProgress p)
    {
        if (p.Record is { Score: double score })
        {
            _valid = $", valid {score:F4}";
        }

        if (p.StepsPerEpoch > 0)
        {
            task.MaxValue = (double)epochs * p.StepsPerEpoch;
            task.Value = ((double)(p.Epoch - 1) * p.StepsPerEpoch) + p.Step;
        }

        task.Description = p.Phase switch
        {
            TrainingPhase.Validating => $"{_prefix}epoch {p.Epoch} validating{_valid}",
            TrainingPhase.Testing => $"{_prefix}testing the best epoch{_valid}",
            _ => $"{_prefix}epoch {p.Epoch}, loss {p.Loss:F3}{_valid}",
        };
    }
}
