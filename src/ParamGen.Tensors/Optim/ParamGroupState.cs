namespace ParamGen.Tensors.Optim;

/// <summary>The saved scalars of one parameter group (see <see cref="OptimizerStateDict"/>).</summary>
/// <param name="Options">The group's hyper-parameters (its base learning rate included).</param>
/// <param name="LearningRate">The live learning rate.</param>
/// <param name="Frozen">Whether the group was frozen.</param>
/// <param name="ParameterShapes">The shape of each parameter, so a load can check them before changing anything.</param>
/// <param name="Steps">The number of updates applied to each parameter (0: no state).</param>
public sealed record ParamGroupState(
    OptimizerOptions Options,
    double LearningRate,
    bool Frozen,
    IReadOnlyList<Shape> ParameterShapes,
    IReadOnlyList<long> Steps);
