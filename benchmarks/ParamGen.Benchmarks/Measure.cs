using System.Diagnostics;
using ParamGen.Tensors;

namespace ParamGen.Benchmarks;

/// <summary>Timing and memory measurement with the same protocol as torch_bench.py.</summary>
public static class Measure
{
    /// <summary>Median milliseconds of <paramref name="reps"/> runs after <paramref name="warm"/> warm-up runs, and managed bytes allocated per run.</summary>
    public static (double MedianMs, double AllocatedMbPerRun) Time(Workload w, int threads, int warm = 3, int reps = 15)
    {
        Engine.NumThreads = threads;
        w.Setup();
        for (int i = 0; i < warm; i++)
        {
            w.Run();
        }

        var times = new double[reps];
        long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            w.Run();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocBefore;
        Array.Sort(times);
        return (times[reps / 2], allocated / (double)reps / (1 << 20));
    }

    /// <summary>
    /// Peak resident memory a workload needs beyond its inputs, in MiB: the process's peak working set after
    /// three runs minus the peak after setup. Run in a fresh process so earlier work does not mask it.
    /// </summary>
    public static double PeakMemoryMb(Workload w, int threads)
    {
        Engine.NumThreads = threads;
        w.Setup();
        GC.Collect();
        var p = Process.GetCurrentProcess();
        p.Refresh();
        long before = p.PeakWorkingSet64;
        for (int i = 0; i < 3; i++)
        {
            w.Run();
        }

        p.Refresh();
        return (p.PeakWorkingSet64 - before) / (double)(1 << 20);
    }
}
