using System.Numerics;

namespace ParamGen.Tensors.Memory;

/// <summary>
/// The process-wide pool of float arrays behind <see cref="TensorScope"/>: tensors created by ops inside a
/// scope rent their storage here, and the scope returns it when it ends, so a training loop reuses the same
/// buffers every step instead of making the garbage collector (mostly its large-object heap) reclaim them.
/// </summary>
/// <remarks>
/// <para>Arrays are kept in size classes: eight per power of two (lengths 128, 144, 160, ..., 240, 256, 288,
/// ...), so a rented array is at most 12.5% longer than asked for while a training step, which repeats the
/// same shapes, finds an exact class match every time. Lengths below 128 floats are not pooled (a small array
/// costs the allocator less than the bookkeeping), nor are lengths above 2^28.</para>
/// <para>The pool retains returned arrays up to <see cref="MaxRetainedBytes"/>. When a returned array does not
/// fit, arrays of the size classes used least recently are dropped to make room (the shapes of the current
/// loop matter, those of an earlier phase do not); an array larger than the cap is left to the garbage
/// collector. <see cref="Trim()"/> drops everything retained. The pool is thread-safe.</para>
/// </remarks>
public static class TensorPool
{
    /// <summary>Shortest pooled length (floats); shorter arrays are plain allocations.</summary>
    internal const int MinPooledLength = 1 << MinLog2;

    /// <summary>Longest pooled length (floats).</summary>
    internal const int MaxPooledLength = 1 << MaxLog2;

    private const int MinLog2 = 7;
    private const int MaxLog2 = 28;
    private const int SubClassBits = 3;
    private const int ClassCount = ((MaxLog2 - MinLog2) << SubClassBits) + 1;

    private static readonly Bucket[] s_free = CreateBuckets();
    private static long s_clock;
    private static long s_maxRetainedBytes = DefaultMaxRetainedBytes();
    private static long s_retainedBytes;

    private static long s_rentedBytes;
    private static long s_reusedBytes;
    private static long s_returnedBytes;
    private static long s_droppedBytes;
    private static long s_escapedBytes;

    /// <summary>
    /// The most bytes of free arrays the pool keeps for reuse (default: a quarter of the memory available to
    /// the process, at most 1 GiB). Lowering it drops retained arrays until the pool fits.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public static long MaxRetainedBytes
    {
        get => Interlocked.Read(ref s_maxRetainedBytes);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(MaxRetainedBytes));
            Interlocked.Exchange(ref s_maxRetainedBytes, value);
            Trim(value);
        }
    }

    /// <summary>Bytes of free arrays the pool holds now.</summary>
    public static long RetainedBytes => Interlocked.Read(ref s_retainedBytes);

    /// <summary>Drops every retained array, giving the memory back to the garbage collector.</summary>
    public static void Trim() => Trim(0);

    /// <summary>Drops retained arrays, largest first, until at most <paramref name="targetBytes"/> remain.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="targetBytes"/> is negative.</exception>
    public static void Trim(long targetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetBytes);
        for (int c = ClassCount - 1; c >= 0 && RetainedBytes > targetBytes; c--)
        {
            var bucket = s_free[c];
            lock (bucket)
            {
                while (bucket.Arrays.Count > 0 && RetainedBytes > targetBytes)
                {
                    var array = bucket.Arrays.Pop();
                    Interlocked.Add(ref s_retainedBytes, -BytesOf(array.Length));
                }
            }
        }
    }

    /// <summary>
    /// Test and debug switch: when set, arrays handed out without zeroing (<see cref="Rent"/>,
    /// <c>Tensor.Uninitialized</c>) are filled with NaN, and so are arrays given back, so code that reads
    /// memory it did not write, or uses an array after returning it, produces NaN instead of plausible numbers.
    /// Returning an array twice then also throws. Costs a fill per rent and return; off by default.
    /// </summary>
    internal static bool PoisonUninitialized { get; set; }

    /// <summary>
    /// An array of at least <paramref name="minimumLength"/> floats with undefined contents (NaN when
    /// <see cref="PoisonUninitialized"/> is set). Give it back with <see cref="Return"/> once nothing reads it;
    /// never keep a reference after that. For a tensor's storage use <c>Tensor.Empty</c>/<c>Tensor.Uninitialized</c>.
    /// </summary>
    internal static float[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        float[] array;
        if (minimumLength < MinPooledLength || minimumLength > MaxPooledLength)
        {
            array = GC.AllocateUninitializedArray<float>(minimumLength);
        }
        else
        {
            int c = ClassIndex(minimumLength);
            var bucket = s_free[c];
            float[]? reused = null;
            lock (bucket)
            {
                bucket.LastUse = Interlocked.Increment(ref s_clock);
                if (bucket.Arrays.Count > 0)
                {
                    reused = bucket.Arrays.Pop();
                }
            }

            long bytes = BytesOf(ClassLength(c));
            Interlocked.Add(ref s_rentedBytes, bytes);
            if (reused is not null)
            {
                Interlocked.Add(ref s_retainedBytes, -bytes);
                Interlocked.Add(ref s_reusedBytes, bytes);
                array = reused;
            }
            else
            {
                array = GC.AllocateUninitializedArray<float>(ClassLength(c));
            }
        }

        if (PoisonUninitialized)
        {
            array.AsSpan().Fill(float.NaN);
        }

        return array;
    }

    /// <summary>A pooled scratch array for the duration of a <c>using</c> block: <c>using var s = TensorPool.RentScratch(n);</c>.</summary>
    /// <param name="length">Elements needed; <see cref="ScratchBuffer.Span"/> has exactly this length.</param>
    /// <param name="clear">Whether to zero the span (otherwise its contents are undefined).</param>
    internal static ScratchBuffer RentScratch(int length, bool clear = false)
    {
        var array = Rent(length);
        if (clear)
        {
            array.AsSpan(0, length).Clear();
        }

        return new ScratchBuffer(array, length);
    }

    /// <summary>
    /// Gives back an array obtained from <see cref="Rent"/>. Arrays of a length the pool does not use are
    /// ignored, and so is anything beyond <see cref="MaxRetainedBytes"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">With <see cref="PoisonUninitialized"/> set: the array is already in the pool.</exception>
    internal static void Return(float[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        int length = array.Length;
        if (length < MinPooledLength || length > MaxPooledLength)
        {
            return;
        }

        int c = ClassIndex(length);
        if (ClassLength(c) != length)
        {
            return;
        }

        long bytes = BytesOf(length);
        Interlocked.Add(ref s_returnedBytes, bytes);
        if (PoisonUninitialized)
        {
            array.AsSpan().Fill(float.NaN);
        }

        var bucket = s_free[c];
        if (PoisonUninitialized)
        {
            lock (bucket)
            {
                if (bucket.Arrays.Contains(array))
                {
                    throw new InvalidOperationException($"A pooled array of {length} floats was returned twice.");
                }
            }
        }

        long cap = MaxRetainedBytes;
        if (bytes > cap)
        {
            Interlocked.Add(ref s_droppedBytes, bytes);
            return;
        }

        if (Interlocked.Add(ref s_retainedBytes, bytes) > cap && !EvictFor(c, cap))
        {
            Interlocked.Add(ref s_retainedBytes, -bytes);
            Interlocked.Add(ref s_droppedBytes, bytes);
            return;
        }

        lock (bucket)
        {
            bucket.LastUse = Interlocked.Increment(ref s_clock);
            bucket.Arrays.Push(array);
        }
    }

    /// <summary>
    /// Drops retained arrays of the least recently used size classes other than <paramref name="keep"/> until
    /// the retained bytes (already counting the array being returned) fit the cap; false when they cannot.
    /// </summary>
    private static bool EvictFor(int keep, long cap)
    {
        while (RetainedBytes > cap)
        {
            Bucket? oldest = null;
            foreach (var b in s_free)
            {
                if (b != s_free[keep] && b.Arrays.Count > 0 && (oldest is null || b.LastUse < oldest.LastUse))
                {
                    oldest = b;
                }
            }

            if (oldest is null)
            {
                return false;
            }

            lock (oldest)
            {
                if (oldest.Arrays.Count > 0)
                {
                    var dropped = oldest.Arrays.Pop();
                    Interlocked.Add(ref s_retainedBytes, -BytesOf(dropped.Length));
                    Interlocked.Add(ref s_droppedBytes, BytesOf(dropped.Length));
                }
            }
        }

        return true;
    }

    /// <summary>Records that a rented array left the pool's care for good (its tensor outlived every scope).</summary>
    internal static void NoteEscaped(int length) => Interlocked.Add(ref s_escapedBytes, BytesOf(length));

    /// <summary>The pool's cumulative counters, for <see cref="MemoryStats"/>.</summary>
    internal static (long Rented, long Reused, long Returned, long Dropped, long Escaped, long Retained) Counters() =>
        (Interlocked.Read(ref s_rentedBytes), Interlocked.Read(ref s_reusedBytes), Interlocked.Read(ref s_returnedBytes),
         Interlocked.Read(ref s_droppedBytes), Interlocked.Read(ref s_escapedBytes), Interlocked.Read(ref s_retainedBytes));

    /// <summary>The size class of a length in [<see cref="MinPooledLength"/>, <see cref="MaxPooledLength"/>].</summary>
    internal static int ClassIndex(int length)
    {
        int e = BitOperations.Log2((uint)length);
        int shift = e - SubClassBits;
        int q = (int)(((long)length + (1L << shift) - 1) >> shift); // in [8, 16]: 16 is the next octave's first class
        return ((e - MinLog2) << SubClassBits) + q - (1 << SubClassBits);
    }

    /// <summary>The array length of size class <paramref name="index"/>.</summary>
    internal static int ClassLength(int index)
    {
        int e = (index >> SubClassBits) + MinLog2;
        int q = (index & ((1 << SubClassBits) - 1)) + (1 << SubClassBits);
        return q << (e - SubClassBits);
    }

    private static long BytesOf(int length) => (long)length * sizeof(float);

    private static Bucket[] CreateBuckets()
    {
        var buckets = new Bucket[ClassCount];
        for (int i = 0; i < buckets.Length; i++)
        {
            buckets[i] = new Bucket();
        }

        return buckets;
    }

    private static long DefaultMaxRetainedBytes()
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return available > 0 ? Math.Min(1L << 30, available / 4) : 1L << 30;
    }

    /// <summary>The free arrays of one size class; locked while touched.</summary>
    private sealed class Bucket
    {
        public Stack<float[]> Arrays { get; } = new();

        /// <summary>The pool clock when this class was last rented from or returned to.</summary>
        public long LastUse { get; set; }
    }
}
