namespace ParamGen.Tensors.Optim;

/// <summary>
/// A schedule given by a function, as <c>torch.optim.lr_scheduler.LambdaLR</c>: the rate at step t is
/// <c>baseLr * factor(t)</c>.
/// </summary>
public sealed class LambdaLr : LrScheduler
{
    /// <summary>Creates the schedule and applies <c>factor(0)</c>.</summary>
    /// <param name="optimizer">The optimizer whose group rates to set.</param>
    /// <param name="factor">The multiplier of the base rate at a step; must be deterministic and give finite, non-negative rates.</param>
    public LambdaLr(Optimizer optimizer, Func<int, double> factor)
        : base(optimizer, Wrap(factor))
    {
    }

    private static Func<int, double, double> Wrap(Func<int, double> factor)
    {
        ArgumentNullException.ThrowIfNull(factor);
        return (step, baseLr) => baseLr * factor(step);
    }
}
