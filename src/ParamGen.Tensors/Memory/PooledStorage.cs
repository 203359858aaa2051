namespace ParamGen.Tensors.Memory;

/// <summary>
/// One pooled array lent to tensors: the tensor that rented it and every view sharing it point here, so
/// when the owning scope gives the array back all of them see <see cref="Released"/> and refuse access.
/// </summary>
/// <remarks>
/// Views are made by ops as <c>new Tensor(x.Buffer, offset, shape)</c>, from the array alone, so live
/// storages are registered by array: the tensor constructor finds a view's storage here. The lookup is
/// skipped while nothing is pooled, so code that never opens a scope pays one volatile read.
/// </remarks>
internal sealed class PooledStorage
{
    private static readonly Dictionary<float[], PooledStorage> s_live = new(ReferenceEqualityComparer.Instance);
    private static int s_liveCount;

    private PooledStorage(float[] array, TensorScope owner)
    {
        Array = array;
        Owner = owner;
    }

    /// <summary>The pooled array (its length is a pool size class, often longer than the tensor).</summary>
    public float[] Array { get; }

    /// <summary>The scope that returns the array when it ends; null once the storage has escaped.</summary>
    public TensorScope? Owner { get; set; }

    /// <summary>Whether the array went back to the pool: every tensor over it is disposed.</summary>
    public bool Released { get; private set; }

    /// <summary>Whether the array left the pool for good (kept past the outermost scope, or made a parameter).</summary>
    public bool Escaped { get; private set; }

    /// <summary>Rents an array of at least <paramref name="length"/> floats for a tensor created in <paramref name="owner"/>.</summary>
    public static PooledStorage Rent(int length, TensorScope owner)
    {
        var storage = new PooledStorage(TensorPool.Rent(length), owner);
        lock (s_live)
        {
            s_live.Add(storage.Array, storage);
            s_liveCount = s_live.Count;
        }

        return storage;
    }

    /// <summary>The live storage over <paramref name="array"/>, or null when it is a plain array.</summary>
    public static PooledStorage? Find(float[] array)
    {
        if (Volatile.Read(ref s_liveCount) == 0)
        {
            return null;
        }

        lock (s_live)
        {
            return s_live.GetValueOrDefault(array);
        }
    }

    /// <summary>Marks every tensor over the array disposed and gives the array back to the pool.</summary>
    public void Release()
    {
        if (Released || Escaped)
        {
            return;
        }

        Released = true;
        Owner = null;
        Unregister();
        TensorPool.Return(Array);
    }

    /// <summary>Hands the array to the garbage collector for good: its tensors stay valid forever.</summary>
    public void Escape()
    {
        if (Released || Escaped)
        {
            return;
        }

        Escaped = true;
        Owner = null;
        Unregister();
        TensorPool.NoteEscaped(Array.Length);
    }

    private void Unregister()
    {
        lock (s_live)
        {
            s_live.Remove(Array);
            s_liveCount = s_live.Count;
        }
    }
}
