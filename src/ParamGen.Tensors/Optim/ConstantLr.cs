namespace ParamGen.Tensors.Optim;

/// <summary>
/// A constant rate, optionally scaled by <c>factor</c> for the first steps, as
/// <c>torch.optim.lr_scheduler.ConstantLR</c>: <c>baseLr * factor</c> while <c>t &lt; totalSteps</c>, then <c>baseLr</c>.
/// With the defaults the rate is simply the base rate.
/// </summary>
public sealed class ConstantLr : LrScheduler
{
    /// <summary>Creates the schedule and applies its step-0 rates.</summary>
    /// <param name="optimizer">The optimizer whose group rates to set.</param>
    /// <param name="factor">The multiplier during the first <paramref name="totalSteps"/> steps (default 1); must be in (0, 1].</param>
    /// <param name="totalSteps">How many steps the factor applies (default 0); must be non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public ConstantLr(Optimizer optimizer, double factor = 1.0, int totalSteps = 0)
        : base(optimizer, Make(factor, totalSteps))
    {
    }

    private static Func<int, double, double> Make(double factor, int totalSteps)
    {
        if (!(factor > 0 && factor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, $"ConstantLr: factor = {factor} must be in (0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(totalSteps);
        return (step, baseLr) => step < totalSteps ? baseLr * factor : baseLr;
    }
}
