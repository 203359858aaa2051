using System.Collections.Concurrent;
using ParamGen.Tensors;
using ParamGen.Tensors.Memory;

namespace ParamGen.Tensors.Tests.Memory;

/// <summary>Size classes, reuse, poison mode, and that no buffer is ever lent twice at once.</summary>
[Collection(MemorySerialCollection.Name)]
public class TensorPoolTests
{
    [Fact]
    public void SizeClassesFitEveryLengthWithAtMostOneEighthSlack()
    {
        var lengths = Enumerable.Range(TensorPool.MinPooledLength, 5000)
            .Concat(Enumerable.Range(7, 22).SelectMany(e => new[] { (1 << e) - 1, 1 << e, (1 << e) + 1, 3 << (e - 1) }))
            .Append(TensorPool.MaxPooledLength)
            .Where(n => n >= TensorPool.MinPooledLength && n <= TensorPool.MaxPooledLength);
        foreach (int n in lengths)
        {
            int c = TensorPool.ClassIndex(n);
            int len = TensorPool.ClassLength(c);
            Assert.True(len >= n && len <= n + (n / 8) + 1, $"length {n} got class {c} of {len}");
            Assert.True(c == 0 || TensorPool.ClassLength(c - 1) < n, $"length {n} skipped a smaller class");
            Assert.Equal(c, TensorPool.ClassIndex(len));
        }
    }

    [Fact]
    public void RentPoisonsAndReturnedArraysAreReused()
    {
        const int N = 3_100_017; // a size no other test uses
        var a = TensorPool.Rent(N);
        Assert.True(a.Length >= N);
        Assert.All(a, v => Assert.True(float.IsNaN(v))); // tests run with poison on
        TensorPool.Return(a);
        var b = TensorPool.Rent(N - 1000);
        Assert.Same(a, b);
        TensorPool.Return(b);
    }

    [Fact]
    public void ReturningAnArrayTwiceIsCaughtInPoisonMode()
    {
        var a = TensorPool.Rent(2_900_011);
        TensorPool.Return(a);
        Assert.Throws<InvalidOperationException>(() => TensorPool.Return(a));
        Assert.Same(a, TensorPool.Rent(2_900_011));
    }

    [Fact]
    public void ForeignAndSmallArraysAreNotPooled()
    {
        TensorPool.Return(new float[1001]); // not a class length: ignored
        TensorPool.Return(new float[16]);   // below the pooled range: ignored
        var small = TensorPool.Rent(10);
        Assert.Equal(10, small.Length);
    }

    [Fact]
    public void ScratchBufferSpansExactlyTheLengthAskedAndCanBeCleared()
    {
        using var s = TensorPool.RentScratch(1000, clear: true);
        Assert.Equal(1000, s.Span.Length);
        Assert.True(s.Array.Length >= 1000);
        Assert.All(s.Span.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ConcurrentRentersNeverShareABuffer()
    {
        // Raw rents: every live array is registered; a second lender of the same array would collide.
        var live = new ConcurrentDictionary<float[], int>(ReferenceEqualityComparer.Instance);
        int failures = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            var rng = new System.Random(worker);
            var mine = new List<(float[] A, int Len, float Stamp)>();
            for (int i = 0; i < 3000; i++)
            {
                if (mine.Count < 6 && rng.Next(3) > 0)
                {
                    int len = rng.Next(1, 20_000);
                    var a = TensorPool.Rent(len);
                    float stamp = (worker * 100_000) + i;
                    a.AsSpan(0, len).Fill(stamp);
                    if (a.Length >= TensorPool.MinPooledLength && !live.TryAdd(a, worker))
                    {
                        Interlocked.Increment(ref failures);
                    }

                    mine.Add((a, len, stamp));
                }
                else if (mine.Count > 0)
                {
                    int k = rng.Next(mine.Count);
                    var (a, len, stamp) = mine[k];
                    mine.RemoveAt(k);
                    if (a.AsSpan(0, len).IndexOfAnyExcept(stamp) >= 0)
                    {
                        Interlocked.Increment(ref failures);
                    }

                    live.TryRemove(a, out _);
                    TensorPool.Return(a);
                }
            }

            foreach (var (a, _, _) in mine)
            {
                live.TryRemove(a, out _);
                TensorPool.Return(a);
            }
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void ConcurrentScopesNeverShareABufferBetweenLiveTensors()
    {
        int failures = 0;
        var threads = Enumerable.Range(0, 6).Select(worker => new Thread(() =>
        {
            var rng = new System.Random(100 + worker);
            for (int step = 0; step < 60; step++)
            {
                using var scope = TensorScope.Begin();
                var made = new List<(Tensor T, float Stamp)>();
                for (int i = 0; i < 25; i++)
                {
                    int n = rng.Next(1, 6000);
                    float stamp = (worker * 1_000_000) + (step * 1000) + i;
                    var t = i % 3 == 0 ? Tensor.Zeros(n).Add(stamp) : Tensor.Full(stamp, n);
                    made.Add((t, stamp));
                    made.Add((t.Reshape(1, n), stamp)); // views share, never collide with others
                }

                var owners = new Dictionary<float[], PooledStorage>(ReferenceEqualityComparer.Instance);
                foreach (var (t, stamp) in made)
                {
                    if (t.AsReadOnlySpan().IndexOfAnyExcept(stamp) >= 0)
                    {
                        Interlocked.Increment(ref failures);
                    }

                    if (t.Storage is { } s && owners.TryGetValue(t.Buffer, out var seen) && !ReferenceEquals(seen, s))
                    {
                        Interlocked.Increment(ref failures);
                    }

                    if (t.Storage is { } s2)
                    {
                        owners[t.Buffer] = s2;
                    }
                }

                if (owners.Count != made.Count(m => m.T.Storage is not null) / 2)
                {
                    Interlocked.Increment(ref failures); // two tensors (not views) got the same array
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Equal(0, failures);
    }
}
