using System.Runtime.InteropServices;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// The optional native GEMM provider: <c>cblas_sgemm</c> from an OpenBLAS found at run time through
/// <see cref="NativeLibrary"/>. Nothing links against it; when it is absent, <see cref="IsAvailable"/> is
/// false and the managed kernels do everything.
/// </summary>
internal static unsafe class OpenBlasGemm
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private static readonly string[] Names = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.dll", "openblas"];

    private static readonly delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> s_sgemm;
    private static readonly delegate* unmanaged[Cdecl]<int, void> s_setNumThreads;
    private static readonly Lock s_lock = new();
    private static int s_threads = -1;

#pragma warning disable CA1810 // The exports are looked up once, and only here.
    static OpenBlasGemm()
#pragma warning restore CA1810
    {
        foreach (var name in Names)
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                if (NativeLibrary.TryGetExport(handle, "cblas_sgemm", out var sgemm))
                {
                    s_sgemm = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
                    if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out var set))
                    {
                        s_setNumThreads = (delegate* unmanaged[Cdecl]<int, void>)set;
                    }

                    return;
                }

                NativeLibrary.Free(handle);
            }
        }
    }

    /// <summary>Whether an OpenBLAS exporting <c>cblas_sgemm</c> was loaded.</summary>
    public static bool IsAvailable => s_sgemm != null;

    /// <summary>
    /// Whether <see cref="Engine.GemmProvider"/> sends this product to OpenBLAS: every product under
    /// OpenBlas, under Auto only the shapes where it measured faster than the managed kernels.
    /// </summary>
    public static bool Serves(GemmProvider provider, int m, int n, int k) => provider switch
    {
        GemmProvider.OpenBlas => IsAvailable,
        GemmProvider.Auto => IsAvailable && AutoPrefers(m, n, k),
        _ => false,
    };

    /// <summary>
    /// Shapes where OpenBLAS beat the managed kernels (Zen 4, one and two threads): tiny products, up to 64^3
    /// multiply-adds, where its lower fixed cost wins (50 x 50 x 32: 2.3 µs against 4.0; 16^3: 0.1 against
    /// 0.5). From there up the managed kernels are as fast or faster (1024^3 on two threads: 190 GFLOP/s
    /// each; [12800, 64] x [64, 192]: 185 against 139; one row against a transposed [3416, 64]: 12 µs
    /// against 55), so they keep those.
    /// </summary>
    private static bool AutoPrefers(int m, int n, int k) => (long)m * n * k <= 64 * 64 * 64;

    /// <summary>C = alpha * op(A) op(B) + beta * C through <c>cblas_sgemm</c> with <paramref name="threads"/> OpenBLAS threads.</summary>
    public static void Sgemm(in GemmProblem g, int threads)
    {
        if (s_setNumThreads != null && threads != Volatile.Read(ref s_threads))
        {
            lock (s_lock)
            {
                s_setNumThreads(threads);
                s_threads = threads;
            }
        }

        s_sgemm(RowMajor, g.TransA ? Trans : NoTrans, g.TransB ? Trans : NoTrans, g.M, g.N, g.K,
            g.Alpha, g.A, (int)g.Lda, g.B, (int)g.Ldb, g.Beta, g.C, (int)g.Ldc);
    }
}
