namespace ParamGen.Tensors;

// Owner: reductions, normalisation, losses.
public static partial class Functional
{
    /// <summary>
    /// Cross-entropy between logits <c>[N, C]</c> (or <c>[*, C]</c>, flattened) and integer class targets
    /// <c>[N]</c> (or <c>[*]</c>), as <c>F.cross_entropy</c>. Targets equal to <paramref name="ignoreIndex"/>
    /// (default -100) contribute nothing; the mean is over the other targets.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree, or a target is outside [0, C) and not ignored; the message names it.</exception>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, int ignoreIndex = -100, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f)
        => throw new NotImplementedException();

    /// <summary>Negative log-likelihood of log-probabilities <c>[N, C]</c> at integer targets <c>[N]</c>, as <c>F.nll_loss</c>.</summary>
    public static Tensor NllLoss(Tensor logProbs, Tensor target, int ignoreIndex = -100, Reduction reduction = Reduction.Mean)
        => throw new NotImplementedException();

    /// <summary>
    /// Binary cross-entropy on logits (stable), as <c>F.binary_cross_entropy_with_logits</c>, with optional
    /// per-element <paramref name="weight"/> and per-class <paramref name="posWeight"/> (both broadcast).
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor? weight = null, Tensor? posWeight = null, Reduction reduction = Reduction.Mean)
        => throw new NotImplementedException();

    /// <summary>Mean squared error, as <c>F.mse_loss</c>.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => throw new NotImplementedException();

    /// <summary>
    /// KL divergence with <paramref name="input"/> as log-probabilities, as <c>F.kl_div</c>: target * (log target - input),
    /// or exp(target) * (target - input) when <paramref name="logTarget"/>. <paramref name="batchMean"/> divides the sum by the batch size (PyTorch's <c>'batchmean'</c>).
    /// </summary>
    public static Tensor KlDiv(Tensor input, Tensor target, bool batchMean = true, bool logTarget = false) => throw new NotImplementedException();
}
