using System.Numerics.Tensors;

namespace ParamGen.Tensors.Kernels;

/// <summary>Small span helpers shared by ops and optimizers; each allocates nothing.</summary>
internal static class Elementwise
{
    /// <summary>dst += src.</summary>
    public static void AddInPlace(Span<float> dst, ReadOnlySpan<float> src) => TensorPrimitives.Add(dst, src, dst);

    /// <summary>dst += alpha * src.</summary>
    public static void AxpyInPlace(Span<float> dst, ReadOnlySpan<float> src, float alpha) => TensorPrimitives.MultiplyAdd(src, alpha, dst, dst);

    /// <summary>Sum of the elements, accumulated in double for stability and order-independence of rounding.</summary>
    public static float Sum(ReadOnlySpan<float> x)
    {
        // Pairwise-by-vector accumulation in TensorPrimitives.Sum is float; keep a double total over blocks.
        double total = 0;
        const int Block = 1024;
        int i = 0;
        for (; i + Block <= x.Length; i += Block)
        {
            total += TensorPrimitives.Sum(x.Slice(i, Block));
        }

        if (i < x.Length)
        {
            total += TensorPrimitives.Sum(x[i..]);
        }

        return (float)total;
    }

    /// <summary>
    /// Runs <paramref name="body"/>(start, length) over [0, n) in chunks of whole 64-element blocks, on several
    /// threads when the work (n x <paramref name="costPerElement"/>) pays for it. Only for kernels whose result for
    /// an element does not depend on the chunk it falls in.
    /// </summary>
    public static void ParallelChunks(int n, long costPerElement, Action<int, int> body)
    {
        const int Block = 64;
        int blocks = (n + Block - 1) / Block;
        WorkSplit.Dynamic(blocks, costPerElement * Block, (s, e) =>
        {
            int start = s * Block;
            int end = Math.Min(e * Block, n);
            if (end > start)
            {
                body(start, end - start);
            }
        });
    }
}
