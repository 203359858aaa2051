using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ParamGen.Evaluation;

/// <summary>
/// The positions of the k highest scores of a row, best first, for ranked lists. Scores of -inf (masked items) and
/// NaN are never listed, so fewer than k may come back. Ties keep the lower position first. A heap of the k best so
/// far sits under a threshold (its worst score); whole vectors of scores that cannot beat it are skipped with one
/// comparison, so a row costs little more than reading it.
/// </summary>
internal static class ScoreTopK
{
    /// <summary>Writes up to <c>indices.Length</c> positions into <paramref name="indices"/>, best first.</summary>
    /// <returns>How many were written.</returns>
    public static int Select(ReadOnlySpan<float> scores, Span<int> indices)
    {
        int k = indices.Length, n = scores.Length, size = 0, i = 0;
        if (k == 0)
        {
            return 0;
        }

        float threshold = float.NegativeInfinity;
        ref float start = ref MemoryMarshal.GetReference(scores);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                ulong above = Vector512.GreaterThan(Vector512.LoadUnsafe(ref start, (nuint)i), Vector512.Create(threshold)).ExtractMostSignificantBits();
                for (; above != 0; above &= above - 1)
                {
                    Offer(scores, indices, ref size, ref threshold, i + BitOperations.TrailingZeroCount(above));
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                ulong above = Vector256.GreaterThan(Vector256.LoadUnsafe(ref start, (nuint)i), Vector256.Create(threshold)).ExtractMostSignificantBits();
                for (; above != 0; above &= above - 1)
                {
                    Offer(scores, indices, ref size, ref threshold, i + BitOperations.TrailingZeroCount(above));
                }
            }
        }

        for (; i < n; i++)
        {
            Offer(scores, indices, ref size, ref threshold, i);
        }

        // Heap sort: moving the worst to the end each time leaves the best first.
        for (int end = size - 1; end > 0; end--)
        {
            (indices[0], indices[end]) = (indices[end], indices[0]);
            SiftDown(scores, indices, 0, end);
        }

        return size;
    }

    /// <summary>Takes position j into the heap when it beats the threshold (while the heap fills: any score above -inf).</summary>
    private static void Offer(ReadOnlySpan<float> scores, Span<int> heap, ref int size, ref float threshold, int j)
    {
        // Strictly greater: a later position with an equal score ranks after every earlier one.
        if (!(scores[j] > threshold))
        {
            return;
        }

        if (size < heap.Length)
        {
            int c = size++;
            heap[c] = j;
            while (c > 0)
            {
                int parent = (c - 1) / 2;
                if (!Worse(scores, heap[c], heap[parent]))
                {
                    break;
                }

                (heap[c], heap[parent]) = (heap[parent], heap[c]);
                c = parent;
            }

            if (size == heap.Length)
            {
                threshold = scores[heap[0]];
            }

            return;
        }

        heap[0] = j;
        SiftDown(scores, heap, 0, size);
        threshold = scores[heap[0]];
    }

    /// <summary>Whether position a ranks after position b: a lower score, or an equal score at a later position.</summary>
    private static bool Worse(ReadOnlySpan<float> scores, int a, int b) => scores[a] < scores[b] || (scores[a] == scores[b] && a > b);

    /// <summary>Restores the worst-at-root order below position i of heap[0 .. size).</summary>
    private static void SiftDown(ReadOnlySpan<float> scores, Span<int> heap, int i, int size)
    {
        while (true)
        {
            int left = (2 * i) + 1;
            if (left >= size)
            {
                return;
            }

            int worst = left + 1 < size && Worse(scores, heap[left + 1], heap[left]) ? left + 1 : left;
            if (!Worse(scores, heap[worst], heap[i]))
            {
                return;
            }

            (heap[i], heap[worst]) = (heap[worst], heap[i]);
            i = worst;
        }
    }
}
