using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

/// <summary>Which implementation multiplies matrices (<see cref="Engine.GemmProvider"/>).</summary>
public enum GemmProvider
{
    /// <summary>ParamGen's own managed kernels, always. Bitwise-identical results for any thread count.</summary>
    Managed,

    /// <summary>
    /// OpenBLAS's <c>cblas_sgemm</c> when <c>libopenblas</c> loads and the product is one of the shapes
    /// where it was measured faster (tiny products, up to 64^3 multiply-adds, where its lower fixed cost
    /// wins by a microsecond or two); the managed kernels otherwise, and always when OpenBLAS is absent.
    /// </summary>
    Auto,

    /// <summary>
    /// OpenBLAS's <c>cblas_sgemm</c> for every product that may use all threads. Setting it throws when
    /// <c>libopenblas</c> cannot be loaded.
    /// </summary>
    OpenBlas,
}

public static partial class Engine
{
    private static GemmProvider s_gemmProvider = GemmProvider.Managed;

    /// <summary>
    /// Where matrix products run (default <see cref="F:ParamGen.Tensors.GemmProvider.Managed"/>). OpenBLAS is optional:
    /// it is looked up at run time (<c>libopenblas.so.0</c> and the usual names on other systems), never
    /// required, and used only for products that may be split over <see cref="NumThreads"/> threads (it is
    /// told that thread count); products already running inside a parallel loop stay managed. With OpenBLAS,
    /// results match the managed kernels within float rounding but are not guaranteed bitwise-identical
    /// across thread counts.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set to <see cref="F:ParamGen.Tensors.GemmProvider.OpenBlas"/> when libopenblas cannot be loaded.</exception>
    public static GemmProvider GemmProvider
    {
        get => s_gemmProvider;
        set
        {
            if (value == GemmProvider.OpenBlas && !OpenBlasGemm.IsAvailable)
            {
                throw new InvalidOperationException("GemmProvider.OpenBlas needs libopenblas (e.g. libopenblas.so.0), which could not be loaded; use Managed or Auto.");
            }

            s_gemmProvider = value;
        }
    }

    /// <summary>Whether <c>libopenblas</c> was found and exports <c>cblas_sgemm</c>.</summary>
    public static bool IsOpenBlasAvailable => OpenBlasGemm.IsAvailable;
}
