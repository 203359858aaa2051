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

    [ThreadStatic]
    private static GemmWorkspace? t_cachedOuter;

    private float[] _buffer = [];

    /// <summary>
    /// Takes one of this thread's two cached workspaces (a fresh one when both are out), so a nested use on
    /// the same thread (a product's pieces run by the thread that holds its packed op(B)) gets a buffer of its
    /// own; give it back with <see cref="Return"/>.
    /// </summary>
    public static GemmWorkspace Rent()
    {
        var w = t_cached;
        if (w is not null)
        {
            t_cached = null;
            return w;
        }

        w = t_cachedOuter ?? new GemmWorkspace();
        t_cachedOuter = null;
        return w;
    }

    /// <summary>Puts a workspace back into this thread's cache (dropped when the cache is full).</summary>
    public static void Return(GemmWorkspace workspace)
    {
        if (t_cached is null)
        {
            t_cached = workspace;
        }
        else
        {
            t_cachedOuter ??= workspace;
        }
    }

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
