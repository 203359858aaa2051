namespace ParamGen.Tensors.Optim;

/// <summary>
/// Linear warm-up from 0 to the base rate over <c>warmupSteps</c>, then either constant or a linear decay
/// to 0 at <c>totalSteps</c> (the schedule of Hugging Face's <c>get_linear_schedule_with_warmup</c>, i.e.
/// <c>LambdaLR</c> with the factor <c>t / max(1, warmup)</c> for <c>t &lt; warmup</c>, then
/// <c>max(0, (total - t) / max(1, total - warmup))</c>).
/// </summary>
/// <remarks>The rate at step 0 is 0 when there is a warm-up, as in that schedule.</remarks>
public sealed class LinearWarmup : LrScheduler
{
    /// <summary>Creates the schedule and applies its step-0 rates.</summary>
    /// <param name="optimizer">The optimizer whose group rates to set.</param>
    /// <param name="warmupSteps">The warm-up length; must be non-negative.</param>
    /// <param name="totalSteps">The step at which the rate reaches 0, or null (the default) to keep the base
    /// rate after the warm-up; must be at least <paramref name="warmupSteps"/> and at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public LinearWarmup(Optimizer optimizer, int warmupSteps, int? totalSteps = null)
        : base(optimizer, Make(warmupSteps, totalSteps))
    {
    }

    private static Func<int, double, double> Make(int warmupSteps, int? totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (totalSteps is { } total && (total < warmupSteps || total < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), total, $"LinearWarmup: totalSteps = {total} must be at least 1 and at least warmupSteps = {warmupSteps}.");
        }

        return (step, baseLr) => baseLr * Factor(step, warmupSteps, totalSteps);
    }

    private static double Factor(int step, int warmup, int? total)
    {
        if (step < warmup)
        {
            return (double)step / Math.Max(1, warmup);
        }

        return total is { } t ? Math.Max(0.0, (double)(t - step) / Math.Max(1, t - warmup)) : 1.0;
    }
}
