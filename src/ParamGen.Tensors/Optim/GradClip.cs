using System.Globalization;
using System.Numerics.Tensors;

namespace ParamGen.Tensors.Optim;

/// <summary>Gradient clipping, as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradClip
{
    /// <summary>
    /// Rescales the gradients of <paramref name="parameters"/> in place so that their total norm (all
    /// gradients viewed as one vector) is at most <paramref name="maxNorm"/>: each gradient is multiplied by
    /// <c>min(1, maxNorm / (total + 1e-6))</c>. Parameters without a gradient are skipped.
    /// </summary>
    /// <param name="parameters">The parameters whose <see cref="Tensor.Grad"/> to clip.</param>
    /// <param name="maxNorm">The largest allowed total norm; must be non-negative and not NaN.</param>
    /// <param name="normType">The p of the p-norm (default 2); any p &gt; 0, or
    /// <see cref="double.PositiveInfinity"/> for the largest magnitude.</param>
    /// <param name="errorIfNonfinite">Throw when the total norm is NaN or infinite instead of scaling by it
    /// (default false, as PyTorch: the gradients then become zero or NaN).</param>
    /// <returns>The total norm before clipping (0 when no parameter has a gradient), computed in double precision.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> or <paramref name="normType"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="errorIfNonfinite"/> is set and the norm is not finite; no gradient is changed.</exception>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2.0, bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, $"ClipGradNorm: maxNorm = {maxNorm} must be non-negative.");
        }

        if (!(normType > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(normType), normType, $"ClipGradNorm: normType = {normType} must be greater than 0 (or +infinity).");
        }

        var grads = new List<Tensor>();
        foreach (var p in parameters)
        {
            if (p?.Grad is { } g)
            {
                grads.Add(g);
            }
        }

        if (grads.Count == 0)
        {
            return 0;
        }

        double total = TotalNorm(grads, normType);
        if (errorIfNonfinite && !double.IsFinite(total))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"ClipGradNorm: the total {normType}-norm of the gradients is {total}, so they cannot be clipped. Pass errorIfNonfinite: false to scale by it anyway."));
        }

        double coef = maxNorm / (total + 1e-6);

        // Negated test so a NaN coefficient propagates into the gradients, as in PyTorch.
        if (!(coef >= 1))
        {
            foreach (var g in grads)
            {
                TensorPrimitives.Multiply(g.Span, (float)coef, g.Span);
            }
        }

        return total;
    }

    private static double TotalNorm(List<Tensor> grads, double p)
    {
        if (double.IsPositiveInfinity(p))
        {
            double max = 0;
            foreach (var g in grads)
            {
                var s = g.AsReadOnlySpan();
                if (s.Length > 0)
                {
                    float m = Math.Abs(TensorPrimitives.MaxMagnitude(s));
                    max = float.IsNaN(m) ? double.NaN : Math.Max(max, m);
                }
            }

            return max;
        }

        // Partial sums over fixed blocks, totalled in double: the result does not depend on the thread count.
        const int Block = 1024;
        double sum = 0;
        foreach (var g in grads)
        {
            var s = g.AsReadOnlySpan();
            if (p == 2)
            {
                for (int i = 0; i < s.Length; i += Block)
                {
                    sum += TensorPrimitives.SumOfSquares(s.Slice(i, Math.Min(Block, s.Length - i)));
                }
            }
            else if (p == 1)
            {
                for (int i = 0; i < s.Length; i += Block)
                {
                    sum += TensorPrimitives.SumOfMagnitudes(s.Slice(i, Math.Min(Block, s.Length - i)));
                }
            }
            else
            {
                foreach (float x in s)
                {
                    sum += Math.Pow(Math.Abs((double)x), p);
                }
            }
        }

        return p == 2 ? Math.Sqrt(sum) : p == 1 ? sum : Math.Pow(sum, 1 / p);
    }
}
