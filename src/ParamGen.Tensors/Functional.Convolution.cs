using System.Numerics.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

// Owner: sequence ops.
public static partial class Functional
{
    /// <summary>
    /// 1-D convolution (cross-correlation) of <c>[B, Cin, L]</c> with <c>weight [Cout, Cin/groups, K]</c>, as <c>F.conv1d</c>;
    /// <paramref name="padding"/> zeros on both sides. Computed as im2col + one GEMM per group, the column matrix
    /// kept for backward.
    /// </summary>
    /// <param name="input">Input <c>[B, Cin, L]</c>.</param>
    /// <param name="weight">Filters <c>[Cout, Cin/groups, K]</c>.</param>
    /// <param name="bias">Bias <c>[Cout]</c>, or null (the default) for none.</param>
    /// <param name="stride">Step between output positions; 1 by default.</param>
    /// <param name="padding">Zeros added on each side of the input; 0 by default.</param>
    /// <param name="dilation">Spacing between kernel taps; 1 by default.</param>
    /// <param name="groups">Number of channel groups (Cin and Cout must both be multiples); 1 by default.</param>
    /// <returns>The output <c>[B, Cout, Lout]</c> with Lout = (L + 2 padding - dilation (K - 1) - 1) / stride + 1.</returns>
    /// <exception cref="ArgumentException">The shapes do not fit, or the output would be empty; the message names the shapes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">stride, dilation or groups is below 1, or padding is negative.</exception>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
    {
        return Conv1dCore("Conv1d", input, weight, bias, stride, padding, padding, dilation, groups);
    }

    /// <summary>
    /// Causal 1-D convolution: left-pads by (K-1)·dilation so output position t sees inputs ≤ t only, and the
    /// output length equals the input length (stride 1), as in WaveNet/NextItNet. One op (the padding is not materialised).
    /// </summary>
    /// <param name="input">Input <c>[B, Cin, L]</c>.</param>
    /// <param name="weight">Filters <c>[Cout, Cin, K]</c>.</param>
    /// <param name="bias">Bias <c>[Cout]</c>, or null (the default) for none.</param>
    /// <param name="dilation">Spacing between kernel taps; 1 by default.</param>
    /// <returns>The output <c>[B, Cout, L]</c>.</returns>
    /// <exception cref="ArgumentException">The shapes do not fit; the message names them.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dilation"/> is below 1.</exception>
    public static Tensor CausalConv1d(Tensor input, Tensor weight, Tensor? bias = null, int dilation = 1)
    {
        int k = weight.Rank == 3 ? weight.Shape[2] : 1;
        return Conv1dCore("CausalConv1d", input, weight, bias, 1, (k - 1) * dilation, 0, dilation, 1);
    }

    /// <summary>Zero-pads the last dimension by <paramref name="left"/> and <paramref name="right"/> elements, as <c>F.pad(x, (left, right))</c>.</summary>
    /// <param name="input">Input of rank at least 1.</param>
    /// <param name="left">Zeros before the first element (non-negative).</param>
    /// <param name="right">Zeros after the last element (non-negative).</param>
    /// <returns>The padded tensor, last dimension L + left + right.</returns>
    /// <exception cref="ArgumentException"><paramref name="input"/> is a scalar.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A pad is negative.</exception>
    public static Tensor Pad1d(Tensor input, int left, int right)
    {
        if (input.Rank == 0)
        {
            throw new ArgumentException($"Pad1d needs a tensor of rank >= 1; got shape {input.Shape}.", nameof(input));
        }

        if (left < 0 || right < 0)
        {
            throw new ArgumentOutOfRangeException(left < 0 ? nameof(left) : nameof(right), $"Pad1d: pads ({left}, {right}) must be non-negative.");
        }

        int len = input.Shape[-1];
        int outLen = len + left + right;
        int rows = input.Shape.Product(0, input.Rank - 1);
        var dims = input.Shape.ToArray();
        dims[^1] = outLen;
        var y = Tensor.Empty(new Shape(dims));
        var xs = input.AsReadOnlySpan();
        var ys = y.Span;
        for (int r = 0; r < rows; r++)
        {
            xs.Slice(r * len, len).CopyTo(ys.Slice((r * outLen) + left, len));
        }

        if (AutogradEngine.NeedsGrad(input))
        {
            AutogradEngine.Record(y, "Pad1d", [input], g =>
            {
                var dx = Tensor.Empty(input.Shape);
                var gs = g.AsReadOnlySpan();
                var ds = dx.Span;
                for (int r = 0; r < rows; r++)
                {
                    gs.Slice((r * outLen) + left, len).CopyTo(ds.Slice(r * len, len));
                }

                AutogradEngine.Accumulate(input, dx);
            });
        }

        return y;
    }

    /// <summary>
    /// Max pooling over the last dim of <c>[B, C, L]</c> (or <c>[C, L]</c>), as <c>F.max_pool1d</c>; padding counts as -inf.
    /// The gradient goes to the arg-max of each window (the first one on ties).
    /// </summary>
    /// <param name="input">Input <c>[B, C, L]</c> or <c>[C, L]</c>.</param>
    /// <param name="kernelSize">Window length (at least 1).</param>
    /// <param name="stride">Step between windows; the kernel size when null (the default).</param>
    /// <param name="padding">Implicit -inf padding on both sides, at most half the kernel size; 0 by default.</param>
    /// <returns>The pooled tensor, last dimension (L + 2 padding - kernelSize) / stride + 1.</returns>
    /// <exception cref="ArgumentException">The input rank is not 2 or 3, or the output would be empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">kernelSize or stride is below 1, or padding is negative or above kernelSize / 2.</exception>
    public static Tensor MaxPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0)
    {
        int s = stride ?? kernelSize;
        int lOut = ValidatePool("MaxPool1d", input, kernelSize, s, padding);
        int len = input.Shape[-1];
        int rows = input.NumElements / Math.Max(len, 1);
        var dims = input.Shape.ToArray();
        dims[^1] = lOut;
        var y = Tensor.Empty(new Shape(dims));
        var arg = new int[rows * lOut];
        Engine.ParallelFor(rows, (long)lOut * kernelSize, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                Pool1d.MaxRow(input.AsReadOnlySpan().Slice(r * len, len), y.Span.Slice(r * lOut, lOut), arg.AsSpan(r * lOut, lOut), kernelSize, s, padding);
            }
        });

        if (AutogradEngine.NeedsGrad(input))
        {
            AutogradEngine.Record(y, "MaxPool1d", [input], g =>
            {
                var dx = Tensor.Empty(input.Shape);
                var gs = g.AsReadOnlySpan();
                var ds = dx.Span;
                for (int r = 0; r < rows; r++)
                {
                    for (int o = 0; o < lOut; o++)
                    {
                        ds[(r * len) + arg[(r * lOut) + o]] += gs[(r * lOut) + o];
                    }
                }

                AutogradEngine.Accumulate(input, dx);
            });
        }

        return y;
    }

    /// <summary>
    /// Average pooling over the last dim of <c>[B, C, L]</c> (or <c>[C, L]</c>), as <c>F.avg_pool1d</c> with its defaults:
    /// zero padding counted, so every window divides by the kernel size (<c>count_include_pad=True</c>).
    /// </summary>
    /// <param name="input">Input <c>[B, C, L]</c> or <c>[C, L]</c>.</param>
    /// <param name="kernelSize">Window length (at least 1).</param>
    /// <param name="stride">Step between windows; the kernel size when null (the default).</param>
    /// <param name="padding">Implicit zero padding on both sides, at most half the kernel size; 0 by default.</param>
    /// <returns>The pooled tensor, last dimension (L + 2 padding - kernelSize) / stride + 1.</returns>
    /// <exception cref="ArgumentException">The input rank is not 2 or 3, or the output would be empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">kernelSize or stride is below 1, or padding is negative or above kernelSize / 2.</exception>
    public static Tensor AvgPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0)
    {
        int s = stride ?? kernelSize;
        int lOut = ValidatePool("AvgPool1d", input, kernelSize, s, padding);
        int len = input.Shape[-1];
        int rows = input.NumElements / Math.Max(len, 1);
        var dims = input.Shape.ToArray();
        dims[^1] = lOut;
        var y = Tensor.Empty(new Shape(dims));
        Engine.ParallelFor(rows, (long)lOut * kernelSize, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                Pool1d.AvgRow(input.AsReadOnlySpan().Slice(r * len, len), y.Span.Slice(r * lOut, lOut), kernelSize, s, padding);
            }
        });

        if (AutogradEngine.NeedsGrad(input))
        {
            AutogradEngine.Record(y, "AvgPool1d", [input], g =>
            {
                var dx = Tensor.Empty(input.Shape);
                for (int r = 0; r < rows; r++)
                {
                    Pool1d.AvgRowBackward(g.AsReadOnlySpan().Slice(r * lOut, lOut), dx.Span.Slice(r * len, len), kernelSize, s, padding);
                }

                AutogradEngine.Accumulate(input, dx);
            });
        }

        return y;
    }

    private static int ValidatePool(string op, Tensor input, int kernelSize, int stride, int padding)
    {
        if (input.Rank is not (2 or 3))
        {
            throw new ArgumentException($"{op}: input {input.Shape} must be [B, C, L] or [C, L].", nameof(input));
        }

        if (kernelSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"{op}: kernelSize {kernelSize} must be at least 1.");
        }

        if (stride < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), $"{op}: stride {stride} must be at least 1.");
        }

        if (padding < 0 || padding > kernelSize / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(padding), $"{op}: padding {padding} must be between 0 and half the kernel size {kernelSize}.");
        }

        int span = input.Shape[-1] + (2 * padding) - kernelSize;
        if (span < 0)
        {
            throw new ArgumentException($"{op}: input {input.Shape} padded by {padding} is shorter than the kernel size {kernelSize}.", nameof(input));
        }

        return (span / stride) + 1;
    }

    /// <summary>
    /// Conv1d with separate left and right zero padding (CausalConv1d pads the left only). The column matrix
    /// <c>[Cin*K, B*Lout]</c> is shared by every group's GEMM and kept for the weight gradient.
    /// </summary>
    private static Tensor Conv1dCore(string op, Tensor input, Tensor weight, Tensor? bias, int stride, int padLeft, int padRight, int dilation, int groups)
    {
        int lOut = ValidateConv1d(op, input, weight, bias, stride, padLeft, padRight, dilation, groups);
        int b = input.Shape[0], cin = input.Shape[1], len = input.Shape[2];
        int cout = weight.Shape[0], cg = weight.Shape[1], k = weight.Shape[2];
        int coutg = cout / groups, cgk = cg * k, n = b * lOut;

        var col = new float[cin * k * n]; // [Cin*K, B*Lout]
        Engine.ParallelFor(cin, (long)k * n, (c0, c1) =>
            Im2Col.Unfold(input.AsReadOnlySpan(), col, b, cin, len, k, lOut, stride, padLeft, dilation, c0, c1));

        // Each group: [Cout/g, Cin/g*K] x [Cin/g*K, B*Lout], stacked into [Cout, B*Lout].
        var yFlat = new float[cout * n];
        for (int g = 0; g < groups; g++)
        {
            Gemm.Sgemm(false, false, coutg, n, cgk, 1f, weight.Buffer, weight.Offset + (g * coutg * cgk), cgk, col, g * cgk * n, n, 0f, yFlat, g * coutg * n, n);
        }

        var y = Tensor.Empty(new Shape(b, cout, lOut)); // [B, Cout, Lout]
        var ys = y.Span;
        var bs = bias is null ? default : bias.AsReadOnlySpan();
        for (int c = 0; c < cout; c++)
        {
            for (int i = 0; i < b; i++)
            {
                var dst = ys.Slice(((i * cout) + c) * lOut, lOut);
                var src = yFlat.AsSpan((c * n) + (i * lOut), lOut);
                if (bias is null)
                {
                    src.CopyTo(dst);
                }
                else
                {
                    TensorPrimitives.Add(src, bs[c], dst);
                }
            }
        }

        if (AutogradEngine.NeedsGrad(input, weight, bias))
        {
            AutogradEngine.Record(y, op, [input, weight, bias], grad =>
            {
                var dy = new float[cout * n]; // [Cout, B*Lout], the layout of the GEMM outputs
                var gs = grad.AsReadOnlySpan();
                for (int i = 0; i < b; i++)
                {
                    for (int c = 0; c < cout; c++)
                    {
                        gs.Slice(((i * cout) + c) * lOut, lOut).CopyTo(dy.AsSpan((c * n) + (i * lOut), lOut));
                    }
                }

                if (weight.RequiresGrad)
                {
                    var dw = Tensor.Empty(weight.Shape); // [Cout, Cin/g, K] = dY_g col_g^T per group
                    for (int g = 0; g < groups; g++)
                    {
                        Gemm.Sgemm(false, true, coutg, cgk, n, 1f, dy, g * coutg * n, n, col, g * cgk * n, n, 0f, dw.Buffer, g * coutg * cgk, cgk);
                    }

                    AutogradEngine.Accumulate(weight, dw);
                }

                if (bias is not null && bias.RequiresGrad)
                {
                    var db = Tensor.Empty(bias.Shape);
                    for (int c = 0; c < cout; c++)
                    {
                        db.Buffer[c] = Elementwise.Sum(dy.AsSpan(c * n, n));
                    }

                    AutogradEngine.Accumulate(bias, db);
                }

                if (input.RequiresGrad)
                {
                    var dcol = new float[cin * k * n]; // [Cin*K, B*Lout] = W_g^T dY_g per group
                    for (int g = 0; g < groups; g++)
                    {
                        Gemm.Sgemm(true, false, cgk, n, coutg, 1f, weight.Buffer, weight.Offset + (g * coutg * cgk), cgk, dy, g * coutg * n, n, 0f, dcol, g * cgk * n, n);
                    }

                    var dx = Tensor.Empty(input.Shape);
                    Engine.ParallelFor(b * cin, (long)k * lOut, (r0, r1) =>
                        Im2Col.Fold(dcol, dx.Span, b, cin, len, k, lOut, stride, padLeft, dilation, r0, r1));
                    AutogradEngine.Accumulate(input, dx);
                }
            });
        }

        return y;
    }

    private static int ValidateConv1d(string op, Tensor input, Tensor weight, Tensor? bias, int stride, int padLeft, int padRight, int dilation, int groups)
    {
        if (stride < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), $"{op}: stride {stride} must be at least 1.");
        }

        if (dilation < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dilation), $"{op}: dilation {dilation} must be at least 1.");
        }

        if (groups < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(groups), $"{op}: groups {groups} must be at least 1.");
        }

        if (padLeft < 0 || padRight < 0)
        {
            throw new ArgumentOutOfRangeException("padding", $"{op}: padding ({padLeft}, {padRight}) must be non-negative.");
        }

        if (input.Rank != 3)
        {
            throw new ArgumentException($"{op}: input {input.Shape} must be [B, Cin, L].", nameof(input));
        }

        if (weight.Rank != 3 || weight.Shape[2] < 1)
        {
            throw new ArgumentException($"{op}: weight {weight.Shape} must be [Cout, Cin/groups, K] with K >= 1.", nameof(weight));
        }

        int cin = input.Shape[1], cout = weight.Shape[0];
        if (cin % groups != 0 || cout % groups != 0 || weight.Shape[1] * groups != cin)
        {
            throw new ArgumentException($"{op}: input {input.Shape} and weight {weight.Shape} do not fit groups={groups} (need Cin={cin} and Cout={cout} divisible by groups and weight [Cout, Cin/groups={cin / groups}, K]).", nameof(weight));
        }

        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != cout))
        {
            throw new ArgumentException($"{op}: bias {bias.Shape} must be [{cout}] ([Cout]).", nameof(bias));
        }

        long span = (long)input.Shape[2] + padLeft + padRight - ((long)dilation * (weight.Shape[2] - 1)) - 1;
        if (span < 0)
        {
            throw new ArgumentException($"{op}: input {input.Shape} with padding ({padLeft}, {padRight}) is shorter than the dilated kernel of weight {weight.Shape} (dilation {dilation}).", nameof(input));
        }

        return (int)(span / stride) + 1;
    }
}
