using System.Diagnostics;
using System.Globalization;
using ParamGen.Generators;
using ParamGen.Tensors;

namespace ParamGen.Benchmarks;

/// <summary>
/// <c>-- hamur [--threads 2] [--reps 15]</c>: HAMUR's generation time against the backbone's forward on one batch
/// (<see cref="HamurCase"/>), in evaluation mode under no-grad and in training mode, with the ratios the issue's
/// target is stated in (generation under 5% of the backbone's forward on that batch). Training mode also times a
/// forward and backward with and without HAMUR.
/// </summary>
internal static class HamurBenchmark
{
    public static int Run(int threads, int reps)
    {
        Engine.NumThreads = threads;
        Console.WriteLine($"HAMUR generation cost: {new HamurCase(training: false).Describe()}");
        Console.WriteLine($"{threads} thread(s), median of {reps} rounds after {WarmUp} warm-up rounds (a round times each part once, in turn, so load drifts hit them alike), .NET {Environment.Version}");
        Console.WriteLine();
        Console.WriteLine("| mode | history | Generate ms | Encode with adapters ms | Encode without adapters ms | Generate / Encode with | Generate / Encode without |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        var steps = new List<string>();
        foreach (bool training in (bool[])[false, true])
        {
            foreach (var history in (HamurHistory[])[HamurHistory.None, HamurHistory.Mean])
            {
                var c = new HamurCase(training, history);
                var (generate, with, without) = Medians(c.Generate, c.EncodeWithAdapters, c.EncodePlain, reps);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {(training ? "training (graph recorded, dropout on)" : "evaluation (no grad)")} | {history} | {generate:F2} | {with:F2} | {without:F2} | {100 * generate / with:F1}% | {100 * generate / without:F1}% |"));
                if (training)
                {
                    var (step, plain, _) = Medians(c.StepWithHamur, c.StepPlain, null, reps);
                    steps.Add(string.Create(CultureInfo.InvariantCulture,
                        $"forward + backward (sum of the states), training mode, history {history}: with HAMUR (generation included) {step:F2} ms, without adapters {plain:F2} ms ({step / plain:F2}x)"));
                }
            }
        }

        Console.WriteLine();
        steps.ForEach(Console.WriteLine);

        Console.WriteLine("target: Generate under 5% of the backbone's forward on the batch");
        return 0;
    }

    private const int WarmUp = 10;

    /// <summary>Median milliseconds of each part over <paramref name="reps"/> rounds, after <see cref="WarmUp"/> rounds that let the JIT reach its optimised code.</summary>
    private static (double A, double B, double C) Medians(Action a, Action b, Action? c, int reps)
    {
        var parts = c is null ? new[] { a, b } : [a, b, c];
        var times = new double[parts.Length][];
        for (int p = 0; p < parts.Length; p++)
        {
            times[p] = new double[reps];
        }

        for (int round = -WarmUp; round < reps; round++)
        {
            for (int p = 0; p < parts.Length; p++)
            {
                long start = Stopwatch.GetTimestamp();
                parts[p]();
                if (round >= 0)
                {
                    times[p][round] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }
        }

        var medians = times.Select(t => t.Order().ElementAt(reps / 2)).ToArray();
        return (medians[0], medians[1], medians.Length > 2 ? medians[2] : 0);
    }
}
