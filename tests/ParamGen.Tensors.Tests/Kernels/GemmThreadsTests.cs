using ParamGen.Tensors.Kernels;
using ParamGen.Tensors.Tests.Optim;

namespace ParamGen.Tensors.Tests.KernelTests;

/// <summary>
/// The GEMM's thread runner: every index is covered exactly once whatever the thread count, a piece's exception
/// reaches the caller, and calls made while the helpers are busy (from a piece, or from other threads at the
/// same time) still complete.
/// </summary>
[Collection(EngineThreadsCollection.Name)]
public class GemmThreadsTests
{
    private const long Heavy = 1 << 20; // cost per item: enough work for every piece to count

    [Fact]
    public void CoversEveryIndexExactlyOnceForAnyThreadCountAndPieceCount()
    {
        int saved = Engine.NumThreads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3, 4 })
            {
                Engine.NumThreads = threads;
                foreach (var (count, pieces, cost) in new[] { (1000, 16, Heavy), (7, 100, Heavy), (1, 8, Heavy), (0, 8, Heavy), (500, 8, 1L) })
                {
                    var hits = new int[count];
                    GemmThreads.For(count, cost, pieces, (s, e) =>
                    {
                        for (int i = s; i < e; i++)
                        {
                            Interlocked.Increment(ref hits[i]);
                        }
                    });
                    Assert.True(hits.All(h => h == 1), $"count {count}, {pieces} pieces, {threads} threads: hits {string.Join(",", hits.Distinct())}");
                }
            }
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }

    [Fact]
    public void RethrowsTheExceptionOfAPieceAfterTheOtherPiecesFinish()
    {
        int saved = Engine.NumThreads;
        Engine.NumThreads = 2;
        try
        {
            ThrowFromOnePiece();
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }

    [Fact]
    public void NestedAndConcurrentCallsComplete()
    {
        int saved = Engine.NumThreads;
        try
        {
            Engine.NumThreads = 2;
            var totals = new long[6];
            Parallel.For(0, totals.Length, new ParallelOptions { MaxDegreeOfParallelism = 3 }, t =>
            {
                for (int rep = 0; rep < 20; rep++)
                {
                    GemmThreads.For(32, Heavy, 8, (s, e) =>
                    {
                        for (int i = s; i < e; i++)
                        {
                            // A call from inside a piece: the helpers are busy with the outer call.
                            GemmThreads.For(10, Heavy, 4, (s2, e2) => Interlocked.Add(ref totals[t], e2 - s2));
                        }
                    });
                }
            });
            Assert.All(totals, total => Assert.Equal(20 * 32 * 10, total));
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }

    private static void ThrowFromOnePiece()
    {
        int done = 0;
        var e = Assert.Throws<InvalidOperationException>(() => GemmThreads.For(64, Heavy, 16, (s, _) =>
        {
            if (s == 0)
            {
                throw new InvalidOperationException("piece 0");
            }

            Interlocked.Increment(ref done);
        }));
        Assert.Equal("piece 0", e.Message);
        Assert.Equal(15, done);

        // The runner is usable again afterwards.
        var hits = new int[64];
        GemmThreads.For(64, Heavy, 16, (s, end) =>
        {
            for (int i = s; i < end; i++)
            {
                hits[i]++;
            }
        });
        Assert.All(hits, h => Assert.Equal(1, h));
    }
}
