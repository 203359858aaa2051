using ParamGen.Training;
using Spectre.Console;

namespace ParamGen.Cli;

/// <summary>A Spectre.Console progress bar over a training run's <see cref="TrainingProgress"/> reports.</summary>
internal static class CliProgress
{
    public static TrainingResult Run(IAnsiConsole console, int epochs, Func<IProgress<TrainingProgress>, TrainingResult> run)
    {
        TrainingResult? result = null;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: 1);
                var progress = new Progress(task, epochs);
                result = run(progress);
                task.Value = task.MaxValue;
            });
        return result!;
    }

    /// <summary>Updates the bar synchronously (Spectre tasks are thread-safe) rather than through a SynchronizationContext.</summary>
    private sealed class Progress(ProgressTask task, int epochs) : IProgress<TrainingProgress>
    {
        private string _validation = string.Empty;

        public void Report(TrainingProgress value)
        {
            if (value.Record is { Score: double score })
            {
                _validation = $", last valid {score:F4}";
            }

            if (value.StepsPerEpoch > 0)
            {
                task.MaxValue = (double)epochs * value.StepsPerEpoch;
                task.Value = ((double)(value.Epoch - 1) * value.StepsPerEpoch) + value.Step;
            }

            task.Description = value.Phase switch
            {
                TrainingPhase.Validating => $"epoch {value.Epoch}: validating{_validation}",
                TrainingPhase.Testing => "testing the best epoch",
                _ => $"epoch {value.Epoch}: loss {value.Loss:F3}{_validation}",
            };
        }
    }
}
