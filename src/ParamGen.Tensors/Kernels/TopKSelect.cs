using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Partial selection of the k best elements of a row in O(n log k): a heap of the k best seen so far with
/// the worst at the root, then a heap sort of those k. The order is total (value, then lower index first),
/// so the result is deterministic under ties. NaN counts as larger than every number, as in PyTorch.
/// Rows without NaN take a vectorised path: one compare per 16 (or 8) elements against the heap's worst value
/// finds the few that can enter, so a row costs about one pass of loads (the same order as the scalar path,
/// which stays the reference and serves rows with NaN).
/// </summary>
internal static class TopKSelect
{
    /// <summary>Writes the indices of the k best elements of <paramref name="row"/> to <paramref name="indices"/> (length k), best first.</summary>
    public static void Select(ReadOnlySpan<float> row, Span<int> indices, bool largest)
    {
        if (indices.Length > 0 && row.Length >= 64 && !HasNaN(row))
        {
            SelectVectorised(row, indices, largest);
        }
        else
        {
            SelectScalar(row, indices, largest);
        }
    }

    /// <summary>The scalar reference of <see cref="Select"/>, for every row.</summary>
    internal static void SelectScalar(ReadOnlySpan<float> row, Span<int> indices, bool largest)
    {
        int k = indices.Length;
        if (k == 0)
        {
            return;
        }

        for (int i = 0; i < k; i++)
        {
            indices[i] = i;
        }

        for (int i = (k / 2) - 1; i >= 0; i--)
        {
            SiftDown(row, indices, i, k, largest);
        }

        for (int i = k; i < row.Length; i++)
        {
            if (Better(row, i, indices[0], largest))
            {
                indices[0] = i;
                SiftDown(row, indices, 0, k, largest);
            }
        }

        // Heap sort: moving the worst to the end each time leaves the best first.
        for (int end = k - 1; end > 0; end--)
        {
            (indices[0], indices[end]) = (indices[end], indices[0]);
            SiftDown(row, indices, 0, end, largest);
        }
    }

    /// <summary>Whether element i ranks before element j.</summary>
    /// <summary>
    /// <see cref="Select"/> for a row without NaN: the first k elements form the heap, then only elements strictly
    /// better than its root (found with vector compares) are offered. A later element equal to the root is never
    /// better (lower index wins ties), so the strict compare selects exactly what the scalar path selects.
    /// </summary>
    private static void SelectVectorised(ReadOnlySpan<float> row, Span<int> heap, bool largest)
    {
        int k = heap.Length, n = row.Length;
        if (k >= n)
        {
            SelectScalar(row, heap, largest);
            return;
        }

        for (int i = 0; i < k; i++)
        {
            heap[i] = i;
        }

        for (int i = (k / 2) - 1; i >= 0; i--)
        {
            SiftDown(row, heap, i, k, largest);
        }

        float threshold = row[heap[0]];
        ref float start = ref MemoryMarshal.GetReference(row);
        int j = k;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= n - Vector512<float>.Count; j += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref start, (nuint)j);
                var t = Vector512.Create(threshold);
                ulong better = (largest ? Vector512.GreaterThan(v, t) : Vector512.LessThan(v, t)).ExtractMostSignificantBits();
                for (; better != 0; better &= better - 1)
                {
                    Offer(row, heap, j + BitOperations.TrailingZeroCount(better), largest, ref threshold);
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= n - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref start, (nuint)j);
                var t = Vector256.Create(threshold);
                ulong better = (largest ? Vector256.GreaterThan(v, t) : Vector256.LessThan(v, t)).ExtractMostSignificantBits();
                for (; better != 0; better &= better - 1)
                {
                    Offer(row, heap, j + BitOperations.TrailingZeroCount(better), largest, ref threshold);
                }
            }
        }

        for (; j < n; j++)
        {
            if (largest ? row[j] > threshold : row[j] < threshold)
            {
                Offer(row, heap, j, largest, ref threshold);
            }
        }

        for (int end = k - 1; end > 0; end--)
        {
            (heap[0], heap[end]) = (heap[end], heap[0]);
            SiftDown(row, heap, 0, end, largest);
        }
    }

    /// <summary>Puts element j (strictly better than the root, which it replaces) into the heap and updates the threshold.</summary>
    private static void Offer(ReadOnlySpan<float> row, Span<int> heap, int j, bool largest, ref float threshold)
    {
        // The threshold may have risen since the vector compare; re-check against the current root.
        if (!(largest ? row[j] > threshold : row[j] < threshold))
        {
            return;
        }

        heap[0] = j;
        SiftDown(row, heap, 0, heap.Length, largest);
        threshold = row[heap[0]];
    }

    private static bool HasNaN(ReadOnlySpan<float> row)
    {
        ref float start = ref MemoryMarshal.GetReference(row);
        int i = 0, n = row.Length;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref start, (nuint)i);
                if (!Vector512.EqualsAll(v, v))
                {
                    return true;
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref start, (nuint)i);
                if (!Vector256.EqualsAll(v, v))
                {
                    return true;
                }
            }
        }

        for (; i < n; i++)
        {
            if (float.IsNaN(row[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Better(ReadOnlySpan<float> row, int i, int j, bool largest)
    {
        float a = row[i], b = row[j];
        int c = Compare(a, b);
        if (!largest)
        {
            c = -c;
        }

        return c > 0 || (c == 0 && i < j);
    }

    /// <summary>Sign of a - b with NaN above every number and equal to itself.</summary>
    private static int Compare(float a, float b)
    {
        bool an = float.IsNaN(a), bn = float.IsNaN(b);
        if (an || bn)
        {
            return an == bn ? 0 : an ? 1 : -1;
        }

        return a > b ? 1 : a < b ? -1 : 0;
    }

    /// <summary>Restores the worst-at-root heap order below position i in heap[0..size).</summary>
    private static void SiftDown(ReadOnlySpan<float> row, Span<int> heap, int i, int size, bool largest)
    {
        while (true)
        {
            int left = (2 * i) + 1;
            if (left >= size)
            {
                return;
            }

            int worst = left;
            int right = left + 1;
            if (right < size && Better(row, heap[worst], heap[right], largest))
            {
                worst = right;
            }

            if (!Better(row, heap[i], heap[worst], largest))
            {
                return;
            }

            (heap[i], heap[worst]) = (heap[worst], heap[i]);
            i = worst;
        }
    }
}
