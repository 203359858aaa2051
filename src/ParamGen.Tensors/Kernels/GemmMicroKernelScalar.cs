namespace ParamGen.Tensors.Kernels;

/// <summary>
/// The portable GEMM micro-kernel for CPUs without hardware vectors: the same arithmetic per element
/// as the vector kernels (kc products accumulated in order from zero with fused multiply-adds, then one
/// fused update of C) on a small tile of scalars.
/// </summary>
internal static unsafe class GemmMicroKernelScalar
{
    /// <summary>Rows of the tile.</summary>
    public const int MR = 4;

    /// <summary>Columns of the tile.</summary>
    public const int NR = 4;

    /// <summary>Rows of the edge tile.</summary>
    public const int EdgeRows = 1;

    /// <summary>See <see cref="GemmMicroKernel512.Run"/>.</summary>
    public static void Run(int kc, float* a, nint aStep, float* b, nint bStep, float* c, nint ldc, float alpha, float beta) =>
        Tile(MR, kc, a, 1, aStep, b, bStep, c, ldc, alpha, beta);

    /// <summary>See <see cref="GemmMicroKernel512.RunRows"/>.</summary>
    public static void RunRows(int kc, float* a, nint lda, float* b, nint bStep, float* c, nint ldc, float alpha, float beta) =>
        Tile(MR, kc, a, lda, 1, b, bStep, c, ldc, alpha, beta);

    /// <summary>See <see cref="GemmMicroKernel512.RunEdge"/>.</summary>
    public static void RunEdge(int kc, float* a, nint aStep, float* b, nint bStep, float* c, nint ldc, float alpha, float beta) =>
        Tile(EdgeRows, kc, a, 1, aStep, b, bStep, c, ldc, alpha, beta);

    /// <summary>See <see cref="GemmMicroKernel512.RunRowsEdge"/>.</summary>
    public static void RunRowsEdge(int kc, float* a, nint lda, float* b, nint bStep, float* c, nint ldc, float alpha, float beta) =>
        Tile(EdgeRows, kc, a, lda, 1, b, bStep, c, ldc, alpha, beta);

    /// <summary>A rows x NR tile with op(A)[r, p] at a[r * rowStep + p * colStep].</summary>
    private static void Tile(int rows, int kc, float* a, nint rowStep, nint colStep, float* b, nint bStep, float* c, nint ldc, float alpha, float beta)
    {
        float* acc = stackalloc float[MR * NR];
        new Span<float>(acc, MR * NR).Clear();
        for (int p = 0; p < kc; p++, a += colStep, b += bStep)
        {
            for (int r = 0; r < rows; r++)
            {
                float ar = a[r * rowStep];
                for (int j = 0; j < NR; j++)
                {
                    acc[(r * NR) + j] = MathF.FusedMultiplyAdd(ar, b[j], acc[(r * NR) + j]);
                }
            }
        }

        for (int r = 0; r < rows; r++)
        {
            GemmPack.UpdateRow(c + (r * ldc), acc + (r * NR), NR, alpha, beta);
        }
    }
}
