using System.Diagnostics;
using ParamGen.Tensors;
using ParamGen.Tensors.Memory;

namespace ParamGen.Benchmarks;

/// <summary>Timing and memory measurement with the same protocol as torch_bench.py.</summary>
public static class Measure
{
    /// <summary>
    /// Median milliseconds of <paramref name="reps"/> runs after <paramref name="warm"/> warm-up runs, managed bytes
    /// allocated per run, and the process's minor page faults per run (null where /proc/self/stat is not there).
    /// </summary>
    /// <remarks>
    /// Page faults show what a workload's fresh allocations cost beyond its kernels: a large array the garbage
    /// collector hands out on pages it has given back to the system is zeroed by the kernel, page by page, on first
    /// touch. A workload run inside a <see cref="TensorScope"/> reuses pooled arrays and faults little.
    /// </remarks>
    public static (double MedianMs, double AllocatedMbPerRun, double? FaultsPerRun) Time(Workload w, int threads, int warm = 3, int reps = 15)
    {
        Engine.NumThreads = threads;
        w.Setup();
        WarmUp(w, warm);

        var times = new double[reps];
        long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        long? faultsBefore = MinorFaults();
        for (int i = 0; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            w.Run();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocBefore;
        long? faults = MinorFaults() - faultsBefore;
        Array.Sort(times);
        return (times[reps / 2], allocated / (double)reps / (1 << 20), faults / (double)reps);
    }

    /// <summary>The least warm-up time: long enough for the tiered JIT to promote what the workload calls.</summary>
    public static readonly TimeSpan MinWarmUp = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs <paramref name="w"/> at least <paramref name="runs"/> times and for at least <see cref="MinWarmUp"/>, then
    /// pauses and runs it once more. The tiered JIT runs a method's unoptimised code until it has been called 30
    /// times and no new method has been compiled for 100 ms, then compiles the optimised code in the background; a
    /// few runs of a millisecond workload end long before that, and the timed runs would straddle the switch (an
    /// ad-hoc loop timed <c>TensorPrimitives.Sum</c> over 1,024 floats at 1.5 µs a call before promotion and 0.05 µs
    /// after). The pause lets the background compilations land.
    /// </summary>
    public static void WarmUp(Workload w, int runs)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < runs || clock.Elapsed < MinWarmUp; i++)
        {
            w.Run();
        }

        Thread.Sleep(250);
        w.Run();
    }

    /// <summary>The process's minor page faults so far (field 10 of /proc/self/stat), or null off Linux.</summary>
    public static long? MinorFaults()
    {
        try
        {
            string stat = File.ReadAllText("/proc/self/stat");
            // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, minflt 10.
            string[] rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(rest[7], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
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
