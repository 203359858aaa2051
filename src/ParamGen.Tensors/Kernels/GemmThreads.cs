using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// The threads a GEMM splits its work over: the calling thread plus up to <see cref="Engine.NumThreads"/> - 1
/// helper threads that stay awake for a short while after each product, as OpenMP's and OpenBLAS's threads do.
/// </summary>
/// <remarks>
/// <para>Why not <c>Parallel.For</c>: a thread-pool worker that has gone to sleep takes 60 to 130 µs to start
/// on this project's VM (a halted virtual CPU has to be woken), longer than a 256^3 product takes on one
/// core, so the caller often ended up doing every piece itself (sgemm_256 on two threads: 0.16 or 0.31 ms
/// from one run to the next). A helper here spins for <see cref="SpinMicroseconds"/> after its last piece,
/// yielding its core to any other runnable thread, and only then blocks; back-to-back products, and the
/// phases of one product, find it awake.</para>
/// <para>Work is cut into more pieces than threads and handed out one at a time, so a thread that loses its
/// core to another process for a while does not hold up the whole product: the others take the remaining
/// pieces. A piece's result never depends on which thread ran it, so the bits do not either.</para>
/// <para>One product at a time uses the helpers. A call made while they are busy (another thread's product,
/// or a product inside a piece) splits its pieces over <c>Parallel.For</c> instead, so nothing waits on itself.</para>
/// </remarks>
internal static class GemmThreads
{
    /// <summary>How long an idle helper stays awake for the next piece of work before it blocks.</summary>
    private const int SpinMicroseconds = 1000;

    /// <summary>Least work (in the callers' cost units) worth a piece of its own; as <see cref="Engine.ParallelFor"/>.</summary>
    private const long MinWorkPerPiece = 32_768;

    private static readonly long s_spinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
    private static readonly object s_gate = new();
    private static readonly SemaphoreSlim s_wake = new(0);
    private static Thread[] s_helpers = [];
    private static Job? s_job;
    private static long s_generation;
    private static int s_busy;
    private static int s_sleepers;

    [ThreadStatic]
    private static bool t_isHelper;

    /// <summary>
    /// Runs body(start, end) over [0, <paramref name="count"/>) cut into at most <paramref name="maxPieces"/>
    /// contiguous pieces (fewer when count x <paramref name="costPerItem"/> is too little work for that many),
    /// on up to <see cref="Engine.NumThreads"/> threads, the caller included. Returns when every piece is done;
    /// rethrows the first exception a piece threw.
    /// </summary>
    public static void For(int count, long costPerItem, int maxPieces, Action<int, int> body)
    {
        int threads = Engine.NumThreads;
        long work = count * costPerItem;
        int pieces = (int)Math.Min(Math.Min(count, maxPieces), Math.Max(1, work / MinWorkPerPiece));
        if (threads <= 1 || pieces <= 1 || work < 2 * MinWorkPerPiece)
        {
            body(0, count);
            return;
        }

        if (t_isHelper || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            var shared = new Job(body, count, pieces, threads - 1);
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => shared.Work());
            shared.Error?.Throw();
            return;
        }

        try
        {
            EnsureHelpers(threads - 1);
            var job = new Job(body, count, pieces, threads - 1);
            Volatile.Write(ref s_job, job);
            Interlocked.Increment(ref s_generation);
            int sleepers = Volatile.Read(ref s_sleepers);
            if (sleepers > 0)
            {
                s_wake.Release(Math.Min(sleepers, threads - 1));
            }

            job.Work();
            var spin = default(SpinWait);
            while (Volatile.Read(ref job.Done) < pieces)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            Volatile.Write(ref s_job, null);
            job.Error?.Throw();
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    private static void EnsureHelpers(int count)
    {
        if (s_helpers.Length >= count)
        {
            return;
        }

        lock (s_gate)
        {
            var helpers = s_helpers;
            if (helpers.Length >= count)
            {
                return;
            }

            var grown = new Thread[count];
            helpers.CopyTo(grown, 0);
            for (int i = helpers.Length; i < count; i++)
            {
                grown[i] = new Thread(HelperLoop) { IsBackground = true, Name = $"ParamGen GEMM {i + 1}" };
                grown[i].Start();
            }

            s_helpers = grown;
        }
    }

    private static void HelperLoop()
    {
        t_isHelper = true;
        long seen = Volatile.Read(ref s_generation);
        long idleSince = Stopwatch.GetTimestamp();
        while (true)
        {
            long generation = Volatile.Read(ref s_generation);
            if (generation != seen)
            {
                seen = generation;
                if (Volatile.Read(ref s_job) is { } job && Interlocked.Increment(ref job.Joined) <= job.MaxHelpers)
                {
                    job.Work();
                }

                idleSince = Stopwatch.GetTimestamp();
                continue;
            }

            if (Stopwatch.GetTimestamp() - idleSince < s_spinTicks)
            {
                // Yield rather than burn the core: another process's thread, or a thread-pool worker of the next
                // op, runs if it is ready; otherwise the core comes straight back.
                Thread.Yield();
                continue;
            }

            Interlocked.Increment(ref s_sleepers);
            if (Volatile.Read(ref s_generation) == seen)
            {
                s_wake.Wait();
            }

            Interlocked.Decrement(ref s_sleepers);
            idleSince = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>One call's pieces, claimed one at a time by whichever thread is free.</summary>
    private sealed class Job(Action<int, int> body, int count, int pieces, int maxHelpers)
    {
        public readonly int MaxHelpers = maxHelpers;
        public int Done;
        public int Joined;
        public ExceptionDispatchInfo? Error;
        private int _next;

        public void Work()
        {
            int p;
            while ((p = Interlocked.Increment(ref _next) - 1) < pieces)
            {
                try
                {
                    body((int)((long)count * p / pieces), (int)((long)count * (p + 1) / pieces));
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref Error, ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    Interlocked.Increment(ref Done);
                }
            }
        }
    }
}
