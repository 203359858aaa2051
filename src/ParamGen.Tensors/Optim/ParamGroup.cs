namespace ParamGen.Tensors.Optim;

/// <summary>
/// A set of parameters that share hyper-parameters inside an <see cref="Optimizer"/>, as a PyTorch
/// parameter group. A group can be <see cref="Frozen"/>: <see cref="Optimizer.Step"/> then leaves its
/// parameters bit-identical and creates no state for them.
/// </summary>
public sealed class ParamGroup
{
    private readonly Tensor[] _parameters;
    private OptimizerOptions? _options;
    private double _learningRate;

    /// <summary>Creates a group.</summary>
    /// <param name="parameters">The parameters (leaf tensors; each may appear in only one group of an optimizer).</param>
    /// <param name="options">The group's hyper-parameters, of the optimizer's options type; null (the default)
    /// takes the optimizer's defaults when the group is added.</param>
    /// <param name="frozen">Whether the group starts frozen (default false).</param>
    /// <exception cref="ArgumentException">A parameter is null, not a leaf, or listed twice.</exception>
    public ParamGroup(IEnumerable<Tensor> parameters, OptimizerOptions? options = null, bool frozen = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToArray();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i] ?? throw new ArgumentException($"Parameter {i} of the group is null.", nameof(parameters));
            if (!p.IsLeaf)
            {
                throw new ArgumentException($"Parameter {i} ({Describe(p)}) is not a leaf (it was produced by '{p.GradFnName}'); an optimizer can only update leaf tensors.", nameof(parameters));
            }

            if (!seen.Add(p))
            {
                throw new ArgumentException($"Parameter {i} ({Describe(p)}) appears twice in the group.", nameof(parameters));
            }
        }

        _options = options;
        Frozen = frozen;
        States = new ParameterState?[_parameters.Length];
    }

    /// <summary>The group's parameters, in the order given.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>
    /// The group's hyper-parameters. <see cref="OptimizerOptions.LearningRate"/> here is the base rate that
    /// schedules scale (PyTorch's <c>initial_lr</c>); the live rate is <see cref="LearningRate"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The group was created without options and has not been added to an optimizer yet.</exception>
    public OptimizerOptions Options => _options ?? throw new InvalidOperationException("This group was created without options; they come from the optimizer it is added to.");

    /// <summary>The learning rate the next <see cref="Optimizer.Step"/> uses. Set to
    /// <see cref="OptimizerOptions.LearningRate"/> when the group is added to an optimizer; LR schedules
    /// change it afterwards.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            CheckLearningRate(value);
            _learningRate = value;
        }
    }

    /// <summary>Whether <see cref="Optimizer.Step"/> skips this group (its parameters stay bit-identical). Default false.</summary>
    public bool Frozen { get; set; }

    /// <summary>The optimizer the group belongs to, or null before it is added.</summary>
    public Optimizer? Owner { get; private set; }

    /// <summary>Per-parameter state, parallel to <see cref="Parameters"/>; null until a parameter's first update.</summary>
    internal ParameterState?[] States { get; }

    /// <summary>The parameters as an array, for allocation-free iteration.</summary>
    internal Tensor[] ParameterArray => _parameters;

    /// <summary>Binds the group to its optimizer, filling in default options.</summary>
    internal void Attach(Optimizer owner, OptimizerOptions options)
    {
        _options = options;
        _learningRate = options.LearningRate;
        Owner = owner;
    }

    /// <summary>Replaces the options (state loading); the caller has validated them.</summary>
    internal void SetOptions(OptimizerOptions options) => _options = options;

    /// <summary>The options given at construction, or null.</summary>
    internal OptimizerOptions? GivenOptions => _options;

    /// <summary>Throws unless <paramref name="value"/> is a valid live learning rate.</summary>
    internal static void CheckLearningRate(double value)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), value, $"ParamGroup.LearningRate = {value} is invalid: it must be finite and non-negative.");
        }
    }

    internal static string Describe(Tensor p) => p.Name is null ? $"shape {p.Shape}" : $"'{p.Name}', shape {p.Shape}";
}
