using System.Globalization;

namespace ParamGen.Tensors.Optim;

/// <summary>
/// Base of the learning-rate schedules, as <c>torch.optim.lr_scheduler</c>: the schedule maps the step
/// count and a group's base rate (its <see cref="OptimizerOptions.LearningRate"/>) to the group's live
/// <see cref="ParamGroup.LearningRate"/>. Creating a schedule sets the rates for step 0; call
/// <see cref="Step"/> after each <see cref="Optimizer.Step"/>.
/// </summary>
public abstract class LrScheduler
{
    private readonly Func<int, double, double> _schedule;
    private double[] _lastLr = [];

    /// <summary>Creates the schedule and applies its step-0 rates.</summary>
    /// <param name="optimizer">The optimizer whose group rates to set.</param>
    /// <param name="schedule">The rate at a step for a given base rate; must be deterministic.</param>
    private protected LrScheduler(Optimizer optimizer, Func<int, double, double> schedule)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(schedule);
        Optimizer = optimizer;
        _schedule = schedule;
        Apply();
    }

    /// <summary>The optimizer whose rates this schedule sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The number of <see cref="Step"/> calls so far (PyTorch's <c>last_epoch</c>); 0 after construction.</summary>
    public int LastStep { get; private set; }

    /// <summary>The schedule's type name recorded in its state.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>Advances the schedule one step and sets every group's learning rate.</summary>
    public void Step()
    {
        var rates = Compute(LastStep + 1);
        LastStep++;
        SetRates(rates);
    }

    /// <summary>The rates last set, one per group, as <c>get_last_lr()</c>.</summary>
    public IReadOnlyList<double> GetLastLr() => _lastLr;

    /// <summary>The rate the schedule gives a group with base rate <paramref name="baseLr"/> at <paramref name="step"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public double LearningRateAt(int step, double baseLr)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return _schedule(step, baseLr);
    }

    /// <summary>The state to save: the schedule's name and step count.</summary>
    public LrSchedulerState StateDict() => new(Name, LastStep);

    /// <summary>Restores a state from <see cref="StateDict"/> and sets the group rates for that step.</summary>
    /// <exception cref="ArgumentException">The state is of another schedule type or has a negative step; nothing changes.</exception>
    public void LoadStateDict(LrSchedulerState state)
    {
        ValidateStateDict(state);
        var rates = Compute(state.LastStep);
        LastStep = state.LastStep;
        SetRates(rates);
    }

    /// <summary>Checks that <paramref name="state"/> fits this schedule, without changing anything.</summary>
    internal void ValidateStateDict(LrSchedulerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Name != Name)
        {
            throw new ArgumentException($"Loading schedule state into {Name}: the state belongs to a {state.Name} schedule.", nameof(state));
        }

        if (state.LastStep < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Loading schedule state into {Name}: the step count {state.LastStep} is negative."), nameof(state));
        }

        _ = Compute(state.LastStep);
    }

    private void Apply() => SetRates(Compute(LastStep));

    // Rates are computed for all groups before any is set, so an invalid rate changes nothing.
    private double[] Compute(int step)
    {
        var groups = Optimizer.ParamGroups;
        var rates = new double[groups.Count];
        for (int i = 0; i < rates.Length; i++)
        {
            rates[i] = _schedule(step, groups[i].Options.LearningRate);
            ParamGroup.CheckLearningRate(rates[i]);
        }

        return rates;
    }

    private void SetRates(double[] rates)
    {
        var groups = Optimizer.ParamGroups;
        for (int i = 0; i < rates.Length; i++)
        {
            groups[i].LearningRate = rates[i];
        }

        _lastLr = rates;
    }
}
