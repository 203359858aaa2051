namespace ParamGen.Tensors;

/// <summary>
/// Process-wide engine settings. The thread count is the one knob for parallelism, as
/// <c>torch.set_num_threads</c> is in PyTorch.
/// </summary>
public static partial class Engine
{
    private static int s_numThreads = Environment.ProcessorCount;

    /// <summary>
    /// The number of threads kernels may use (default: the processor count). Work is split in a
    /// fixed way for a given thread count, so the same seed and thread count give bitwise-identical results.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int NumThreads
    {
        get => s_numThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(NumThreads));
            s_numThreads = value;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> over [0, count) split into contiguous chunks, in parallel when the work
    /// (count x <paramref name="costPerItem"/>) is large enough to pay for a thread hop. Chunk boundaries
    /// depend only on count and <see cref="NumThreads"/>, never on timing.
    /// </summary>
    internal static void ParallelFor(int count, long costPerItem, Action<int, int> body)
    {
        int threads = NumThreads;
        const long MinWorkPerThread = 32_768;
        if (threads <= 1 || count <= 1 || count * costPerItem < 2 * MinWorkPerThread)
        {
            body(0, count);
            return;
        }

        int chunks = (int)Math.Min(Math.Min(threads, count), Math.Max(1, count * costPerItem / MinWorkPerThread));
        if (chunks <= 1)
        {
            body(0, count);
            return;
        }

        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            int start = (int)((long)count * c / chunks);
            int end = (int)((long)count * (c + 1) / chunks);
            body(start, end);
        });
    }
}
