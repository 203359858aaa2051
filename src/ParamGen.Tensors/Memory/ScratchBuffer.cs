namespace ParamGen.Tensors.Memory;

/// <summary>
/// A pooled scratch array lent to a kernel for one <c>using</c> block:
/// <c>using var tmp = TensorPool.RentScratch(n); var s = tmp.Span;</c>. Disposing gives the array back,
/// so neither the array nor a span over it may outlive the block (do not capture it in a backward rule:
/// storage a rule needs later belongs in a tensor from <c>Tensor.Uninitialized</c>).
/// </summary>
internal readonly struct ScratchBuffer : IDisposable
{
    internal ScratchBuffer(float[] array, int length)
    {
        Array = array;
        Length = length;
    }

    /// <summary>The rented array (may be longer than <see cref="Length"/>), for kernels that take arrays and offsets.</summary>
    public float[] Array { get; }

    /// <summary>The number of elements asked for.</summary>
    public int Length { get; }

    /// <summary>The first <see cref="Length"/> elements.</summary>
    public Span<float> Span => Array.AsSpan(0, Length);

    /// <summary>Returns the array to the pool.</summary>
    public void Dispose()
    {
        if (Array is not null)
        {
            TensorPool.Return(Array);
        }
    }
}
