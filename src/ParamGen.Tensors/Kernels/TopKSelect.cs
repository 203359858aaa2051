namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Partial selection of the k best elements of a row in O(n log k): a heap of the k best seen so far with
/// the worst at the root, then a heap sort of those k. The order is total (value, then lower index first),
/// so the result is deterministic under ties. NaN counts as larger than every number, as in PyTorch.
/// </summary>
internal static class TopKSelect
{
    /// <summary>Writes the indices of the k best elements of <paramref name="row"/> to <paramref name="indices"/> (length k), best first.</summary>
    public static void Select(ReadOnlySpan<float> row, Span<int> indices, bool largest)
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
