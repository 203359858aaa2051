using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// The small matrix products inside fused attention: C = alpha * A B for at most four rows of C at a time, where A
/// is read element by element with any two strides (so a transposed or strided A costs nothing) and B has
/// contiguous rows (vector loads). A head's matrices are tens of rows, so the general <see cref="Gemm"/>, with its
/// packing and thread split, would cost more than the arithmetic.
/// </summary>
/// <remarks>Every element of C is one fused multiply-add chain over p = kBegin..kEnd-1 in order, then one multiply
/// by alpha, on every path (16- or 8-wide vectors, or scalar), so an element's bits do not depend on the tile it
/// falls in.</remarks>
internal static class PanelGemm
{
    /// <summary>
    /// C(i, j) = alpha * Σ_{p = kBegin}^{kEnd-1} A(i, p) B(p, j) for i &lt; rows (at most 4) and j &lt; n, overwriting C.
    /// </summary>
    /// <param name="rows">Rows of C computed, 1 to 4.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="kBegin">First inner index.</param>
    /// <param name="kEnd">One past the last inner index (kEnd &lt;= kBegin gives zeros).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A's storage: A(i, p) = a[aOff + i * aRow + p * aCol].</param>
    /// <param name="aOff">Index of A(0, 0).</param>
    /// <param name="aRow">Stride between rows of A.</param>
    /// <param name="aCol">Stride between columns of A.</param>
    /// <param name="b">B's storage: B(p, j) = b[bOff + p * ldb + j].</param>
    /// <param name="bOff">Index of B(0, 0).</param>
    /// <param name="ldb">Stride between rows of B.</param>
    /// <param name="c">C's storage: C(i, j) = c[cOff + i * ldc + j].</param>
    /// <param name="cOff">Index of C(0, 0).</param>
    /// <param name="ldc">Stride between rows of C.</param>
    public static void Rows(int rows, int n, int kBegin, int kEnd, float alpha, float[] a, int aOff, int aRow, int aCol,
        float[] b, int bOff, int ldb, float[] c, int cOff, int ldc)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // Four rows share each B load; the leftover columns of a four-row block go to the 8-wide tiles below.
            if (rows == 4)
            {
                for (; j + 32 <= n; j += 32)
                {
                    Tile4x32(j, kBegin, kEnd, alpha, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc);
                }
            }
            else
            {
                for (; j + 16 <= n; j += 16)
                {
                    for (int i = 0; i < rows; i++)
                    {
                        Tile1x16(j, kBegin, kEnd, alpha, a, aOff + (i * aRow), aCol, b, bOff, ldb, c, cOff + (i * ldc));
                    }
                }
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            if (rows == 4)
            {
                for (; j + 16 <= n; j += 16)
                {
                    Tile4x16(j, kBegin, kEnd, alpha, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc);
                }
            }

            for (; j + 8 <= n; j += 8)
            {
                for (int i = 0; i < rows; i++)
                {
                    Tile1x8(j, kBegin, kEnd, alpha, a, aOff + (i * aRow), aCol, b, bOff, ldb, c, cOff + (i * ldc));
                }
            }
        }

        for (; j < n; j++)
        {
            for (int i = 0; i < rows; i++)
            {
                float acc = 0f;
                int ai = aOff + (i * aRow);
                for (int p = kBegin; p < kEnd; p++)
                {
                    acc = MathF.FusedMultiplyAdd(a[ai + (p * aCol)], b[bOff + (p * ldb) + j], acc);
                }

                c[cOff + (i * ldc) + j] = alpha * acc;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x32(int j, int kBegin, int kEnd, float alpha, float[] a, int aOff, int aRow, int aCol,
        float[] b, int bOff, int ldb, float[] c, int cOff, int ldc)
    {
        ref float ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref float rb = ref MemoryMarshal.GetArrayDataReference(b);
        ref float rc = ref MemoryMarshal.GetArrayDataReference(c);
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = kBegin; p < kEnd; p++)
        {
            nuint bp = (nuint)(bOff + (p * ldb) + j);
            var b0 = Vector512.LoadUnsafe(ref rb, bp);
            var b1 = Vector512.LoadUnsafe(ref rb, bp + 16);
            int ap = aOff + (p * aCol);
            var a0 = Vector512.Create(Unsafe.Add(ref ra, ap));
            var a1 = Vector512.Create(Unsafe.Add(ref ra, ap + aRow));
            var a2 = Vector512.Create(Unsafe.Add(ref ra, ap + (2 * aRow)));
            var a3 = Vector512.Create(Unsafe.Add(ref ra, ap + (3 * aRow)));
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
        }

        var va = Vector512.Create(alpha);
        nuint ci = (nuint)(cOff + j);
        (va * c00).StoreUnsafe(ref rc, ci);
        (va * c01).StoreUnsafe(ref rc, ci + 16);
        ci += (nuint)ldc;
        (va * c10).StoreUnsafe(ref rc, ci);
        (va * c11).StoreUnsafe(ref rc, ci + 16);
        ci += (nuint)ldc;
        (va * c20).StoreUnsafe(ref rc, ci);
        (va * c21).StoreUnsafe(ref rc, ci + 16);
        ci += (nuint)ldc;
        (va * c30).StoreUnsafe(ref rc, ci);
        (va * c31).StoreUnsafe(ref rc, ci + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile1x16(int j, int kBegin, int kEnd, float alpha, float[] a, int aOff, int aCol,
        float[] b, int bOff, int ldb, float[] c, int cOff)
    {
        ref float ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref float rb = ref MemoryMarshal.GetArrayDataReference(b);
        Vector512<float> acc = default;
        for (int p = kBegin; p < kEnd; p++)
        {
            acc = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ra, aOff + (p * aCol))), Vector512.LoadUnsafe(ref rb, (nuint)(bOff + (p * ldb) + j)), acc);
        }

        (Vector512.Create(alpha) * acc).StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(c), (nuint)(cOff + j));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x16(int j, int kBegin, int kEnd, float alpha, float[] a, int aOff, int aRow, int aCol,
        float[] b, int bOff, int ldb, float[] c, int cOff, int ldc)
    {
        ref float ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref float rb = ref MemoryMarshal.GetArrayDataReference(b);
        ref float rc = ref MemoryMarshal.GetArrayDataReference(c);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = kBegin; p < kEnd; p++)
        {
            nuint bp = (nuint)(bOff + (p * ldb) + j);
            var b0 = Vector256.LoadUnsafe(ref rb, bp);
            var b1 = Vector256.LoadUnsafe(ref rb, bp + 8);
            int ap = aOff + (p * aCol);
            var a0 = Vector256.Create(Unsafe.Add(ref ra, ap));
            var a1 = Vector256.Create(Unsafe.Add(ref ra, ap + aRow));
            var a2 = Vector256.Create(Unsafe.Add(ref ra, ap + (2 * aRow)));
            var a3 = Vector256.Create(Unsafe.Add(ref ra, ap + (3 * aRow)));
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
        }

        var va = Vector256.Create(alpha);
        nuint ci = (nuint)(cOff + j);
        (va * c00).StoreUnsafe(ref rc, ci);
        (va * c01).StoreUnsafe(ref rc, ci + 8);
        ci += (nuint)ldc;
        (va * c10).StoreUnsafe(ref rc, ci);
        (va * c11).StoreUnsafe(ref rc, ci + 8);
        ci += (nuint)ldc;
        (va * c20).StoreUnsafe(ref rc, ci);
        (va * c21).StoreUnsafe(ref rc, ci + 8);
        ci += (nuint)ldc;
        (va * c30).StoreUnsafe(ref rc, ci);
        (va * c31).StoreUnsafe(ref rc, ci + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile1x8(int j, int kBegin, int kEnd, float alpha, float[] a, int aOff, int aCol,
        float[] b, int bOff, int ldb, float[] c, int cOff)
    {
        ref float ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref float rb = ref MemoryMarshal.GetArrayDataReference(b);
        Vector256<float> acc = default;
        for (int p = kBegin; p < kEnd; p++)
        {
            acc = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ra, aOff + (p * aCol))), Vector256.LoadUnsafe(ref rb, (nuint)(bOff + (p * ldb) + j)), acc);
        }

        (Vector256.Create(alpha) * acc).StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(c), (nuint)(cOff + j));
    }
}
