using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// The Vector256 GEMM micro-kernel: a 6 x 16 tile of C (6 rows x 2 vectors of 8) held in
/// 12 accumulator registers for a block of kc steps, each step one rank-1 update (a row of 16 floats
/// of op(B) times a column of 6 floats of op(A)).
/// This is the classic AVX2 shape: 12 accumulators, 2 B vectors and a broadcast fill 15 of the 16 ymm
/// registers.
/// The tile is written out in full, one local per accumulator, because that is what lets the JIT keep it
/// in registers (a loop over an array of vectors would spill).
/// </summary>
internal static unsafe class GemmMicroKernel256
{
    /// <summary>Rows of the register tile.</summary>
    public const int MR = 6;

    /// <summary>Columns of the register tile.</summary>
    public const int NR = 16;

    /// <summary>Whether this CPU runs the kernel with hardware vectors.</summary>
    public static bool IsSupported => Vector256.IsHardwareAccelerated;

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
        Vector256<float> c0a = default; Vector256<float> c0b = default;
        Vector256<float> c1a = default; Vector256<float> c1b = default;
        Vector256<float> c2a = default; Vector256<float> c2b = default;
        Vector256<float> c3a = default; Vector256<float> c3b = default;
        Vector256<float> c4a = default; Vector256<float> c4b = default;
        Vector256<float> c5a = default; Vector256<float> c5b = default;
        for (int p = 0; p < kc; p++)
        {
            var ba = Vector256.Load(b);
            var bb = Vector256.Load(b + 8);
            var x0 = Vector256.Create(a[0]);
            c0a = Vector256.FusedMultiplyAdd(x0, ba, c0a); c0b = Vector256.FusedMultiplyAdd(x0, bb, c0b);
            var x1 = Vector256.Create(a[1]);
            c1a = Vector256.FusedMultiplyAdd(x1, ba, c1a); c1b = Vector256.FusedMultiplyAdd(x1, bb, c1b);
            var x2 = Vector256.Create(a[2]);
            c2a = Vector256.FusedMultiplyAdd(x2, ba, c2a); c2b = Vector256.FusedMultiplyAdd(x2, bb, c2b);
            var x3 = Vector256.Create(a[3]);
            c3a = Vector256.FusedMultiplyAdd(x3, ba, c3a); c3b = Vector256.FusedMultiplyAdd(x3, bb, c3b);
            var x4 = Vector256.Create(a[4]);
            c4a = Vector256.FusedMultiplyAdd(x4, ba, c4a); c4b = Vector256.FusedMultiplyAdd(x4, bb, c4b);
            var x5 = Vector256.Create(a[5]);
            c5a = Vector256.FusedMultiplyAdd(x5, ba, c5a); c5b = Vector256.FusedMultiplyAdd(x5, bb, c5b);
            a += aStep;
            b += bStep;
        }

        var va = Vector256.Create(alpha);
        Update(c, c0a, va, beta); Update(c + 8, c0b, va, beta);
        Update(c + ldc, c1a, va, beta); Update(c + ldc + 8, c1b, va, beta);
        Update(c + (2 * ldc), c2a, va, beta); Update(c + (2 * ldc) + 8, c2b, va, beta);
        Update(c + (3 * ldc), c3a, va, beta); Update(c + (3 * ldc) + 8, c3b, va, beta);
        Update(c + (4 * ldc), c4a, va, beta); Update(c + (4 * ldc) + 8, c4b, va, beta);
        Update(c + (5 * ldc), c5a, va, beta); Update(c + (5 * ldc) + 8, c5b, va, beta);
    }

    /// <summary>
    /// <see cref="Run"/> with A read in place from MR rows of a row-major matrix with row stride lda
    /// (a[r * lda + p]), which saves packing A when each A sliver meets only a few B slivers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunRows(int kc, float* a, nint lda, float* b, nint bStep, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c0a = default; Vector256<float> c0b = default;
        Vector256<float> c1a = default; Vector256<float> c1b = default;
        Vector256<float> c2a = default; Vector256<float> c2b = default;
        Vector256<float> c3a = default; Vector256<float> c3b = default;
        Vector256<float> c4a = default; Vector256<float> c4b = default;
        Vector256<float> c5a = default; Vector256<float> c5b = default;
        float* a0 = a;
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        float* a3 = a2 + lda;
        float* a4 = a3 + lda;
        float* a5 = a4 + lda;
        for (nint p = 0; p < kc; p++)
        {
            var ba = Vector256.Load(b);
            var bb = Vector256.Load(b + 8);
            var x0 = Vector256.Create(a0[p]);
            c0a = Vector256.FusedMultiplyAdd(x0, ba, c0a); c0b = Vector256.FusedMultiplyAdd(x0, bb, c0b);
            var x1 = Vector256.Create(a1[p]);
            c1a = Vector256.FusedMultiplyAdd(x1, ba, c1a); c1b = Vector256.FusedMultiplyAdd(x1, bb, c1b);
            var x2 = Vector256.Create(a2[p]);
            c2a = Vector256.FusedMultiplyAdd(x2, ba, c2a); c2b = Vector256.FusedMultiplyAdd(x2, bb, c2b);
            var x3 = Vector256.Create(a3[p]);
            c3a = Vector256.FusedMultiplyAdd(x3, ba, c3a); c3b = Vector256.FusedMultiplyAdd(x3, bb, c3b);
            var x4 = Vector256.Create(a4[p]);
            c4a = Vector256.FusedMultiplyAdd(x4, ba, c4a); c4b = Vector256.FusedMultiplyAdd(x4, bb, c4b);
            var x5 = Vector256.Create(a5[p]);
            c5a = Vector256.FusedMultiplyAdd(x5, ba, c5a); c5b = Vector256.FusedMultiplyAdd(x5, bb, c5b);
            b += bStep;
        }

        var va = Vector256.Create(alpha);
        Update(c, c0a, va, beta); Update(c + 8, c0b, va, beta);
        Update(c + ldc, c1a, va, beta); Update(c + ldc + 8, c1b, va, beta);
        Update(c + (2 * ldc), c2a, va, beta); Update(c + (2 * ldc) + 8, c2b, va, beta);
        Update(c + (3 * ldc), c3a, va, beta); Update(c + (3 * ldc) + 8, c3b, va, beta);
        Update(c + (4 * ldc), c4a, va, beta); Update(c + (4 * ldc) + 8, c4b, va, beta);
        Update(c + (5 * ldc), c5a, va, beta); Update(c + (5 * ldc) + 8, c5b, va, beta);
    }

    /// <summary>Rows of the edge tile, for the last rows of a block when fewer than MR remain.</summary>
    public const int EdgeRows = 2;

    /// <summary><see cref="Run"/> on an EdgeRows x NR tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunEdge(int kc, float* a, nint aStep, float* b, nint bStep, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c0a = default; Vector256<float> c0b = default;
        Vector256<float> c1a = default; Vector256<float> c1b = default;
        for (int p = 0; p < kc; p++)
        {
            var ba = Vector256.Load(b);
            var bb = Vector256.Load(b + 8);
            var x0 = Vector256.Create(a[0]);
            c0a = Vector256.FusedMultiplyAdd(x0, ba, c0a); c0b = Vector256.FusedMultiplyAdd(x0, bb, c0b);
            var x1 = Vector256.Create(a[1]);
            c1a = Vector256.FusedMultiplyAdd(x1, ba, c1a); c1b = Vector256.FusedMultiplyAdd(x1, bb, c1b);
            a += aStep;
            b += bStep;
        }

        var va = Vector256.Create(alpha);
        Update(c, c0a, va, beta); Update(c + 8, c0b, va, beta);
        Update(c + ldc, c1a, va, beta); Update(c + ldc + 8, c1b, va, beta);
    }

    /// <summary><see cref="RunRows"/> on an EdgeRows x NR tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunRowsEdge(int kc, float* a, nint lda, float* b, nint bStep, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c0a = default; Vector256<float> c0b = default;
        Vector256<float> c1a = default; Vector256<float> c1b = default;
        float* a0 = a;
        float* a1 = a0 + lda;
        for (nint p = 0; p < kc; p++)
        {
            var ba = Vector256.Load(b);
            var bb = Vector256.Load(b + 8);
            var x0 = Vector256.Create(a0[p]);
            c0a = Vector256.FusedMultiplyAdd(x0, ba, c0a); c0b = Vector256.FusedMultiplyAdd(x0, bb, c0b);
            var x1 = Vector256.Create(a1[p]);
            c1a = Vector256.FusedMultiplyAdd(x1, ba, c1a); c1b = Vector256.FusedMultiplyAdd(x1, bb, c1b);
            b += bStep;
        }

        var va = Vector256.Create(alpha);
        Update(c, c0a, va, beta); Update(c + 8, c0b, va, beta);
        Update(c + ldc, c1a, va, beta); Update(c + ldc + 8, c1b, va, beta);
    }

    /// <summary>C = alpha * acc + beta * C, with beta 0 ignoring C (even NaN) and beta 1 skipping the multiply.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector256<float> acc, Vector256<float> alpha, float beta)
    {
        if (beta == 0f)
        {
            (acc * alpha).Store(c);
        }
        else if (beta == 1f)
        {
            Vector256.FusedMultiplyAdd(acc, alpha, Vector256.Load(c)).Store(c);
        }
        else
        {
            Vector256.FusedMultiplyAdd(acc, alpha, Vector256.Load(c) * beta).Store(c);
        }
    }
}
