using System.Globalization;
using System.Numerics.Tensors;
using ParamGen.Tensors.Autograd;

namespace ParamGen.Tensors;

// Owner: reductions, normalisation, losses.
public static partial class Functional
{
    /// <summary>
    /// Layer normalisation over the trailing <paramref name="normalizedShape"/> dims, as <c>F.layer_norm</c>:
    /// (x - mean) / sqrt(var + eps) * weight + bias, with the biased variance. One fused pass per row keeps
    /// only the row's mean and 1/std for the fused backward.
    /// </summary>
    /// <param name="input">Input <c>[*, normalizedShape...]</c>.</param>
    /// <param name="normalizedShape">The trailing sizes normalised together (at least one dim).</param>
    /// <param name="weight">Optional scale of shape <paramref name="normalizedShape"/> (default none: 1).</param>
    /// <param name="bias">Optional shift of shape <paramref name="normalizedShape"/> (default none: 0).</param>
    /// <param name="eps">Added to the variance (default 1e-5; must be non-negative).</param>
    /// <exception cref="ArgumentException">The input does not end with <paramref name="normalizedShape"/>, or a
    /// weight or bias has another shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="eps"/> is negative or NaN.</exception>
    public static Tensor LayerNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
    {
        const string Op = "LayerNorm";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(normalizedShape);
        var ns = new Shape(normalizedShape);
        if (ns.Rank == 0 || ns.Rank > input.Rank || !input.Shape.AsSpan()[^ns.Rank..].SequenceEqual(ns.AsSpan()))
        {
            throw new ArgumentException($"{Op}: input {input.Shape} does not end with the normalised shape {ns}.", nameof(normalizedShape));
        }

        CheckParamShape(Op, nameof(weight), weight, ns);
        CheckParamShape(Op, nameof(bias), bias, ns);
        if (!(eps >= 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), $"{Op}: eps must be non-negative; got {eps.ToString(CultureInfo.InvariantCulture)}.");
        }

        int d = ns.NumElements;
        int rows = d == 0 ? 0 : input.NumElements / d;
        var y = Tensor.Uninitialized(input.Shape);
        var mean = new float[rows];
        var rstd = new float[rows];
        var xb = input.Buffer;
        int xo = input.Offset;
        LayerNormRows(xb, xo, y.Buffer, rows, d, weight, bias, eps, mean, rstd);
        if (AutogradEngine.NeedsGrad(input, weight, bias))
        {
            AutogradEngine.Record(y, Op, [input, weight, bias], g =>
            {
                var dx = Tensor.Uninitialized(input.Shape);
                LayerNormBackwardRows(xb, xo, g.Buffer, g.Offset, dx.Buffer, rows, d, weight, bias, mean, rstd, ns);
                AutogradEngine.Accumulate(input, dx);
            });
        }

        return y;
    }

    /// <summary>
    /// <c>LayerNorm(residual + dropout(z))</c> as one op, the post-norm residual step of a transformer block: one
    /// pass per row forms the sum (keeping it for backward) and normalises it; backward sends the same gradient to the
    /// residual and, through the regenerated counter-based mask, to z.
    /// </summary>
    /// <param name="residual">The residual stream <c>[*, d]</c>.</param>
    /// <param name="z">The sub-layer output, same shape.</param>
    /// <param name="p">Dropout probability on z (0 for none); one seed is drawn when 0 &lt; p &lt; 1.</param>
    /// <param name="generator">Source of the dropout seed.</param>
    /// <param name="weight">Layer norm scale <c>[d]</c> or null.</param>
    /// <param name="bias">Layer norm shift <c>[d]</c> or null.</param>
    /// <param name="eps">Layer norm eps.</param>
    internal static Tensor AddDropoutLayerNorm(Tensor residual, Tensor z, float p, Random.Generator? generator, Tensor? weight, Tensor? bias, float eps)
    {
        int d = residual.Shape[-1];
        int rows = d == 0 ? 0 : residual.NumElements / d;
        bool dropout = p > 0f;
        ulong seed = dropout && p < 1f ? (generator ?? Random.Generator.Default).NextUInt64() : 0UL;
        uint threshold = Kernels.DropoutMask.Threshold(p);
        float scale = Kernels.DropoutMask.Scale(p);
        var rb = residual.Buffer;
        int ro = residual.Offset;
        var zb = z.Buffer;
        int zo = z.Offset;

        // Row r of residual + dropout(z); formed again in backward rather than kept (the same arithmetic, so the same bits).
        void SumRow(int r, Span<float> dst)
        {
            int at = r * d;
            if (dropout)
            {
                Kernels.DropoutMask.Apply(seed, at, threshold, scale, zb.AsSpan(zo + at, d), dst);
                Kernels.Elementwise.AddInPlace(dst, rb.AsSpan(ro + at, d));
            }
            else
            {
                TensorPrimitives.Add(zb.AsSpan(zo + at, d), rb.AsSpan(ro + at, d), dst);
            }
        }

        var y = Tensor.Uninitialized(residual.Shape);
        var yb = y.Buffer;
        var mean = new float[rows];
        var rstd = new float[rows];
        Kernels.WorkSplit.Dynamic(rows, 6L * d, (s, e) =>
        {
            var row = new float[d];
            ReadOnlySpan<float> w = weight is null ? default : weight.AsReadOnlySpan();
            ReadOnlySpan<float> b = bias is null ? default : bias.AsReadOnlySpan();
            for (int r = s; r < e; r++)
            {
                SumRow(r, row);
                (mean[r], rstd[r]) = Kernels.LayerNorm.RowForward(row, w, b, yb.AsSpan(r * d, d), eps);
            }
        });

        if (AutogradEngine.NeedsGrad(residual, z, weight, bias))
        {
            AutogradEngine.Record(y, "AddDropoutLayerNorm", [residual, z, weight, bias], g =>
            {
                var ds = Tensor.Uninitialized(residual.Shape); // gradient of the sum, which is the residual's
                var dz = z.RequiresGrad && dropout ? Tensor.Uninitialized(z.Shape) : null;
                var gb = g.Buffer;
                int go = g.Offset;
                var dsb = ds.Buffer;
                var dzb = dz?.Buffer;
                var (partialW, partialB, blocks) = NormParamPartials(rows, d, weight, bias);
                Kernels.WorkSplit.Dynamic(blocks, 8L * d * NormBlockRows, (s, e) =>
                {
                    var row = new float[d];
                    ReadOnlySpan<float> w = weight is null ? default : weight.AsReadOnlySpan();
                    for (int blk = s; blk < e; blk++)
                    {
                        var pw = partialW is null ? default : partialW.AsSpan(blk * d, d);
                        var pb = partialB is null ? default : partialB.AsSpan(blk * d, d);
                        int r1 = Math.Min(rows, (blk + 1) * NormBlockRows);
                        for (int r = blk * NormBlockRows; r < r1; r++)
                        {
                            SumRow(r, row);
                            var dsRow = dsb.AsSpan(r * d, d);
                            Kernels.LayerNorm.RowBackward(row, gb.AsSpan(go + (r * d), d), w, mean[r], rstd[r], dsRow, pw, pb);
                            if (dzb is not null)
                            {
                                Kernels.DropoutMask.Apply(seed, r * d, threshold, scale, dsRow, dzb.AsSpan(r * d, d));
                            }
                        }
                    }
                });

                AccumulateNormParams(partialW, partialB, blocks, d, weight, bias, new Shape(d));
                if (z.RequiresGrad)
                {
                    AutogradEngine.Accumulate(z, dz ?? ds);
                }

                AutogradEngine.Accumulate(residual, ds);
            });
        }

        return y;
    }

    /// <summary>
    /// <c>residual + dropout(z)</c> as one op, the pre-norm residual step of a transformer block: one pass, and a
    /// backward that hands the gradient to the residual as is and to z through the regenerated counter-based mask.
    /// </summary>
    /// <param name="residual">The residual stream.</param>
    /// <param name="z">The sub-layer output, same shape.</param>
    /// <param name="p">Dropout probability on z (0 for none); one seed is drawn when 0 &lt; p &lt; 1.</param>
    /// <param name="generator">Source of the dropout seed.</param>
    internal static Tensor AddDropout(Tensor residual, Tensor z, float p, Random.Generator? generator)
    {
        bool dropout = p > 0f;
        ulong seed = dropout && p < 1f ? (generator ?? Random.Generator.Default).NextUInt64() : 0UL;
        uint threshold = Kernels.DropoutMask.Threshold(p);
        float scale = Kernels.DropoutMask.Scale(p);
        var y = Tensor.Uninitialized(residual.Shape);
        var yb = y.Buffer;
        var rb = residual.Buffer;
        int ro = residual.Offset;
        var zb = z.Buffer;
        int zo = z.Offset;
        Kernels.Elementwise.ParallelChunks(y.NumElements, 3, (s, n) =>
        {
            var dst = yb.AsSpan(s, n);
            if (dropout)
            {
                Kernels.DropoutMask.Apply(seed, s, threshold, scale, zb.AsSpan(zo + s, n), dst);
                Kernels.Elementwise.AddInPlace(dst, rb.AsSpan(ro + s, n));
            }
            else
            {
                TensorPrimitives.Add(zb.AsSpan(zo + s, n), rb.AsSpan(ro + s, n), dst);
            }
        });

        if (AutogradEngine.NeedsGrad(residual, z))
        {
            AutogradEngine.Record(y, "AddDropout", [residual, z], g =>
            {
                if (z.RequiresGrad)
                {
                    var dz = g;
                    if (dropout)
                    {
                        dz = Tensor.Uninitialized(z.Shape);
                        var gb = g.Buffer;
                        int go = g.Offset;
                        var dzb = dz.Buffer;
                        Kernels.Elementwise.ParallelChunks(g.NumElements, 2, (s, n) => Kernels.DropoutMask.Apply(seed, s, threshold, scale, gb.AsSpan(go + s, n), dzb.AsSpan(s, n)));
                    }

                    AutogradEngine.Accumulate(z, dz);
                }

                AutogradEngine.Accumulate(residual, g);
            });
        }

        return y;
    }

    /// <summary>Normalises <paramref name="rows"/> rows of width d from xb[xo..] into yb[0..], saving each row's mean and rstd.</summary>
    private static void LayerNormRows(float[] xb, int xo, float[] yb, int rows, int d, Tensor? weight, Tensor? bias, float eps, float[] mean, float[] rstd)
    {
        Kernels.WorkSplit.Dynamic(rows, 4L * d, (s, e) =>
        {
            ReadOnlySpan<float> w = weight is null ? default : weight.AsReadOnlySpan();
            ReadOnlySpan<float> b = bias is null ? default : bias.AsReadOnlySpan();
            for (int r = s; r < e; r++)
            {
                (mean[r], rstd[r]) = Kernels.LayerNorm.RowForward(xb.AsSpan(xo + (r * d), d), w, b, yb.AsSpan(r * d, d), eps);
            }
        });
    }

    /// <summary>Rows per block of the layer-norm parameter-gradient sums (fixed, so the sums do not depend on the thread count).</summary>
    private const int NormBlockRows = 64;

    /// <summary>
    /// Layer norm backward over all rows: dx into dxb[0..], and the weight and bias gradients accumulated into their
    /// tensors when they require them.
    /// </summary>
    private static void LayerNormBackwardRows(float[] xb, int xo, float[] gb, int go, float[] dxb, int rows, int d, Tensor? weight, Tensor? bias,
        float[] mean, float[] rstd, Shape ns)
    {
        var (partialW, partialB, blocks) = NormParamPartials(rows, d, weight, bias);
        Kernels.WorkSplit.Dynamic(blocks, 6L * d * NormBlockRows, (s, e) =>
        {
            ReadOnlySpan<float> w = weight is null ? default : weight.AsReadOnlySpan();
            for (int blk = s; blk < e; blk++)
            {
                var pw = partialW is null ? default : partialW.AsSpan(blk * d, d);
                var pb = partialB is null ? default : partialB.AsSpan(blk * d, d);
                int r1 = Math.Min(rows, (blk + 1) * NormBlockRows);
                for (int r = blk * NormBlockRows; r < r1; r++)
                {
                    Kernels.LayerNorm.RowBackward(xb.AsSpan(xo + (r * d), d), gb.AsSpan(go + (r * d), d), w, mean[r], rstd[r], dxb.AsSpan(r * d, d), pw, pb);
                }
            }
        });

        AccumulateNormParams(partialW, partialB, blocks, d, weight, bias, ns);
    }

    /// <summary>Per-block accumulators [blocks, d] for the weight and bias gradients, or nulls when neither is needed.</summary>
    private static (float[]? W, float[]? B, int Blocks) NormParamPartials(int rows, int d, Tensor? weight, Tensor? bias)
    {
        int blocks = (rows + NormBlockRows - 1) / NormBlockRows;
        bool needParams = weight is { RequiresGrad: true } || bias is { RequiresGrad: true };
        return needParams ? (new float[blocks * d], new float[blocks * d], blocks) : (null, null, blocks);
    }

    /// <summary>Sums the per-block accumulators in block order, in double, and accumulates them into weight and bias.</summary>
    private static void AccumulateNormParams(float[]? partialW, float[]? partialB, int blocks, int d, Tensor? weight, Tensor? bias, Shape ns)
    {
        if (partialW is null || partialB is null)
        {
            return;
        }

        var dw = new double[d];
        var dbias = new double[d];
        for (int blk = 0; blk < blocks; blk++)
        {
            var pw = partialW.AsSpan(blk * d, d);
            var pb = partialB.AsSpan(blk * d, d);
            for (int i = 0; i < d; i++)
            {
                dw[i] += pw[i];
                dbias[i] += pb[i];
            }
        }

        if (weight is not null)
        {
            AutogradEngine.Accumulate(weight, FromDoubles(dw, ns));
        }

        if (bias is not null)
        {
            AutogradEngine.Accumulate(bias, FromDoubles(dbias, ns));
        }
    }

    /// <summary>
    /// Batch normalisation of <c>[N, C]</c> or <c>[N, C, L]</c> over all but the channel dim, as <c>F.batch_norm</c>.
    /// In training it normalises with the batch mean and biased variance and, when running statistics are given,
    /// updates them in place: running = (1 - momentum) * running + momentum * batch, with the unbiased variance.
    /// In evaluation it normalises with the running statistics.
    /// </summary>
    /// <param name="input">Input <c>[N, C]</c> or <c>[N, C, L]</c>.</param>
    /// <param name="runningMean">Running mean <c>[C]</c>, or null (then also <paramref name="runningVar"/>; training only).</param>
    /// <param name="runningVar">Running variance <c>[C]</c>, or null together with <paramref name="runningMean"/>.</param>
    /// <param name="weight">Optional per-channel scale <c>[C]</c> (default none: 1).</param>
    /// <param name="bias">Optional per-channel shift <c>[C]</c> (default none: 0).</param>
    /// <param name="training">Use batch statistics and update the running ones (default false).</param>
    /// <param name="momentum">Weight of the batch statistics in the running update (default 0.1; in [0, 1]).</param>
    /// <param name="eps">Added to the variance (default 1e-5; must be non-negative).</param>
    /// <exception cref="ArgumentException">The input is not rank 2 or 3, a statistic or parameter is not <c>[C]</c>,
    /// only one running statistic is given, evaluation has no running statistics, or training has one value per channel.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="momentum"/> or <paramref name="eps"/> is out of range.</exception>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, float momentum = 0.1f, float eps = 1e-5f)
    {
        const string Op = "BatchNorm";
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2 && input.Rank != 3)
        {
            throw new ArgumentException($"{Op}: input must be [N, C] or [N, C, L]; got {input.Shape}.", nameof(input));
        }

        int n = input.Shape[0], c = input.Shape[1], l = input.Rank == 3 ? input.Shape[2] : 1;
        var cs = new Shape(c);
        CheckParamShape(Op, nameof(runningMean), runningMean, cs);
        CheckParamShape(Op, nameof(runningVar), runningVar, cs);
        CheckParamShape(Op, nameof(weight), weight, cs);
        CheckParamShape(Op, nameof(bias), bias, cs);
        if ((runningMean is null) != (runningVar is null))
        {
            throw new ArgumentException($"{Op}: runningMean and runningVar must be given together.", runningMean is null ? nameof(runningMean) : nameof(runningVar));
        }

        if (!training && runningMean is null)
        {
            throw new ArgumentException($"{Op}: evaluation (training = false) needs runningMean and runningVar.", nameof(runningMean));
        }

        int m = n * l;
        if (training && m <= 1)
        {
            throw new ArgumentException($"{Op}: training needs more than one value per channel; got input {input.Shape}.", nameof(input));
        }

        if (!(momentum >= 0f && momentum <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), $"{Op}: momentum must be in [0, 1]; got {momentum.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (!(eps >= 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), $"{Op}: eps must be non-negative; got {eps.ToString(CultureInfo.InvariantCulture)}.");
        }

        var mean = new float[c];
        var rstd = new float[c];
        var unbiasedVar = new float[c];
        var xb = input.Buffer;
        int xo = input.Offset;
        if (training)
        {
            Engine.ParallelFor(c, 2L * m, (s, e) =>
            {
                for (int ch = s; ch < e; ch++)
                {
                    double sum = 0;
                    for (int i = 0; i < n; i++)
                    {
                        sum += Kernels.Elementwise.Sum(xb.AsSpan(xo + (((i * c) + ch) * l), l));
                    }

                    double mu = sum / m;
                    double ssq = 0;
                    for (int i = 0; i < n; i++)
                    {
                        var seg = xb.AsSpan(xo + (((i * c) + ch) * l), l);
                        for (int j = 0; j < seg.Length; j++)
                        {
                            double dev = seg[j] - mu;
                            ssq += dev * dev;
                        }
                    }

                    mean[ch] = (float)mu;
                    rstd[ch] = (float)(1.0 / Math.Sqrt((ssq / m) + eps));
                    unbiasedVar[ch] = (float)(ssq / (m - 1));
                }
            });
        }
        else
        {
            var rm = runningMean!.AsReadOnlySpan();
            var rv = runningVar!.AsReadOnlySpan();
            for (int ch = 0; ch < c; ch++)
            {
                mean[ch] = rm[ch];
                rstd[ch] = (float)(1.0 / Math.Sqrt(rv[ch] + (double)eps));
            }
        }

        // Centre before scaling: x * scale - mean * scale would cancel badly when |mean| >> std.
        var y = Tensor.Empty(input.Shape);
        var x = input.AsReadOnlySpan();
        var ys = y.Span;
        for (int i = 0; i < n; i++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                float scale = rstd[ch] * (weight is null ? 1f : weight.AsReadOnlySpan()[ch]);
                int at = ((i * c) + ch) * l;
                var seg = ys.Slice(at, l);
                TensorPrimitives.Subtract(x.Slice(at, l), mean[ch], seg);
                TensorPrimitives.Multiply(seg, scale, seg);
                if (bias is not null)
                {
                    TensorPrimitives.Add(seg, bias.AsReadOnlySpan()[ch], seg);
                }
            }
        }

        if (training && runningMean is not null)
        {
            var rm = runningMean.Span;
            var rv = runningVar!.Span;
            for (int ch = 0; ch < c; ch++)
            {
                rm[ch] = ((1f - momentum) * rm[ch]) + (momentum * mean[ch]);
                rv[ch] = ((1f - momentum) * rv[ch]) + (momentum * unbiasedVar[ch]);
            }
        }

        if (AutogradEngine.NeedsGrad(input, weight, bias))
        {
            AutogradEngine.Record(y, Op, [input, weight, bias], g =>
            {
                var xs = input.AsReadOnlySpan();
                var gs = g.AsReadOnlySpan();
                var sumG = new double[c];
                var sumGx = new double[c];
                for (int i = 0; i < n; i++)
                {
                    for (int ch = 0; ch < c; ch++)
                    {
                        int at = ((i * c) + ch) * l;
                        float mu = mean[ch], rs = rstd[ch];
                        for (int j = at; j < at + l; j++)
                        {
                            sumG[ch] += gs[j];
                            sumGx[ch] += gs[j] * ((xs[j] - mu) * rs);
                        }
                    }
                }

                if (input.RequiresGrad)
                {
                    // Training also differentiates through the batch statistics:
                    // dx = w rstd (g - mean(g) - xhat mean(g xhat)).
                    var dx = Tensor.Empty(input.Shape);
                    var d = dx.Span;
                    for (int i = 0; i < n; i++)
                    {
                        for (int ch = 0; ch < c; ch++)
                        {
                            int at = ((i * c) + ch) * l;
                            float mu = mean[ch], rs = rstd[ch];
                            float k = rs * (weight is null ? 1f : weight.AsReadOnlySpan()[ch]);
                            float mg = training ? (float)(sumG[ch] / m) : 0f;
                            float mgx = training ? (float)(sumGx[ch] / m) : 0f;
                            for (int j = at; j < at + l; j++)
                            {
                                d[j] = k * (gs[j] - mg - ((xs[j] - mu) * rs * mgx));
                            }
                        }
                    }

                    AutogradEngine.Accumulate(input, dx);
                }

                if (weight is not null)
                {
                    AutogradEngine.Accumulate(weight, FromDoubles(sumGx, cs));
                }

                if (bias is not null)
                {
                    AutogradEngine.Accumulate(bias, FromDoubles(sumG, cs));
                }
            });
        }

        return y;
    }

    /// <summary>
    /// Inverted dropout, as <c>F.dropout</c>: in training each element is zeroed with probability <paramref name="p"/>
    /// and the survivors are scaled by 1/(1-p), so the expectation is unchanged; the gradient is the same mask.
    /// With <paramref name="training"/> false or p = 0 the input itself is returned; p = 1 gives zeros.
    /// </summary>
    /// <param name="input">The input.</param>
    /// <param name="p">Probability of zeroing an element (default 0.5; in [0, 1]).</param>
    /// <param name="training">Apply dropout (default true, as <c>F.dropout</c>).</param>
    /// <param name="generator">Source of the mask (default <see cref="Random.Generator.Default"/>). One 64-bit draw per
    /// call (none when p is 0 or 1) seeds a counter-based mask: element i's fate depends only on that draw and i, so the
    /// mask is the same for any thread count.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1] or NaN.</exception>
    public static Tensor Dropout(Tensor input, float p = 0.5f, bool training = true, Random.Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!(p >= 0f && p <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p must be in [0, 1]; got {p.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (!training || p == 0f)
        {
            return input;
        }

        ulong seed = p < 1f ? (generator ?? Random.Generator.Default).NextUInt64() : 0UL;
        uint threshold = Kernels.DropoutMask.Threshold(p);
        float scale = Kernels.DropoutMask.Scale(p);
        var y = Tensor.Uninitialized(input.Shape);
        ApplyDropout(seed, threshold, scale, input, y);
        if (AutogradEngine.NeedsGrad(input))
        {
            AutogradEngine.Record(y, "Dropout", [input], g =>
            {
                var dx = Tensor.Uninitialized(input.Shape);
                ApplyDropout(seed, threshold, scale, g, dx);
                AutogradEngine.Accumulate(input, dx);
            });
        }

        return y;
    }

    /// <summary>dst = src * mask(seed), split over threads (the mask does not depend on the split).</summary>
    private static void ApplyDropout(ulong seed, uint threshold, float scale, Tensor src, Tensor dst)
    {
        var sb = src.Buffer;
        int so = src.Offset;
        var db = dst.Buffer;
        int dOff = dst.Offset;
        Kernels.Elementwise.ParallelChunks(src.NumElements, 4, (s, n) =>
            Kernels.DropoutMask.Apply(seed, s, threshold, scale, sb.AsSpan(so + s, n), db.AsSpan(dOff + s, n)));
    }

    private static void CheckParamShape(string op, string name, Tensor? t, Shape expected)
    {
        if (t is not null && t.Shape != expected)
        {
            throw new ArgumentException($"{op}: {name} must have shape {expected}; got {t.Shape}.", name);
        }
    }

    private static Tensor FromDoubles(double[] values, Shape shape)
    {
        var t = Tensor.Empty(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = (float)values[i];
        }

        return t;
    }
}
