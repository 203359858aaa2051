namespace ParamGen.Tensors.Optim;

/// <summary>The saved state of an <see cref="LrScheduler"/>.</summary>
/// <param name="Name">The schedule type name.</param>
/// <param name="LastStep">The number of steps taken.</param>
public sealed record LrSchedulerState(string Name, int LastStep);
