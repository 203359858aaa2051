using System.Globalization;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

// Owner: losses.
public static partial class Functional
{
    /// <summary>
    /// Softmax cross-entropy of the logits <c>hidden W^T + b</c> against integer class targets, equal in value and
    /// gradients to <c>CrossEntropy(Linear(hidden, weight, bias), target, ...)</c> but without ever holding the
    /// <c>[N, C]</c> logits: they are computed in chunks of rows against all C classes (one chunk of a few MB at a
    /// time), and only each row's max and log-sum are kept. Use it to score hidden states against a whole item
    /// catalogue. Rows whose target is ignored are skipped entirely.
    /// <para>When a gradient is needed and <paramref name="reduction"/> is Mean or Sum, the forward also forms the
    /// gradients to hidden, weight and bias for an upstream gradient of 1 from the same chunk of logits, and the
    /// backward only scales them (a few MB held in between); this saves recomputing the logits, but costs about three
    /// times a gradient-free forward if no backward follows. With None, the backward recomputes each chunk's logits.</para>
    /// </summary>
    /// <param name="hidden">Hidden states <c>[*, d]</c>.</param>
    /// <param name="weight">Class weights <c>[C, d]</c> (e.g. item embeddings), as <see cref="Linear"/>'s weight.</param>
    /// <param name="target">Class indices <c>[*]</c> (the hidden shape without its last dim), integers stored as float.</param>
    /// <param name="bias">Optional class bias <c>[C]</c> (default none).</param>
    /// <param name="ignoreIndex">Targets equal to this (default -100; may lie inside [0, C), e.g. a padding id)
    /// contribute nothing, and the mean is over the other targets (NaN when all are ignored, as PyTorch).</param>
    /// <param name="reduction">None (one loss per target, 0 where ignored), Mean (default) or Sum.</param>
    /// <param name="labelSmoothing">Mixes the one-hot target with the uniform distribution, as PyTorch's
    /// <c>label_smoothing</c>: loss = (1 - s) * nll + s * (-sum_c log p_c) / C. Default 0.</param>
    /// <exception cref="ArgumentException">Shapes disagree (the message names them), or a target is not an integer,
    /// or is outside [0, C) and not ignored (the message names its position and value).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1], or
    /// <paramref name="reduction"/> is unknown.</exception>
    public static Tensor LinearCrossEntropy(Tensor hidden, Tensor weight, Tensor target, Tensor? bias = null, int ignoreIndex = -100, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f)
    {
        const string Op = "LinearCrossEntropy";
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(target);
        CheckReduction(Op, reduction);
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"{Op}: labelSmoothing must be in [0, 1]; got {labelSmoothing.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (weight.Rank != 2 || hidden.Rank < 1 || hidden.Shape[-1] != weight.Shape[1])
        {
            throw new ArgumentException($"{Op}: hidden {hidden.Shape} does not fit weight {weight.Shape} (expected hidden [*, {(weight.Rank == 2 ? weight.Shape[1] : -1)}] and weight [C, d]).", nameof(weight));
        }

        int classes = weight.Shape[0];
        int dim = weight.Shape[1];
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != classes))
        {
            throw new ArgumentException($"{Op}: bias {bias.Shape} does not fit weight {weight.Shape} (expected [{classes}]).", nameof(bias));
        }

        var rowShape = new Shape(hidden.Shape.AsSpan()[..^1]);
        if (target.Shape != rowShape)
        {
            throw new ArgumentException($"{Op}: hidden {hidden.Shape} needs a target of shape {rowShape}; got {target.Shape}.", nameof(target));
        }

        var targets = ClassTargets(Op, target, classes, ignoreIndex, out int count);
        int rows = targets.Length;
        var active = new int[count];
        for (int r = 0, a = 0; r < rows; r++)
        {
            if (targets[r] >= 0)
            {
                active[a++] = r;
            }
        }

        var problem = new LinearCrossEntropyProblem(hidden.Buffer, hidden.Offset, weight.Buffer, weight.Offset, bias?.Buffer, bias?.Offset ?? 0,
            dim, classes, targets, active, labelSmoothing);
        var max = new float[rows];
        var logSum = new float[rows];
        var loss = new float[rows];
        bool needsGrad = AutogradEngine.NeedsGrad(hidden, weight, bias);

        // With a scalar loss the upstream gradient is one number, so the gradients for 1 can be formed now and scaled later.
        var eager = needsGrad && reduction != Reduction.None ? Sinks(hidden, weight, bias, rows, dim, classes) : default;
        float eagerScale = reduction == Reduction.Mean ? (float)(1.0 / count) : 1f;
        Kernels.LinearCrossEntropy.Forward(problem, max, logSum, loss, eagerScale, eager);
        var y = ReduceLoss(loss, target.Shape, reduction, count);
        if (needsGrad)
        {
            AutogradEngine.Record(y, Op, [hidden, weight, bias], g =>
            {
                LinearCrossEntropyGrads grads;
                float scale = 1f;
                if (reduction == Reduction.None)
                {
                    grads = Sinks(hidden, weight, bias, rows, dim, classes);
                    Kernels.LinearCrossEntropy.Backward(problem, max, logSum, g.ToArray(), 0f, grads);
                }
                else
                {
                    grads = eager;
                    scale = g.Item();
                }

                AccumulateScaled(hidden, grads.DHidden, scale);
                AccumulateScaled(weight, grads.DWeight, scale);
                AccumulateScaled(bias, grads.DBias, scale);
            });
        }

        return y;
    }

    /// <summary>Zeroed gradient buffers for the operands that require one.</summary>
    private static LinearCrossEntropyGrads Sinks(Tensor hidden, Tensor weight, Tensor? bias, int rows, int dim, int classes) => new(
        hidden.RequiresGrad ? new float[rows * dim] : null,
        weight.RequiresGrad ? new float[classes * dim] : null,
        bias is { RequiresGrad: true } ? new float[classes] : null);

    /// <summary>Accumulates scale * grad into <paramref name="input"/>'s gradient (no copy when the scale is 1).</summary>
    private static void AccumulateScaled(Tensor? input, float[]? grad, float scale)
    {
        if (input is null || grad is null)
        {
            return;
        }

        var t = new Tensor(grad, 0, input.Shape);
        AutogradEngine.Accumulate(input, scale == 1f ? t : t.Mul(scale));
    }
}
