namespace ParamGen.Tensors.Optim;

/// <summary>
/// Cosine annealing from the base rate to <c>minLr</c> over <c>totalSteps</c>, after an optional linear
/// warm-up from 0. Without warm-up the rate at step t &lt;= totalSteps is PyTorch's
/// <c>CosineAnnealingLR(T_max=totalSteps, eta_min=minLr)</c>:
/// <c>minLr + (baseLr - minLr) * (1 + cos(pi * t / totalSteps)) / 2</c>. With warm-up, the rate is
/// <c>baseLr * t / warmup</c> for <c>t &lt; warmup</c>, then the cosine over the remaining
/// <c>totalSteps - warmup</c> steps.
/// </summary>
/// <remarks>After <c>totalSteps</c> the rate stays at <c>minLr</c>; PyTorch's <c>CosineAnnealingLR</c>
/// instead continues along the cosine and rises again.</remarks>
public sealed class CosineAnnealing : LrScheduler
{
    /// <summary>Creates the schedule and applies its step-0 rates.</summary>
    /// <param name="optimizer">The optimizer whose group rates to set.</param>
    /// <param name="totalSteps">The step at which the rate reaches <paramref name="minLr"/>; must be at least 1.</param>
    /// <param name="warmupSteps">The linear warm-up length (default 0); must be in [0, totalSteps].</param>
    /// <param name="minLr">The final rate, the same for every group, as PyTorch's <c>eta_min</c> (default 0); must be finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public CosineAnnealing(Optimizer optimizer, int totalSteps, int warmupSteps = 0, double minLr = 0)
        : base(optimizer, Make(totalSteps, warmupSteps, minLr))
    {
    }

    private static Func<int, double, double> Make(int totalSteps, int warmupSteps, double minLr)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        if (warmupSteps < 0 || warmupSteps > totalSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"CosineAnnealing: warmupSteps = {warmupSteps} must be in [0, totalSteps = {totalSteps}].");
        }

        if (!(minLr >= 0) || double.IsInfinity(minLr))
        {
            throw new ArgumentOutOfRangeException(nameof(minLr), minLr, $"CosineAnnealing: minLr = {minLr} must be finite and non-negative.");
        }

        return (step, baseLr) =>
        {
            if (step < warmupSteps)
            {
                return baseLr * step / warmupSteps;
            }

            double progress = Math.Min(1.0, (double)(step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps));
            return minLr + ((baseLr - minLr) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
        };
    }
}
