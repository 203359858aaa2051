namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Parallel loops for work whose result for an item does not depend on which thread computes it or when
/// (independent attention heads, rows, elementwise blocks; never reductions across items). The range is cut into
/// more pieces than threads and the pieces are handed out as threads become free, so a thread that loses its core to
/// another process for a while does not hold up the whole op; the results are the same bits for any schedule.
/// </summary>
internal static class WorkSplit
{
    private const long MinWorkPerPiece = 32_768;
    private const int PiecesPerThread = 4;

    /// <summary>Runs body(start, end) over [0, count) on up to <see cref="Engine.NumThreads"/> threads.</summary>
    public static void Dynamic(int count, long costPerItem, Action<int, int> body)
    {
        int threads = Engine.NumThreads;
        long work = count * costPerItem;
        if (threads <= 1 || count <= 1 || work < 2 * MinWorkPerPiece)
        {
            body(0, count);
            return;
        }

        int pieces = (int)Math.Min(Math.Min(count, (long)threads * PiecesPerThread), Math.Max(1, work / MinWorkPerPiece));
        if (pieces <= 1)
        {
            body(0, count);
            return;
        }

        Parallel.For(0, pieces, new ParallelOptions { MaxDegreeOfParallelism = threads }, p =>
            body((int)((long)count * p / pieces), (int)((long)count * (p + 1) / pieces)));
    }
}
