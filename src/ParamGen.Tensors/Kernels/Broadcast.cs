namespace ParamGen.Tensors.Kernels;

/// <summary>
/// Runs a binary op over two contiguous operands under broadcasting. Trailing dimensions in which each
/// operand is either entirely present or entirely broadcast are merged into one row, so the common
/// cases ([B, L, d] + [d], [B, L, d] * [B, L, 1]) become a loop of span kernels.
/// </summary>
internal static class Broadcast
{
    public static void Binary<TOp>(ReadOnlySpan<float> a, Shape aShape, ReadOnlySpan<float> b, Shape bShape, Span<float> dst, Shape outShape)
        where TOp : struct, IBinaryOp
    {
        if (aShape == bShape)
        {
            TOp.Apply(a, b, dst);
            return;
        }

        if (b.Length == 1)
        {
            TOp.Apply(a, b[0], dst);
            return;
        }

        if (a.Length == 1)
        {
            TOp.Apply(a[0], b, dst);
            return;
        }

        int r = outShape.Rank;
        var aStr = PaddedStrides(aShape, r);
        var bStr = PaddedStrides(bShape, r);
        var od = outShape.Dims;

        // Merge trailing dims while each operand keeps one pattern (all present or all broadcast).
        int split = r;
        bool aFull = aStr[r - 1] != 0 || od[r - 1] == 1;
        bool bFull = bStr[r - 1] != 0 || od[r - 1] == 1;
        int inner = 1;
        while (split > 0)
        {
            int d = split - 1;
            if (od[d] != 1)
            {
                bool af = aStr[d] != 0;
                bool bf = bStr[d] != 0;
                if (inner == 1)
                {
                    aFull = af;
                    bFull = bf;
                }
                else if (af != aFull || bf != bFull)
                {
                    break;
                }
            }

            inner *= od[d];
            split--;
        }

        int outer = outShape.NumElements / Math.Max(inner, 1);
        if (inner == 0 || outer == 0)
        {
            return;
        }

        var idx = new int[split];
        int aOff = 0, bOff = 0;
        for (int o = 0; o < outer; o++)
        {
            var drow = dst.Slice(o * inner, inner);
            if (aFull && bFull)
            {
                TOp.Apply(a.Slice(aOff, inner), b.Slice(bOff, inner), drow);
            }
            else if (aFull)
            {
                TOp.Apply(a.Slice(aOff, inner), b[bOff], drow);
            }
            else if (bFull)
            {
                TOp.Apply(a[aOff], b.Slice(bOff, inner), drow);
            }
            else
            {
                TOp.Apply(a.Slice(aOff, 1), b.Slice(bOff, 1), drow.Slice(0, 1));
                drow.Fill(drow[0]);
            }

            // Odometer over the outer dims.
            for (int d = split - 1; d >= 0; d--)
            {
                idx[d]++;
                aOff += aStr[d];
                bOff += bStr[d];
                if (idx[d] < od[d])
                {
                    break;
                }

                aOff -= aStr[d] * od[d];
                bOff -= bStr[d] * od[d];
                idx[d] = 0;
            }
        }
    }

    /// <summary>Contiguous strides of <paramref name="s"/> left-padded to rank <paramref name="r"/>, 0 where a size is 1.</summary>
    public static int[] PaddedStrides(Shape s, int r)
    {
        var str = new int[r];
        var dims = s.Dims;
        int acc = 1;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            str[r - dims.Length + i] = dims[i] == 1 ? 0 : acc;
            acc *= dims[i];
        }

        return str;
    }

    /// <summary>
    /// Sums <paramref name="src"/> (of <paramref name="srcShape"/>) into <paramref name="dst"/> of a shape it
    /// broadcasts from: the inverse of broadcasting, used by every backward rule. <paramref name="dst"/> is overwritten.
    /// </summary>
    public static void SumTo(ReadOnlySpan<float> src, Shape srcShape, Span<float> dst, Shape dstShape)
    {
        dst.Clear();
        int r = srcShape.Rank;
        var dStr = PaddedStrides(dstShape, r);
        var sd = srcShape.Dims;

        // Trailing run in which dst is either fully present or fully reduced.
        int split = r;
        int inner = 1;
        bool full = true;
        while (split > 0)
        {
            int d = split - 1;
            if (sd[d] != 1)
            {
                bool f = dStr[d] != 0;
                if (inner == 1)
                {
                    full = f;
                }
                else if (f != full)
                {
                    break;
                }
            }

            inner *= sd[d];
            split--;
        }

        int outer = srcShape.NumElements / Math.Max(inner, 1);
        if (inner == 0 || outer == 0)
        {
            return;
        }

        var idx = new int[split];
        int off = 0;
        for (int o = 0; o < outer; o++)
        {
            var srow = src.Slice(o * inner, inner);
            if (full)
            {
                Elementwise.AddInPlace(dst.Slice(off, inner), srow);
            }
            else
            {
                dst[off] += Elementwise.Sum(srow);
            }

            for (int d = split - 1; d >= 0; d--)
            {
                idx[d]++;
                off += dStr[d];
                if (idx[d] < sd[d])
                {
                    break;
                }

                off -= dStr[d] * sd[d];
                idx[d] = 0;
            }
        }
    }
}
