using System.Globalization;

namespace ParamGen.Data;

/// <summary>Options of <see cref="TimeRatioSplit"/>: the shares of interactions, by global time, in each part.</summary>
public sealed record TimeRatioSplitOptions : SplitOptions
{
    /// <summary>Share of interactions (the earliest) in the training period. Default 0.8; must be positive.</summary>
    public double TrainRatio { get; init; } = 0.8;

    /// <summary>Share of interactions in the validation period. Default 0.1; may be 0 (no validation part).</summary>
    public double ValidRatio { get; init; } = 0.1;

    /// <summary>Share of interactions (the latest) in the test period. Default 0.1; must be positive.</summary>
    public double TestRatio { get; init; } = 0.1;

    /// <summary>Checks the ratios: finite, train and test positive, valid not negative, summing to 1 (within 1e-6).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A ratio is out of range or they do not sum to 1.</exception>
    public override void Validate()
    {
        base.Validate();
        CheckRatio(TrainRatio, nameof(TrainRatio), allowZero: false);
        CheckRatio(ValidRatio, nameof(ValidRatio), allowZero: true);
        CheckRatio(TestRatio, nameof(TestRatio), allowZero: false);
        double sum = TrainRatio + ValidRatio + TestRatio;
        if (Math.Abs(sum - 1) > 1e-6)
        {
            throw new ArgumentOutOfRangeException(nameof(TestRatio), sum, string.Create(CultureInfo.InvariantCulture,
                $"TimeRatioSplitOptions: TrainRatio + ValidRatio + TestRatio = {TrainRatio} + {ValidRatio} + {TestRatio} = {sum}; they must sum to 1."));
        }
    }

    private static void CheckRatio(double value, string name, bool allowZero)
    {
        if (!double.IsFinite(value) || value < 0 || value > 1 || (!allowZero && value == 0))
        {
            throw new ArgumentOutOfRangeException(name, value, $"TimeRatioSplitOptions.{name} must be in {(allowZero ? "[0" : "(0")}, 1].");
        }
    }
}
