using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// The Vector512 GEMM micro-kernel: a 12 x 32 tile of C (12 rows x 2 vectors of 16) held in
/// 24 accumulator registers for a block of kc steps, each step one rank-1 update (a row of 32 floats
/// of op(B) times a column of 12 floats of op(A)).
/// With one or two 512-bit FMA units of 4-cycle latency (Zen 4, Skylake-X) the tile gives enough
/// independent accumulators to keep them busy, and tile, B vectors and one broadcast fit in the 32 vector
/// registers (measured on Zen 4: 12 x 32, 14 x 32, 8 x 48 and 6 x 64 all reach about 114 GFLOP/s from L1;
/// 12 x 32 wastes the fewest columns on the models' N of 50 to 192).
/// The tile is written out in full, one local per accumulator, because that is what lets the JIT keep it
/// in registers (a loop over an array of vectors would spill).
/// </summary>
internal static unsafe class GemmMicroKernel512
{
    /// <summary>Rows of the register tile.</summary>
    public const int MR = 12;

    /// <summary>Columns of the register tile.</summary>
    public const int NR = 32;

    /// <summary>Whether this CPU runs the kernel with hardware vectors.</summary>
    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    /// <summary>
    /// C[0:MR, 0:NR] = alpha * sum over p &lt; kc of a[p * aStep + r] * b[p * bStep + j] + beta * C. The A
    /// column of step p is MR consecutive floats (a packed sliver with aStep = MR, or a row of a stored
    /// [K, M] matrix with aStep = its row stride); the B row is NR consecutive floats. Each element
    /// accumulates its kc products in order from zero, then gets one fused update, so its bits do not
    /// depend on where the tile sits in C or on which kernel variant ran.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, nint aStep, float* b, nint bStep, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c0a = default; Vector512<float> c0b = default;
        Vector512<float> c1a = default; Vector512<float> c1b = default;
        Vector512<float> c2a = default; Vector512<float> c2b = default;
        Vector512<float> c3a = default; Vector512<float> c3b = default;
        Vector512<float> c4a = default; Vector512<float> c4b = default;
        Vector512<float> c5a = default; Vector512<float> c5b = default;
        Vector512<float> c6a = default; Vector512<float> c6b = default;
        Vector512<float> c7a = default; Vector512<float> c7b = default;
        Vector512<float> c8a = default; Vector512<float> c8b = default;
        Vector512<float> c9a = default; Vector512<float> c9b = default;
        Vector512<float> c10a = default; Vector512<float> c10b = default;
        Vector512<float> c11a = default; Vector512<float> c11b = default;
        for (int p = 0; p < kc; p++)
        {
            var ba = Vector512.Load(b);
            var bb = Vector512.Load(b + 16);
            var x0 = Vector512.Create(a[0]);
            c0a = Vector512.FusedMultiplyAdd(x0, ba, c0a); c0b = Vector512.FusedMultiplyAdd(x0, bb, c0b);
            var x1 = Vector512.Create(a[1]);
            c1a = Vector512.FusedMultiplyAdd(x1, ba, c1a); c1b = Vector512.FusedMultiplyAdd(x1, bb, c1b);
            var x2 = Vector512.Create(a[2]);
            c2a = Vector512.FusedMultiplyAdd(x2, ba, c2a); c2b = Vector512.FusedMultiplyAdd(x2, bb, c2b);
            var x3 = Vector512.Create(a[3]);
            c3a = Vector512.FusedMultiplyAdd(x3, ba, c3a); c3b = Vector512.FusedMultiplyAdd(x3, bb, c3b);
            var x4 = Vector512.Create(a[4]);
            c4a = Vector512.FusedMultiplyAdd(x4, ba, c4a); c4b = Vector512.FusedMultiplyAdd(x4, bb, c4b);
            var x5 = Vector512.Create(a[5]);
            c5a = Vector512.FusedMultiplyAdd(x5, ba, c5a); c5b = Vector512.FusedMultiplyAdd(x5, bb, c5b);
            var x6 = Vector512.Create(a[6]);
            c6a = Vector512.FusedMultiplyAdd(x6, ba, c6a); c6b = Vector512.FusedMultiplyAdd(x6, bb, c6b);
            var x7 = Vector512.Create(a[7]);
            c7a = Vector512.FusedMultiplyAdd(x7, ba, c7a); c7b = Vector512.FusedMultiplyAdd(x7, bb, c7b);
            var x8 = Vector512.Create(a[8]);
            c8a = Vector512.FusedMultiplyAdd(x8, ba, c8a); c8b = Vector512.FusedMultiplyAdd(x8, bb, c8b);
            var x9 = Vector512.Create(a[9]);
            c9a = Vector512.FusedMultiplyAdd(x9, ba, c9a); c9b = Vector512.FusedMultiplyAdd(x9, bb, c9b);
            var x10 = Vector512.Create(a[10]);
            c10a = Vector512.FusedMultiplyAdd(x10, ba, c10a); c10b = Vector512.FusedMultiplyAdd(x10, bb, c10b);
            var x11 = Vector512.Create(a[11]);
            c11a = Vector512.FusedMultiplyAdd(x11, ba, c11a); c11b = Vector512.FusedMultiplyAdd(x11, bb, c11b);
            a += aStep;
            b += bStep;
        }

        var va = Vector512.Create(alpha);
        Update(c, c0a, va, beta); Update(c + 16, c0b, va, beta);
        Update(c + ldc, c1a, va, beta); Update(c + ldc + 16, c1b, va, beta);
        Update(c + (2 * ldc), c2a, va, beta); Update(c + (2 * ldc) + 16, c2b, va, beta);
        Update(c + (3 * ldc), c3a, va, beta); Update(c + (3 * ldc) + 16, c3b, va, beta);
        Update(c + (4 * ldc), c4a, va, beta); Update(c + (4 * ldc) + 16, c4b, va, beta);
        Update(c + (5 * ldc), c5a, va, beta); Update(c + (5 * ldc) + 16, c5b, va, beta);
        Update(c + (6 * ldc), c6a, va, beta); Update(c + (6 * ldc) + 16, c6b, va, beta);
        Update(c + (7 * ldc), c7a, va, beta); Update(c + (7 * ldc) + 16, c7b, va, beta);
        Update(c + (8 * ldc), c8a, va, beta); Update(c + (8 * ldc) + 16, c8b, va, beta);
        Update(c + (9 * ldc), c9a, va, beta); Update(c + (9 * ldc) + 16, c9b, va, beta);
        Update(c + (10 * ldc), c10a, va, beta); Update(c + (10 * ldc) + 16, c10b, va, beta);
        Update(c + (11 * ldc), c11a, va, beta); Update(c + (11 * ldc) + 16, c11b, va, beta);
    }

    /// <summary>
    /// <see cref="Run"/> with A read in place from MR rows of a row-major matrix with row stride lda
    /// (a[r * lda + p]), which saves packing A when each A sliver meets only a few B slivers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunRows(int kc, float* a, nint lda, float* b, nint bStep, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c0a = default; Vector512<float> c0b = default;
        Vector512<float> c1a = default; Vector512<float> c1b = default;
        Vector512<float> c2a = default; Vector512<float> c2b = default;
        Vector512<float> c3a = default; Vector512<float> c3b = default;
        Vector512<float> c4a = default; Vector512<float> c4b = default;
        Vector512<float> c5a = default; Vector512<float> c5b = default;
        Vector512<float> c6a = default; Vector512<float> c6b = default;
        Vector512<float> c7a = default; Vector512<float> c7b = default;
        Vector512<float> c8a = default; Vector512<float> c8b = default;
        Vector512<float> c9a = default; Vector512<float> c9b = default;
        Vector512<float> c10a = default; Vector512<float> c10b = default;
        Vector512<float> c11a = default; Vector512<float> c11b = default;
        float* a0 = a;
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        float* a3 = a2 + lda;
        float* a4 = a3 + lda;
        float* a5 = a4 + lda;
        float* a6 = a5 + lda;
        float* a7 = a6 + lda;
        float* a8 = a7 + lda;
        float* a9 = a8 + lda;
        float* a10 = a9 + lda;
        float* a11 = a10 + lda;
        for (nint p = 0; p < kc; p++)
        {
            var ba = Vector512.Load(b);
            var bb = Vector512.Load(b + 16);
            var x0 = Vector512.Create(a0[p]);
            c0a = Vector512.FusedMultiplyAdd(x0, ba, c0a); c0b = Vector512.FusedMultiplyAdd(x0, bb, c0b);
            var x1 = Vector512.Create(a1[p]);
            c1a = Vector512.FusedMultiplyAdd(x1, ba, c1a); c1b = Vector512.FusedMultiplyAdd(x1, bb, c1b);
            var x2 = Vector512.Create(a2[p]);
            c2a = Vector512.FusedMultiplyAdd(x2, ba, c2a); c2b = Vector512.FusedMultiplyAdd(x2, bb, c2b);
            var x3 = Vector512.Create(a3[p]);
            c3a = Vector512.FusedMultiplyAdd(x3, ba, c3a); c3b = Vector512.FusedMultiplyAdd(x3, bb, c3b);
            var x4 = Vector512.Create(a4[p]);
            c4a = Vector512.FusedMultiplyAdd(x4, ba, c4a); c4b = Vector512.FusedMultiplyAdd(x4, bb, c4b);
            var x5 = Vector512.Create(a5[p]);
            c5a = Vector512.FusedMultiplyAdd(x5, ba, c5a); c5b = Vector512.FusedMultiplyAdd(x5, bb, c5b);
            var x6 = Vector512.Create(a6[p]);
            c6a = Vector512.FusedMultiplyAdd(x6, ba, c6a); c6b = Vector512.FusedMultiplyAdd(x6, bb, c6b);
            var x7 = Vector512.Create(a7[p]);
            c7a = Vector512.FusedMultiplyAdd(x7, ba, c7a); c7b = Vector512.FusedMultiplyAdd(x7, bb, c7b);
            var x8 = Vector512.Create(a8[p]);
            c8a = Vector512.FusedMultiplyAdd(x8, ba, c8a); c8b = Vector512.FusedMultiplyAdd(x8, bb, c8b);
            var x9 = Vector512.Create(a9[p]);
            c9a = Vector512.FusedMultiplyAdd(x9, ba, c9a); c9b = Vector512.FusedMultiplyAdd(x9, bb, c9b);
            var x10 = Vector512.Create(a10[p]);
            c10a = Vector512.FusedMultiplyAdd(x10, ba, c10a); c10b = Vector512.FusedMultiplyAdd(x10, bb, c10b);
            var x11 = Vector512.Create(a11[p]);
            c11a = Vector512.FusedMultiplyAdd(x11, ba, c11a); c11b = Vector512.FusedMultiplyAdd(x11, bb, c11b);
            b += bStep;
        }

        var va = Vector512.Create(alpha);
        Update(c, c0a, va, beta); Update(c + 16, c0b, va, beta);
        Update(c + ldc, c1a, va, beta); Update(c + ldc + 16, c1b, va, beta);
        Update(c + (2 * ldc), c2a, va, beta); Update(c + (2 * ldc) + 16, c2b, va, beta);
        Update(c + (3 * ldc), c3a, va, beta); Update(c + (3 * ldc) + 16, c3b, va, beta);
        Update(c + (4 * ldc), c4a, va, beta); Update(c + (4 * ldc) + 16, c4b, va, beta);
        Update(c + (5 * ldc), c5a, va, beta); Update(c + (5 * ldc) + 16, c5b, va, beta);
        Update(c + (6 * ldc), c6a, va, beta); Update(c + (6 * ldc) + 16, c6b, va, beta);
        Update(c + (7 * ldc), c7a, va, beta); Update(c + (7 * ldc) + 16, c7b, va, beta);
        Update(c + (8 * ldc), c8a, va, beta); Update(c + (8 * ldc) + 16, c8b, va, beta);
        Update(c + (9 * ldc), c9a, va, beta); Update(c + (9 * ldc) + 16, c9b, va, beta);
        Update(c + (10 * ldc), c10a, va, beta); Update(c + (10 * ldc) + 16, c10b, va, beta);
        Update(c + (11 * ldc), c11a, va, beta); Update(c + (11 * ldc) + 16, c11b, va, beta);
    }

    /// <summary>Rows of the edge tile, for the last rows of a block when fewer than MR remain.</summary>
    public const int EdgeRows = 4;

    /// <summary><see cref="Run"/> on an EdgeRows x NR tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunEdge(int kc, float* a, nint aStep, float* b, nint bStep, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c0a = default; Vector512<float> c0b = default;
        Vector512<float> c1a = default; Vector512<float> c1b = default;
        Vector512<float> c2a = default; Vector512<float> c2b = default;
        Vector512<float> c3a = default; Vector512<float> c3b = default;
        for (int p = 0; p < kc; p++)
        {
            var ba = Vector512.Load(b);
            var bb = Vector512.Load(b + 16);
            var x0 = Vector512.Create(a[0]);
            c0a = Vector512.FusedMultiplyAdd(x0, ba, c0a); c0b = Vector512.FusedMultiplyAdd(x0, bb, c0b);
            var x1 = Vector512.Create(a[1]);
            c1a = Vector512.FusedMultiplyAdd(x1, ba, c1a); c1b = Vector512.FusedMultiplyAdd(x1, bb, c1b);
            var x2 = Vector512.Create(a[2]);
            c2a = Vector512.FusedMultiplyAdd(x2, ba, c2a); c2b = Vector512.FusedMultiplyAdd(x2, bb, c2b);
            var x3 = Vector512.Create(a[3]);
            c3a = Vector512.FusedMultiplyAdd(x3, ba, c3a); c3b = Vector512.FusedMultiplyAdd(x3, bb, c3b);
            a += aStep;
            b += bStep;
        }

        var va = Vector512.Create(alpha);
        Update(c, c0a, va, beta); Update(c + 16, c0b, va, beta);
        Update(c + ldc, c1a, va, beta); Update(c + ldc + 16, c1b, va, beta);
        Update(c + (2 * ldc), c2a, va, beta); Update(c + (2 * ldc) + 16, c2b, va, beta);
        Update(c + (3 * ldc), c3a, va, beta); Update(c + (3 * ldc) + 16, c3b, va, beta);
    }

    /// <summary><see cref="RunRows"/> on an EdgeRows x NR tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunRowsEdge(int kc, float* a, nint lda, float* b, nint bStep, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c0a = default; Vector512<float> c0b = default;
        Vector512<float> c1a = default; Vector512<float> c1b = default;
        Vector512<float> c2a = default; Vector512<float> c2b = default;
        Vector512<float> c3a = default; Vector512<float> c3b = default;
        float* a0 = a;
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        float* a3 = a2 + lda;
        for (nint p = 0; p < kc; p++)
        {
            var ba = Vector512.Load(b);
            var bb = Vector512.Load(b + 16);
            var x0 = Vector512.Create(a0[p]);
            c0a = Vector512.FusedMultiplyAdd(x0, ba, c0a); c0b = Vector512.FusedMultiplyAdd(x0, bb, c0b);
            var x1 = Vector512.Create(a1[p]);
            c1a = Vector512.FusedMultiplyAdd(x1, ba, c1a); c1b = Vector512.FusedMultiplyAdd(x1, bb, c1b);
            var x2 = Vector512.Create(a2[p]);
            c2a = Vector512.FusedMultiplyAdd(x2, ba, c2a); c2b = Vector512.FusedMultiplyAdd(x2, bb, c2b);
            var x3 = Vector512.Create(a3[p]);
            c3a = Vector512.FusedMultiplyAdd(x3, ba, c3a); c3b = Vector512.FusedMultiplyAdd(x3, bb, c3b);
            b += bStep;
        }

        var va = Vector512.Create(alpha);
        Update(c, c0a, va, beta); Update(c + 16, c0b, va, beta);
        Update(c + ldc, c1a, va, beta); Update(c + ldc + 16, c1b, va, beta);
        Update(c + (2 * ldc), c2a, va, beta); Update(c + (2 * ldc) + 16, c2b, va, beta);
        Update(c + (3 * ldc), c3a, va, beta); Update(c + (3 * ldc) + 16, c3b, va, beta);
    }

    /// <summary>C = alpha * acc + beta * C, with beta 0 ignoring C (even NaN) and beta 1 skipping the multiply.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector512<float> acc, Vector512<float> alpha, float beta)
    {
        if (beta == 0f)
        {
            (acc * alpha).Store(c);
        }
        else if (beta == 1f)
        {
            Vector512.FusedMultiplyAdd(acc, alpha, Vector512.Load(c)).Store(c);
        }
        else
        {
            Vector512.FusedMultiplyAdd(acc, alpha, Vector512.Load(c) * beta).Store(c);
        }
    }
}
