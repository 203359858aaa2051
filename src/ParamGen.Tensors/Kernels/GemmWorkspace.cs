using System.Runtime.CompilerServices;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Per-thread scratch for GEMM packing: one pinned array that only grows, so a warmed-up thread packs
/// without allocating. Packed panels are read with full-width vector loads, so the returned pointer is
/// 64-byte aligned (no load splits a cache line).
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    private const int AlignFloats = 16;

    [ThreadStatic]
    private static GemmWorkspace? t_cached;

    private float[] _buffer = [];

    /// <summary>
    /// Takes this thread's workspace out of the cache (a nested call on the same thread then gets a
    /// fresh one instead of sharing the buffer); give it back with <see cref="Return"/>.
    /// </summary>
    public static GemmWorkspace Rent()
    {
        var w = t_cached ?? new GemmWorkspace();
        t_cached = null;
        return w;
    }

    /// <summary>Puts a workspace back as this thread's cached one.</summary>
    public static void Return(GemmWorkspace workspace) => t_cached = workspace;

    /// <summary>A 64-byte-aligned pointer to at least <paramref name="floats"/> floats, valid until the next call.</summary>
    public float* Get(long floats)
    {
        if (_buffer.Length < floats + AlignFloats)
        {
            // Pinned (on the POH) so the pointer stays valid without a fixed block around every use.
            _buffer = GC.AllocateUninitializedArray<float>((int)Math.Max(floats + AlignFloats, 2L * _buffer.Length), pinned: true);
        }

        var p = (float*)Unsafe.AsPointer(ref _buffer[0]);
        return (float*)(((nint)p + 63) & ~(nint)63);
    }
}
