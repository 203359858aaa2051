using System.Diagnostics;
using System.Globalization;
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
        Console.WriteLine($"{threads} thread(s), median of {reps} runs after 3 warm-up runs, .NET {Environment.Version}");
        Console.WriteLine();
        Console.WriteLine("| mode | Generate ms | Encode with adapters ms | Encode without adapters ms | Generate / Encode with | Generate / Encode without |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (bool training in (bool[])[false, true])
        {
            var c = new HamurCase(training);
            double generate = Median(c.Generate, reps), with = Median(c.EncodeWithAdapters, reps), without = Median(c.EncodePlain, reps);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {(training ? "training (graph recorded, dropout on)" : "evaluation (no grad)")} | {generate:F2} | {with:F2} | {without:F2} | {100 * generate / with:F1}% | {100 * generate / without:F1}% |"));
            if (training)
            {
                double step = Median(c.StepWithHamur, reps), plain = Median(c.StepPlain, reps);
                Console.WriteLine();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"forward + backward (sum of the states), training mode: with HAMUR (generation included) {step:F2} ms, without adapters {plain:F2} ms ({step / plain:F2}x)"));
            }
        }

        Console.WriteLine("target: Generate under 5% of the backbone's forward on the batch");
        return 0;
    }

    private static double Median(Action run, int reps)
    {
        for (int i = 0; i < 3; i++)
        {
            run();
        }

        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[reps / 2];
    }
}
