using System.Globalization;
using System.Numerics.Tensors;
using ParamGen.Tensors.Autograd;

namespace ParamGen.Tensors;

// Owner: reductions, normalisation, losses.
public static partial class Functional
{
    /// <summary>Channels per work item of the group statistics (threads split the channels, never the rows).</summary>
    private const int GroupNormChannelBlock = 16;

    /// <summary>
    /// Batch normalisation with separate statistics per group of samples (domain-specific or "partitioned"
    /// normalisation), channels last, no affine part: each row of <paramref name="input"/> is normalised with the
    /// mean and (biased) variance of the included rows of its sample's group, over every position and sample of that
    /// group, per channel.
    /// </summary>
    /// <remarks>
    /// <para>In training, each group's statistics come from its included rows in the batch, and when running
    /// statistics are given they are updated in place for the groups present: running = (1 - momentum) * running +
    /// momentum * batch, with the unbiased variance (as <c>F.batch_norm</c>). A group with fewer than two included
    /// rows is normalised with its running statistics (left unchanged), or, without them, copied through unchanged
    /// (mean 0, standard deviation exactly 1, no eps). Groups absent from the batch keep their running statistics.
    /// In evaluation every group uses its running statistics.</para>
    /// <para>Excluded rows (padding) are normalised with their group's statistics but do not contribute to them, so
    /// they get no gradient through the statistics: for a row r of a group whose included rows S (n of them) gave
    /// mean mu and inv = 1/sqrt(var + eps), dx_r = inv dy_r - [r in S] (inv/n) (Σ dy + inv² (x_r - mu) Σ dy (x - mu)),
    /// the sums running over all rows of the group. Rows normalised with fixed statistics get dx = inv dy.</para>
    /// <para>Statistics and their gradients are accumulated in double, row by row in row order; threads split the
    /// channels, so the result is bitwise the same for any <see cref="Engine.NumThreads"/>. With one group holding
    /// every sample this is <see cref="BatchNorm"/> on the channels-first input.</para>
    /// </remarks>
    /// <param name="input">Input <c>[B, C]</c> or <c>[B, L, C]</c>.</param>
    /// <param name="groups">Group of each sample <c>[B]</c>, each in [0, <paramref name="groupCount"/>).</param>
    /// <param name="groupCount">Number of groups G (at least 1).</param>
    /// <param name="runningMean">Running means <c>[G, C]</c>, or null (then also <paramref name="runningVar"/>; training only).</param>
    /// <param name="runningVar">Running variances <c>[G, C]</c>, or null together with <paramref name="runningMean"/>.</param>
    /// <param name="include">Which rows count in the statistics, one flag per row of the flattened <c>[B * L]</c>
    /// (<c>[B]</c> for rank 2), row b * L + t being position t of sample b; empty (the default): all.</param>
    /// <param name="training">Use batch statistics and update the running ones (default false).</param>
    /// <param name="momentum">Weight of the batch statistics in the running update (default 0.1; in [0, 1]).</param>
    /// <param name="eps">Added to the variance (default 1e-5; non-negative).</param>
    /// <returns>The normalised input, same shape.</returns>
    /// <exception cref="ArgumentException">A shape, group id or mask length does not fit, only one running statistic is
    /// given, or evaluation has no running statistics; the message names the argument and shapes. Nothing, running
    /// statistics included, is changed then.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="groupCount"/>, <paramref name="momentum"/> or
    /// <paramref name="eps"/> is out of range.</exception>
    public static Tensor GroupBatchNorm(Tensor input, ReadOnlySpan<int> groups, int groupCount, Tensor? runningMean, Tensor? runningVar,
        ReadOnlySpan<bool> include = default, bool training = false, float momentum = 0.1f, float eps = 1e-5f)
    {
        const string Op = "GroupBatchNorm";
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2 && input.Rank != 3)
        {
            throw new ArgumentException($"{Op}: input must be [B, C] or [B, L, C]; got {input.Shape}.", nameof(input));
        }

        int b = input.Shape[0], l = input.Rank == 3 ? input.Shape[1] : 1, c = input.Shape[-1];
        int rows = b * l;
        if (groupCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(groupCount), $"{Op}: groupCount must be at least 1; got {groupCount}.");
        }

        if (groups.Length != b)
        {
            throw new ArgumentException($"{Op}: groups has {groups.Length} entries; input {input.Shape} has B = {b} samples.", nameof(groups));
        }

        for (int s = 0; s < b; s++)
        {
            if ((uint)groups[s] >= (uint)groupCount)
            {
                throw new ArgumentException($"{Op}: groups[{s}] = {groups[s]} is outside [0, {groupCount}).", nameof(groups));
            }
        }

        if (!include.IsEmpty && include.Length != rows)
        {
            throw new ArgumentException(
                $"{Op}: include has {include.Length} entries; input {input.Shape} has B * L = {rows} rows (pass an empty mask to include all).", nameof(include));
        }

        var statShape = new Shape(groupCount, c);
        CheckParamShape(Op, nameof(runningMean), runningMean, statShape);
        CheckParamShape(Op, nameof(runningVar), runningVar, statShape);
        if ((runningMean is null) != (runningVar is null))
        {
            throw new ArgumentException($"{Op}: runningMean and runningVar must be given together.", runningMean is null ? nameof(runningMean) : nameof(runningVar));
        }

        if (!training && runningMean is null)
        {
            throw new ArgumentException($"{Op}: evaluation (training = false) needs runningMean and runningVar.", nameof(runningMean));
        }

        if (!(momentum >= 0f && momentum <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), $"{Op}: momentum must be in [0, 1]; got {momentum.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (!(eps >= 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), $"{Op}: eps must be non-negative; got {eps.ToString(CultureInfo.InvariantCulture)}.");
        }

        var sampleGroup = groups.ToArray();
        bool[]? included = include.IsEmpty ? null : include.ToArray();
        var counts = new int[groupCount]; // included rows per group
        for (int s = 0; s < b; s++)
        {
            for (int t = 0; t < l; t++)
            {
                if (included is null || included[(s * l) + t])
                {
                    counts[sampleGroup[s]]++;
                }
            }
        }

        // A group on batch statistics differentiates through them; every other group has fixed ones.
        var batchStats = new bool[groupCount];
        bool anyBatch = false;
        for (int g = 0; g < groupCount; g++)
        {
            batchStats[g] = training && counts[g] >= 2;
            anyBatch |= batchStats[g];
        }

        int gc = groupCount * c;
        var mean = new float[gc];
        var rstd = new float[gc];
        var xb = input.Buffer;
        int xo = input.Offset;
        double[]? ssq = anyBatch ? GroupBatchStats(xb, xo, b, l, c, sampleGroup, included, batchStats, counts, mean, rstd, eps) : null;
        var rmRead = runningMean is null ? default : runningMean.AsReadOnlySpan();
        var rvRead = runningVar is null ? default : runningVar.AsReadOnlySpan();
        for (int g = 0; g < groupCount; g++)
        {
            if (batchStats[g])
            {
                continue;
            }

            for (int i = g * c; i < (g + 1) * c; i++)
            {
                (mean[i], rstd[i]) = runningMean is null ? (0f, 1f) : (rmRead[i], (float)(1.0 / Math.Sqrt(rvRead[i] + (double)eps)));
            }
        }

        // Centre before scaling: x * inv - mean * inv would cancel badly when |mean| >> std.
        var y = Tensor.Uninitialized(input.Shape);
        var yb = y.Buffer;
        Engine.ParallelFor(rows, 2L * c, (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                int at = sampleGroup[r / l] * c;
                var yr = yb.AsSpan(r * c, c);
                TensorPrimitives.Subtract(xb.AsSpan(xo + (r * c), c), mean.AsSpan(at, c), yr);
                TensorPrimitives.Multiply(yr, rstd.AsSpan(at, c), yr);
            }
        });

        if (ssq is not null && runningMean is not null)
        {
            var rm = runningMean.Span;
            var rv = runningVar!.Span;
            for (int g = 0; g < groupCount; g++)
            {
                if (!batchStats[g])
                {
                    continue;
                }

                for (int i = g * c; i < (g + 1) * c; i++)
                {
                    float unbiasedVar = (float)(ssq[i] / (counts[g] - 1));
                    rm[i] = ((1f - momentum) * rm[i]) + (momentum * mean[i]);
                    rv[i] = ((1f - momentum) * rv[i]) + (momentum * unbiasedVar);
                }
            }
        }

        if (AutogradEngine.NeedsGrad(input))
        {
            AutogradEngine.Record(y, Op, [input], gy =>
            {
                var dx = Tensor.Uninitialized(input.Shape);
                GroupBatchNormBackward(xb, xo, gy.Buffer, gy.Offset, dx.Buffer, b, l, c, sampleGroup, included, batchStats, anyBatch, counts, mean, rstd);
                AutogradEngine.Accumulate(input, dx);
            });
        }

        return y;
    }

    /// <summary>
    /// Mean and 1/sqrt(biased var + eps) of the included rows of each batch-statistics group into mean and rstd;
    /// returns the sums of squared deviations (for the unbiased running variance). Two passes (sum, then centred
    /// squares) in double per channel block, rows in order.
    /// </summary>
    private static double[] GroupBatchStats(float[] xb, int xo, int b, int l, int c, int[] sampleGroup, bool[]? included, bool[] batchStats,
        int[] counts, float[] mean, float[] rstd, float eps)
    {
        int gc = mean.Length;
        var sum = new double[gc];
        var mu = new double[gc];
        var ssq = new double[gc];
        int blocks = (c + GroupNormChannelBlock - 1) / GroupNormChannelBlock;
        Engine.ParallelFor(blocks, 2L * GroupNormChannelBlock * b * l, (s, e) =>
        {
            int c0 = s * GroupNormChannelBlock, w = Math.Min(c, e * GroupNormChannelBlock) - c0;
            ForEachStatRow(b, l, sampleGroup, included, batchStats, allRows: false, (r, g) =>
                Kernels.WidenedSums.Add(sum.AsSpan((g * c) + c0, w), xb.AsSpan(xo + (r * c) + c0, w)));
            for (int g = 0; g < batchStats.Length; g++)
            {
                if (batchStats[g])
                {
                    for (int i = (g * c) + c0; i < (g * c) + c0 + w; i++)
                    {
                        mu[i] = sum[i] / counts[g];
                    }
                }
            }

            ForEachStatRow(b, l, sampleGroup, included, batchStats, allRows: false, (r, g) =>
                Kernels.WidenedSums.AddSquaredDeviations(ssq.AsSpan((g * c) + c0, w), xb.AsSpan(xo + (r * c) + c0, w), mu.AsSpan((g * c) + c0, w)));
        });

        for (int g = 0; g < batchStats.Length; g++)
        {
            if (!batchStats[g])
            {
                continue;
            }

            for (int i = g * c; i < (g + 1) * c; i++)
            {
                mean[i] = (float)mu[i];
                rstd[i] = (float)(1.0 / Math.Sqrt((ssq[i] / counts[g]) + eps));
            }
        }

        return ssq;
    }

    /// <summary>
    /// Calls visit(row, group) in row order for the rows of batch-statistics groups: the included ones, or with
    /// <paramref name="allRows"/> every one (all rows use the statistics, so all feed their gradient).
    /// </summary>
    private static void ForEachStatRow(int b, int l, int[] sampleGroup, bool[]? included, bool[] batchStats, bool allRows, Action<int, int> visit)
    {
        for (int s = 0; s < b; s++)
        {
            int g = sampleGroup[s];
            if (!batchStats[g])
            {
                continue;
            }

            for (int r = s * l; r < (s + 1) * l; r++)
            {
                if (allRows || included is null || included[r])
                {
                    visit(r, g);
                }
            }
        }
    }

    /// <summary>
    /// dx of group batch norm into dxb[0..]: rstd * (dy - a - (x - mean) * k) on included rows of batch-statistics
    /// groups, with a = Σ dy / n and k = rstd² Σ dy (x - mean) / n over all rows of the group; rstd * dy elsewhere.
    /// </summary>
    private static void GroupBatchNormBackward(float[] xb, int xo, float[] gb, int go, float[] dxb, int b, int l, int c, int[] sampleGroup,
        bool[]? included, bool[] batchStats, bool anyBatch, int[] counts, float[] mean, float[] rstd)
    {
        int gc = mean.Length;
        float[]? a = null, k = null;
        if (anyBatch)
        {
            var mu = new double[gc];
            for (int i = 0; i < gc; i++)
            {
                mu[i] = mean[i];
            }

            var sumG = new double[gc];
            var sumGx = new double[gc];
            int blocks = (c + GroupNormChannelBlock - 1) / GroupNormChannelBlock;
            Engine.ParallelFor(blocks, 2L * GroupNormChannelBlock * b * l, (s, e) =>
            {
                int c0 = s * GroupNormChannelBlock, w = Math.Min(c, e * GroupNormChannelBlock) - c0;
                ForEachStatRow(b, l, sampleGroup, included, batchStats, allRows: true, (r, g) =>
                {
                    int at = (g * c) + c0;
                    Kernels.WidenedSums.AddGradients(sumG.AsSpan(at, w), sumGx.AsSpan(at, w), gb.AsSpan(go + (r * c) + c0, w),
                        xb.AsSpan(xo + (r * c) + c0, w), mu.AsSpan(at, w));
                });
            });

            a = new float[gc];
            k = new float[gc];
            for (int g = 0; g < batchStats.Length; g++)
            {
                if (!batchStats[g])
                {
                    continue;
                }

                for (int i = g * c; i < (g + 1) * c; i++)
                {
                    double inv = rstd[i];
                    a[i] = (float)(sumG[i] / counts[g]);
                    k[i] = (float)(inv * inv * sumGx[i] / counts[g]);
                }
            }
        }

        Engine.ParallelFor(b * l, 4L * c, (s, e) =>
        {
            var tmp = anyBatch ? new float[c] : [];
            for (int r = s; r < e; r++)
            {
                int g = sampleGroup[r / l], at = g * c;
                var dy = gb.AsSpan(go + (r * c), c);
                var dx = dxb.AsSpan(r * c, c);
                if (batchStats[g] && (included is null || included[r]))
                {
                    TensorPrimitives.Subtract(xb.AsSpan(xo + (r * c), c), mean.AsSpan(at, c), tmp);
                    TensorPrimitives.MultiplyAdd(tmp, k!.AsSpan(at, c), a!.AsSpan(at, c), tmp);
                    TensorPrimitives.Subtract(dy, tmp, dx);
                    TensorPrimitives.Multiply(dx, rstd.AsSpan(at, c), dx);
                }
                else
                {
                    TensorPrimitives.Multiply(dy, rstd.AsSpan(at, c), dx);
                }
            }
        });
    }
}
