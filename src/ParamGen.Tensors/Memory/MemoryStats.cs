using System.Globalization;

namespace ParamGen.Tensors.Memory;

/// <summary>
/// A snapshot of managed allocation and <see cref="TensorPool"/> activity, for reporting what a training step
/// allocates: take one before and one after, then <see cref="Since"/>:
/// <code>
/// var before = MemoryStats.Capture();
/// using (TensorScope.Begin()) { /* step */ }
/// var step = MemoryStats.Capture().Since(before); // step.ManagedAllocatedBytes, step.PoolReusedBytes, ...
/// </code>
/// Byte counters are cumulative since process start (differences after <see cref="Since"/>); the
/// <c>PoolRetainedBytes</c> and <c>PoolLiveBytes</c> gauges are the values at capture time.
/// </summary>
public readonly record struct MemoryStats
{
    /// <summary>Managed bytes allocated by all threads (<see cref="GC.GetTotalAllocatedBytes(bool)"/>), pool misses included.</summary>
    public long ManagedAllocatedBytes { get; init; }

    /// <summary>Bytes the pool handed out for tensor storage and scratch (reused plus newly allocated).</summary>
    public long PoolRentedBytes { get; init; }

    /// <summary>Bytes of those served from retained arrays, i.e. allocations the pool saved.</summary>
    public long PoolReusedBytes { get; init; }

    /// <summary>Bytes given back to the pool.</summary>
    public long PoolReturnedBytes { get; init; }

    /// <summary>Bytes given back but not retained because the pool was at <see cref="TensorPool.MaxRetainedBytes"/>.</summary>
    public long PoolDroppedBytes { get; init; }

    /// <summary>Bytes of pooled storage that outlived every scope and were left to the garbage collector.</summary>
    public long PoolEscapedBytes { get; init; }

    /// <summary>Gauge: bytes of free arrays the pool holds.</summary>
    public long PoolRetainedBytes { get; init; }

    /// <summary>Gauge: bytes rented and not yet returned or escaped (storage of live scoped tensors and scratch).</summary>
    public long PoolLiveBytes { get; init; }

    /// <summary>Bytes the pool had to allocate because no retained array fitted.</summary>
    public long PoolFreshBytes => PoolRentedBytes - PoolReusedBytes;

    /// <summary>Takes a snapshot now.</summary>
    /// <param name="precise">Passed to <see cref="GC.GetTotalAllocatedBytes(bool)"/> (default true: exact, slower).</param>
    public static MemoryStats Capture(bool precise = true)
    {
        var (rented, reused, returned, dropped, escaped, retained) = TensorPool.Counters();
        return new MemoryStats
        {
            ManagedAllocatedBytes = GC.GetTotalAllocatedBytes(precise),
            PoolRentedBytes = rented,
            PoolReusedBytes = reused,
            PoolReturnedBytes = returned,
            PoolDroppedBytes = dropped,
            PoolEscapedBytes = escaped,
            PoolRetainedBytes = retained,
            PoolLiveBytes = rented - returned - escaped,
        };
    }

    /// <summary>What happened between <paramref name="earlier"/> and this snapshot: counters become differences, gauges stay as in this snapshot.</summary>
    public MemoryStats Since(MemoryStats earlier) => this with
    {
        ManagedAllocatedBytes = ManagedAllocatedBytes - earlier.ManagedAllocatedBytes,
        PoolRentedBytes = PoolRentedBytes - earlier.PoolRentedBytes,
        PoolReusedBytes = PoolReusedBytes - earlier.PoolReusedBytes,
        PoolReturnedBytes = PoolReturnedBytes - earlier.PoolReturnedBytes,
        PoolDroppedBytes = PoolDroppedBytes - earlier.PoolDroppedBytes,
        PoolEscapedBytes = PoolEscapedBytes - earlier.PoolEscapedBytes,
    };

    /// <summary>A one-line summary in MiB.</summary>
    public override string ToString()
    {
        static string Mb(long bytes) => (bytes / (double)(1 << 20)).ToString("F1", CultureInfo.InvariantCulture);
        return $"allocated {Mb(ManagedAllocatedBytes)} MB; pool rented {Mb(PoolRentedBytes)} MB (reused {Mb(PoolReusedBytes)}), returned {Mb(PoolReturnedBytes)}, dropped {Mb(PoolDroppedBytes)}, escaped {Mb(PoolEscapedBytes)}; retained {Mb(PoolRetainedBytes)} MB, live {Mb(PoolLiveBytes)} MB";
    }
}
