using System.Buffers;
using System.Globalization;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

// Owner: reductions, normalisation, losses.
public static partial class Functional
{
    /// <summary>
    /// Cross-entropy between logits <c>[N, C]</c> (or <c>[*, C]</c>: the class dimension is always the last, unlike
    /// PyTorch's <c>[N, C, d...]</c>) and integer class targets <c>[N]</c> (or <c>[*]</c>), as <c>F.cross_entropy</c>.
    /// Log-softmax and the negative log-likelihood are fused per row and only each row's log-sum-exp is kept (two floats);
    /// the backward writes softmax - one-hot straight into the gradient, the one <c>[N, C]</c> buffer it allocates.
    /// </summary>
    /// <param name="logits">Unnormalised scores <c>[*, C]</c>.</param>
    /// <param name="target">Class indices <c>[*]</c>, integers stored as float.</param>
    /// <param name="ignoreIndex">Targets equal to this (default -100; may lie inside [0, C), e.g. a padding id)
    /// contribute nothing, and the mean is over the other targets (NaN when all are ignored, as PyTorch).</param>
    /// <param name="reduction">None (one loss per target, 0 where ignored), Mean (default) or Sum.</param>
    /// <param name="labelSmoothing">Mixes the one-hot target with the uniform distribution, as PyTorch's
    /// <c>label_smoothing</c>: loss = (1 - s) * nll + s * (-sum_c log p_c) / C. Default 0.</param>
    /// <exception cref="ArgumentException">Shapes disagree, or a target is not an integer, or is outside [0, C)
    /// and not ignored; the message names its position and value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1], or
    /// <paramref name="reduction"/> is unknown.</exception>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, int ignoreIndex = -100, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f)
    {
        const string Op = "CrossEntropy";
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(target);
        CheckReduction(Op, reduction);
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"{Op}: labelSmoothing must be in [0, 1]; got {labelSmoothing.ToString(CultureInfo.InvariantCulture)}.");
        }

        int classes = CheckClassShapes(Op, logits, target);
        var targets = ClassTargets(Op, target, classes, ignoreIndex, out int count);
        int rows = targets.Length;
        var max = new float[rows];
        var logSum = new float[rows];
        var loss = new float[rows];
        var xb = logits.Buffer;
        int xo = logits.Offset;
        Engine.ParallelFor(rows, 4L * classes, (s, e) =>
        {
            var scratch = ArrayPool<float>.Shared.Rent(Math.Max(classes, 1));
            try
            {
                for (int r = s; r < e; r++)
                {
                    int t = targets[r];
                    if (t < 0)
                    {
                        continue;
                    }

                    var row = xb.AsSpan(xo + (r * classes), classes);
                    (max[r], logSum[r]) = Kernels.CrossEntropy.LogSumExp(row, scratch);
                    loss[r] = (float)Kernels.CrossEntropy.RowLoss(row, t, max[r], logSum[r], labelSmoothing);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        });

        var y = ReduceLoss(loss, target.Shape, reduction, count);
        if (AutogradEngine.NeedsGrad(logits))
        {
            AutogradEngine.Record(y, Op, [logits], g =>
            {
                var dx = Tensor.Empty(logits.Shape); // [*, C]
                var db = dx.Buffer;
                var gb = g.Buffer;
                int go = g.Offset;
                float scalar = UpstreamScale(g, reduction, count);
                Engine.ParallelFor(rows, 3L * classes, (s, e) =>
                {
                    for (int r = s; r < e; r++)
                    {
                        int t = targets[r];
                        if (t < 0)
                        {
                            continue;
                        }

                        float scale = reduction == Reduction.None ? gb[go + r] : scalar;
                        Kernels.CrossEntropy.RowGrad(xb.AsSpan(xo + (r * classes), classes), t, max[r], logSum[r], scale, labelSmoothing, db.AsSpan(r * classes, classes));
                    }
                });

                AutogradEngine.Accumulate(logits, dx);
            });
        }

        return y;
    }

    /// <summary>
    /// Negative log-likelihood of log-probabilities <c>[N, C]</c> (or <c>[*, C]</c>, classes last) at integer
    /// targets <c>[N]</c> (or <c>[*]</c>), as <c>F.nll_loss</c>: the loss of a row is -logProbs[row, target].
    /// </summary>
    /// <param name="logProbs">Log-probabilities <c>[*, C]</c>, e.g. from <see cref="LogSoftmax"/>.</param>
    /// <param name="target">Class indices <c>[*]</c>, integers stored as float.</param>
    /// <param name="ignoreIndex">Targets equal to this (default -100) contribute nothing; the mean is over the others.</param>
    /// <param name="reduction">None, Mean (default) or Sum.</param>
    /// <exception cref="ArgumentException">Shapes disagree, or a target is not an integer, or is outside [0, C)
    /// and not ignored; the message names its position and value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is unknown.</exception>
    public static Tensor NllLoss(Tensor logProbs, Tensor target, int ignoreIndex = -100, Reduction reduction = Reduction.Mean)
    {
        const string Op = "NllLoss";
        ArgumentNullException.ThrowIfNull(logProbs);
        ArgumentNullException.ThrowIfNull(target);
        CheckReduction(Op, reduction);
        int classes = CheckClassShapes(Op, logProbs, target);
        var targets = ClassTargets(Op, target, classes, ignoreIndex, out int count);
        var x = logProbs.AsReadOnlySpan();
        var loss = new float[targets.Length];
        for (int r = 0; r < targets.Length; r++)
        {
            if (targets[r] >= 0)
            {
                loss[r] = -x[(r * classes) + targets[r]];
            }
        }

        var y = ReduceLoss(loss, target.Shape, reduction, count);
        if (AutogradEngine.NeedsGrad(logProbs))
        {
            AutogradEngine.Record(y, Op, [logProbs], g =>
            {
                var dx = Tensor.Empty(logProbs.Shape);
                var d = dx.Span;
                var gs = g.AsReadOnlySpan();
                float scalar = UpstreamScale(g, reduction, count);
                for (int r = 0; r < targets.Length; r++)
                {
                    if (targets[r] >= 0)
                    {
                        d[(r * classes) + targets[r]] = -(reduction == Reduction.None ? gs[r] : scalar);
                    }
                }

                AutogradEngine.Accumulate(logProbs, dx);
            });
        }

        return y;
    }

    /// <summary>
    /// Binary cross-entropy on logits, as <c>F.binary_cross_entropy_with_logits</c>, in the stable form
    /// loss = w * ((1 - y) x + (1 + (pw - 1) y) softplus(-x)), which never takes the log of a sigmoid.
    /// Gradients flow to the logits, the targets, and the weights when they require them.
    /// </summary>
    /// <param name="logits">Scores x of any shape.</param>
    /// <param name="target">Targets y in [0, 1], same shape as <paramref name="logits"/>.</param>
    /// <param name="weight">Optional per-element rescaling w that broadcasts to the logits' shape (default none).</param>
    /// <param name="posWeight">Optional weight pw of positive examples, broadcast over the logits (e.g. one per
    /// class along the last dim; default none).</param>
    /// <param name="reduction">None, Mean (default) or Sum.</param>
    /// <exception cref="ArgumentException">The target's shape differs from the logits', or a weight does not broadcast to it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is unknown.</exception>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor? weight = null, Tensor? posWeight = null, Reduction reduction = Reduction.Mean)
    {
        const string Op = "BinaryCrossEntropyWithLogits";
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(target);
        CheckReduction(Op, reduction);
        CheckSameShape(Op, logits, target);
        CheckBroadcastsTo(Op, nameof(weight), weight, logits.Shape);
        CheckBroadcastsTo(Op, nameof(posWeight), posWeight, logits.Shape);
        var w = ExpandedConstant(weight, logits.Shape);
        var pw = ExpandedConstant(posWeight, logits.Shape);

        var x = logits.AsReadOnlySpan();
        var t = target.AsReadOnlySpan();
        var loss = new float[x.Length];
        for (int i = 0; i < loss.Length; i++)
        {
            double sp = SoftplusNeg(x[i]);
            double lw = pw is null ? 1.0 : 1.0 + ((pw[i] - 1.0) * t[i]);
            double l = ((1.0 - t[i]) * x[i]) + (lw * sp);
            loss[i] = (float)(w is null ? l : w[i] * l);
        }

        var y = ReduceLoss(loss, logits.Shape, reduction, loss.Length);
        if (AutogradEngine.NeedsGrad(logits, target, weight, posWeight))
        {
            AutogradEngine.Record(y, Op, [logits, target, weight, posWeight], g =>
            {
                var xs = logits.AsReadOnlySpan();
                var ts = target.AsReadOnlySpan();
                var gs = g.AsReadOnlySpan();
                float scalar = UpstreamScale(g, reduction, xs.Length);
                var dx = logits.RequiresGrad ? Tensor.Empty(logits.Shape) : null;
                var dt = target.RequiresGrad ? Tensor.Empty(logits.Shape) : null;
                var dw = weight is { RequiresGrad: true } ? Tensor.Empty(logits.Shape) : null;
                var dpw = posWeight is { RequiresGrad: true } ? Tensor.Empty(logits.Shape) : null;
                for (int i = 0; i < xs.Length; i++)
                {
                    double s = reduction == Reduction.None ? gs[i] : scalar;
                    double xi = xs[i], ti = ts[i];
                    double wi = w is null ? 1.0 : w[i];
                    double pwi = pw is null ? 1.0 : pw[i];
                    double sp = SoftplusNeg(xs[i]);
                    double lw = 1.0 + ((pwi - 1.0) * ti);
                    if (dx is not null)
                    {
                        // d softplus(-x)/dx = -sigmoid(-x)
                        double sigNeg = xi >= 0 ? Math.Exp(-xi) / (1.0 + Math.Exp(-xi)) : 1.0 / (1.0 + Math.Exp(xi));
                        dx.Span[i] = (float)(s * wi * ((1.0 - ti) - (lw * sigNeg)));
                    }

                    if (dt is not null)
                    {
                        dt.Span[i] = (float)(s * wi * (((pwi - 1.0) * sp) - xi));
                    }

                    if (dw is not null)
                    {
                        dw.Span[i] = (float)(s * (((1.0 - ti) * xi) + (lw * sp)));
                    }

                    if (dpw is not null)
                    {
                        dpw.Span[i] = (float)(s * wi * ti * sp);
                    }
                }

                if (dx is not null)
                {
                    AutogradEngine.Accumulate(logits, dx);
                }

                if (dt is not null)
                {
                    AutogradEngine.Accumulate(target, dt);
                }

                if (dw is not null)
                {
                    AutogradEngine.Accumulate(weight!, dw);
                }

                if (dpw is not null)
                {
                    AutogradEngine.Accumulate(posWeight!, dpw);
                }
            });
        }

        return y;
    }

    /// <summary>Mean squared error (x - y)^2, as <c>F.mse_loss</c>. Gradients flow to both operands.</summary>
    /// <param name="input">Predictions.</param>
    /// <param name="target">Targets of the same shape (no broadcasting: PyTorch only warns, which hides bugs).</param>
    /// <param name="reduction">None, Mean (default) or Sum.</param>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is unknown.</exception>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string Op = "MseLoss";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        CheckReduction(Op, reduction);
        CheckSameShape(Op, input, target);
        var x = input.AsReadOnlySpan();
        var t = target.AsReadOnlySpan();
        var loss = new float[x.Length];
        for (int i = 0; i < loss.Length; i++)
        {
            float d = x[i] - t[i];
            loss[i] = d * d;
        }

        var y = ReduceLoss(loss, input.Shape, reduction, loss.Length);
        if (AutogradEngine.NeedsGrad(input, target))
        {
            AutogradEngine.Record(y, Op, [input, target], g =>
            {
                var xs = input.AsReadOnlySpan();
                var ts = target.AsReadOnlySpan();
                var gs = g.AsReadOnlySpan();
                float scalar = UpstreamScale(g, reduction, xs.Length);
                var dx = Tensor.Empty(input.Shape);
                var d = dx.Span;
                for (int i = 0; i < d.Length; i++)
                {
                    d[i] = 2f * (reduction == Reduction.None ? gs[i] : scalar) * (xs[i] - ts[i]);
                }

                AutogradEngine.Accumulate(input, dx);
                if (target.RequiresGrad)
                {
                    AutogradEngine.Accumulate(target, dx.Neg());
                }
            });
        }

        return y;
    }

    /// <summary>
    /// KL divergence with <paramref name="input"/> as log-probabilities, as <c>F.kl_div</c>: pointwise
    /// target * (log target - input) (0 where target is 0), or exp(target) * (target - input) when
    /// <paramref name="logTarget"/>. With <paramref name="batchMean"/> (default true) the sum is divided by the
    /// batch size (PyTorch's <c>'batchmean'</c>, the true KL); otherwise the mean over all elements is taken
    /// (PyTorch's <c>'mean'</c>). Gradients flow to both operands.
    /// </summary>
    /// <param name="input">Log-probabilities.</param>
    /// <param name="target">Probabilities (or log-probabilities when <paramref name="logTarget"/>), same shape.</param>
    /// <param name="batchMean">Divide the sum by the size of dim 0 (default true) instead of taking the elementwise mean.</param>
    /// <param name="logTarget">The target is given as log-probabilities (default false).</param>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Tensor KlDiv(Tensor input, Tensor target, bool batchMean = true, bool logTarget = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        double divisor = input.Rank == 0 ? 1 : input.Shape[0];
        return KlDivCore(input, target, batchMean ? Reduction.Sum : Reduction.Mean, batchMean ? divisor : input.NumElements, logTarget);
    }

    /// <summary>
    /// KL divergence as <see cref="KlDiv(Tensor, Tensor, bool, bool)"/> with an explicit reduction:
    /// None (pointwise), Mean (over all elements) or Sum.
    /// </summary>
    /// <param name="input">Log-probabilities.</param>
    /// <param name="target">Probabilities (or log-probabilities when <paramref name="logTarget"/>), same shape.</param>
    /// <param name="reduction">None, Mean or Sum.</param>
    /// <param name="logTarget">The target is given as log-probabilities (default false).</param>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is unknown.</exception>
    public static Tensor KlDiv(Tensor input, Tensor target, Reduction reduction, bool logTarget = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        return KlDivCore(input, target, reduction, reduction == Reduction.Mean ? input.NumElements : 1, logTarget);
    }

    /// <summary>KL divergence; the result of Mean and Sum is the sum divided by <paramref name="divisor"/>.</summary>
    private static Tensor KlDivCore(Tensor input, Tensor target, Reduction reduction, double divisor, bool logTarget)
    {
        const string Op = "KlDiv";
        ArgumentNullException.ThrowIfNull(target);
        CheckReduction(Op, reduction);
        CheckSameShape(Op, input, target);
        var x = input.AsReadOnlySpan();
        var t = target.AsReadOnlySpan();
        var loss = new float[x.Length];
        for (int i = 0; i < loss.Length; i++)
        {
            double ti = t[i];
            loss[i] = logTarget
                ? (float)(Math.Exp(ti) * (ti - x[i]))
                : (float)((ti == 0 ? 0.0 : ti * Math.Log(ti)) - (ti * x[i]));
        }

        var y = ReduceLoss(loss, input.Shape, reduction == Reduction.None ? Reduction.None : Reduction.Mean, divisor);
        if (AutogradEngine.NeedsGrad(input, target))
        {
            AutogradEngine.Record(y, Op, [input, target], g =>
            {
                var xs = input.AsReadOnlySpan();
                var ts = target.AsReadOnlySpan();
                var gs = g.AsReadOnlySpan();
                float scalar = reduction == Reduction.None ? 0f : (float)(g.Item() / divisor);
                var dx = input.RequiresGrad ? Tensor.Empty(input.Shape) : null;
                var dt = target.RequiresGrad ? Tensor.Empty(input.Shape) : null;
                for (int i = 0; i < xs.Length; i++)
                {
                    double s = reduction == Reduction.None ? gs[i] : scalar;
                    double ti = ts[i];
                    double p = logTarget ? Math.Exp(ti) : ti;
                    if (dx is not null)
                    {
                        dx.Span[i] = (float)(-s * p);
                    }

                    if (dt is not null)
                    {
                        // d/dt [t log t - t x] = log t + 1 - x;  d/dt [e^t (t - x)] = e^t (t - x + 1).
                        dt.Span[i] = (float)(s * (logTarget ? p * (ti - xs[i] + 1.0) : Math.Log(ti) + 1.0 - xs[i]));
                    }
                }

                if (dx is not null)
                {
                    AutogradEngine.Accumulate(input, dx);
                }

                if (dt is not null)
                {
                    AutogradEngine.Accumulate(target, dt);
                }
            });
        }

        return y;
    }

    /// <summary>softplus(-x) = log(1 + exp(-x)), stably.</summary>
    private static double SoftplusNeg(double x) => Math.Max(-x, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs(x)));

    /// <summary>Per-element losses reduced as asked; Mean divides the double-precision sum by <paramref name="divisor"/>.</summary>
    private static Tensor ReduceLoss(float[] loss, Shape shape, Reduction reduction, double divisor)
    {
        if (reduction == Reduction.None)
        {
            return new Tensor(loss, 0, shape);
        }

        double sum = 0;
        foreach (float l in loss)
        {
            sum += l;
        }

        return Tensor.Scalar((float)(reduction == Reduction.Sum ? sum : sum / divisor));
    }

    /// <summary>The upstream gradient each element gets under a Sum or Mean reduction (unused for None).</summary>
    private static float UpstreamScale(Tensor g, Reduction reduction, double divisor) => reduction switch
    {
        Reduction.Sum => g.Item(),
        Reduction.Mean => (float)(g.Item() / divisor),
        _ => 0f,
    };

    private static void CheckReduction(string op, Reduction reduction)
    {
        if (!Enum.IsDefined(reduction))
        {
            throw new ArgumentOutOfRangeException(nameof(reduction), $"{op}: unknown reduction {(int)reduction}.");
        }
    }

    private static void CheckSameShape(string op, Tensor input, Tensor target)
    {
        if (input.Shape != target.Shape)
        {
            throw new ArgumentException($"{op}: target {target.Shape} must have the same shape as the input {input.Shape}.", nameof(target));
        }
    }

    private static void CheckBroadcastsTo(string op, string name, Tensor? t, Shape shape)
    {
        if (t is null)
        {
            return;
        }

        bool ok;
        try
        {
            ok = t.Rank <= shape.Rank && Shape.Broadcast(t.Shape, shape) == shape;
        }
        catch (ArgumentException)
        {
            ok = false;
        }

        if (!ok)
        {
            throw new ArgumentException($"{op}: {name} {t.Shape} does not broadcast to the input shape {shape}.", name);
        }
    }

    /// <summary>The values of an optional operand broadcast to <paramref name="shape"/>, outside the graph.</summary>
    private static float[]? ExpandedConstant(Tensor? t, Shape shape)
    {
        if (t is null)
        {
            return null;
        }

        using (Grad.NoGrad())
        {
            return t.Detach().Expand(shape).ToArray();
        }
    }

    /// <summary>Checks that <paramref name="target"/> is <paramref name="input"/>'s shape without the last (class) dim; returns C.</summary>
    private static int CheckClassShapes(string op, Tensor input, Tensor target)
    {
        if (input.Rank == 0)
        {
            throw new ArgumentException($"{op}: the input needs a class dimension (the last); got a scalar.", nameof(input));
        }

        var expected = new Shape(input.Shape.AsSpan()[..^1]);
        if (target.Shape != expected)
        {
            throw new ArgumentException($"{op}: input {input.Shape} (classes last) needs a target of shape {expected}; got {target.Shape}.", nameof(target));
        }

        return input.Shape[-1];
    }

    /// <summary>
    /// Validates integer class targets and returns them, with -1 for ignored ones; <paramref name="count"/> is the
    /// number not ignored. Throws naming the first bad target's position and value.
    /// </summary>
    private static int[] ClassTargets(string op, Tensor target, int classes, int ignoreIndex, out int count)
    {
        var t = target.AsReadOnlySpan();
        var result = new int[t.Length];
        count = 0;
        for (int i = 0; i < t.Length; i++)
        {
            float v = t[i];
            if (v == ignoreIndex)
            {
                result[i] = -1;
                continue;
            }

            if (v != MathF.Floor(v) || float.IsInfinity(v))
            {
                throw new ArgumentException($"{op}: target at position {i}{FormatIndex(target.Shape, i)} is {v.ToString(CultureInfo.InvariantCulture)}, not an integer class index.", nameof(target));
            }

            if (v < 0 || v >= classes)
            {
                throw new ArgumentException($"{op}: target at position {i}{FormatIndex(target.Shape, i)} is {v.ToString(CultureInfo.InvariantCulture)}, outside the classes [0, {classes}) and not the ignore index {ignoreIndex}.", nameof(target));
            }

            result[i] = (int)v;
            count++;
        }

        return result;
    }

    /// <summary>" (index [i, j])" for a flat position in a tensor of rank 2 or more, else empty.</summary>
    private static string FormatIndex(Shape shape, int flat)
    {
        if (shape.Rank < 2)
        {
            return string.Empty;
        }

        var idx = new int[shape.Rank];
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }

        return $" (index [{string.Join(", ", idx)}])";
    }
}
