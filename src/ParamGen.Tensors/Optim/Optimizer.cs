using System.Globalization;

namespace ParamGen.Tensors.Optim;

/// <summary>
/// Base of the optimizers, as <c>torch.optim.Optimizer</c>: parameter groups with their own
/// hyper-parameters, <see cref="ZeroGrad"/>, <see cref="Step"/>, and a saveable state
/// (<see cref="StateDict"/> / <see cref="LoadStateDict"/>).
/// </summary>
/// <remarks>
/// <para>Updates write the parameters' storage directly on spans (no graph is recorded). Buffers are created
/// on a parameter's first update; after that a step allocates nothing.</para>
/// <para>A parameter whose <see cref="Tensor.Grad"/> is null is skipped (its step count does not advance),
/// as in PyTorch. Every gradient's shape is checked before any parameter changes.</para>
/// </remarks>
public abstract class Optimizer
{
    private readonly List<ParamGroup> _groups = [];
    private float[] _scratchA = [];
    private float[] _scratchB = [];

    private protected Optimizer(IEnumerable<ParamGroup> groups, OptimizerOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(defaults);
        CheckOptions(defaults, "defaults");
        Defaults = defaults;
        var list = groups.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException($"{Name} got no parameter groups.", nameof(groups));
        }

        // Check every group before adding any, so a bad group leaves no half-built optimizer state behind.
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < list.Count; i++)
        {
            CheckNewGroup(list[i], i, seen);
        }

        foreach (var g in list)
        {
            g.Attach(this, g.GivenOptions ?? defaults);
            _groups.Add(g);
        }
    }

    /// <summary>The options used by groups created without their own.</summary>
    public OptimizerOptions Defaults { get; }

    /// <summary>The parameter groups, in the order added.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>The optimizer type name recorded in its state (<c>Sgd</c>, <c>Adam</c>, <c>AdamW</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The exact options type this optimizer accepts.</summary>
    private protected abstract Type OptionsType { get; }

    /// <summary>Adds a group, as <c>add_param_group</c>.</summary>
    /// <exception cref="ArgumentException">The group already belongs to an optimizer, shares a parameter with
    /// another group, or has options of the wrong type or value.</exception>
    public void AddParamGroup(ParamGroup group)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var g in _groups)
        {
            seen.UnionWith(g.ParameterArray);
        }

        CheckNewGroup(group, _groups.Count, seen);
        group.Attach(this, group.GivenOptions ?? Defaults);
        _groups.Add(group);
    }

    /// <summary>Sets every parameter's gradient to null, as <c>zero_grad(set_to_none=True)</c>.</summary>
    public void ZeroGrad()
    {
        foreach (var g in _groups)
        {
            foreach (var p in g.ParameterArray)
            {
                p.Grad = null;
            }
        }
    }

    /// <summary>
    /// Applies one update to every parameter of every group that is not <see cref="ParamGroup.Frozen"/>
    /// and has a gradient.
    /// </summary>
    /// <exception cref="ArgumentException">A gradient's shape differs from its parameter's; nothing is updated.</exception>
    public void Step()
    {
        int largest = 0;
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            var g = _groups[gi];
            if (g.Frozen)
            {
                continue;
            }

            var ps = g.ParameterArray;
            for (int pi = 0; pi < ps.Length; pi++)
            {
                var grad = ps[pi].Grad;
                if (grad is not null && grad.Shape != ps[pi].Shape)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Name}.Step: group {gi} parameter {pi} ({ParamGroup.Describe(ps[pi])}) has a gradient of shape {grad.Shape}."));
                }

                largest = Math.Max(largest, ps[pi].NumElements);
            }
        }

        if (_scratchA.Length < largest)
        {
            _scratchA = new float[largest];
            _scratchB = new float[largest];
        }

        for (int gi = 0; gi < _groups.Count; gi++)
        {
            var g = _groups[gi];
            if (g.Frozen)
            {
                continue;
            }

            var ps = g.ParameterArray;
            for (int pi = 0; pi < ps.Length; pi++)
            {
                var p = ps[pi];
                if (p.Grad is not { } grad)
                {
                    continue;
                }

                var state = g.States[pi] ??= new ParameterState(BufferNames(g.Options).Length);
                int n = p.NumElements;
                state.Step++;
                Update(g.Options, g.LearningRate, p.Span, grad.AsReadOnlySpan(), state, _scratchA.AsSpan(0, n), _scratchB.AsSpan(0, n));
            }
        }
    }

    /// <summary>
    /// A snapshot of the state: every group's hyper-parameters, live learning rate, frozen flag, parameter
    /// shapes and step counts, and copies of the buffers (see <see cref="OptimizerStateDict"/>).
    /// </summary>
    public OptimizerStateDict StateDict()
    {
        var groups = new List<ParamGroupState>(_groups.Count);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            var g = _groups[gi];
            var ps = g.ParameterArray;
            var names = BufferNames(g.Options);
            var steps = new long[ps.Length];
            for (int pi = 0; pi < ps.Length; pi++)
            {
                if (g.States[pi] is not { } st)
                {
                    continue;
                }

                steps[pi] = st.Step;
                for (int b = 0; b < st.Buffers.Length; b++)
                {
                    if (st.Buffers[b] is { } buf)
                    {
                        tensors[OptimizerStateDict.TensorKey(gi, pi, names[b])] = new Tensor((float[])buf.Clone(), ps[pi].Shape.ToArray());
                    }
                }
            }

            groups.Add(new ParamGroupState(g.Options, g.LearningRate, g.Frozen, ps.Select(p => p.Shape).ToArray(), steps));
        }

        return new OptimizerStateDict(Name, groups, tensors);
    }

    /// <summary>
    /// Restores a state made by <see cref="StateDict"/> (possibly of another optimizer instance over
    /// parameters of the same shapes): hyper-parameters, learning rates, frozen flags, step counts and
    /// buffers (copied). Parameters are matched by group and position, as in PyTorch. Everything is checked
    /// before anything changes.
    /// </summary>
    /// <exception cref="ArgumentException">The state is of another optimizer type, the group or parameter
    /// counts or shapes differ, a buffer is missing, unexpected or of the wrong shape, or a value is invalid;
    /// the message names it.</exception>
    public void LoadStateDict(OptimizerStateDict state)
    {
        ValidateStateDict(state);
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            var g = _groups[gi];
            var gs = state.Groups[gi];
            var names = BufferNames(gs.Options);
            g.SetOptions(gs.Options);
            g.LearningRate = gs.LearningRate;
            g.Frozen = gs.Frozen;
            for (int pi = 0; pi < g.ParameterArray.Length; pi++)
            {
                if (gs.Steps[pi] == 0)
                {
                    g.States[pi] = null;
                    continue;
                }

                var st = new ParameterState(names.Length) { Step = gs.Steps[pi] };
                for (int b = 0; b < names.Length; b++)
                {
                    if (state.Tensors.TryGetValue(OptimizerStateDict.TensorKey(gi, pi, names[b]), out var t))
                    {
                        st.Buffers[b] = t.ToArray();
                    }
                }

                g.States[pi] = st;
            }
        }
    }

    /// <summary>Checks that <paramref name="state"/> fits this optimizer, without changing anything.</summary>
    /// <exception cref="ArgumentException">It does not; the message names what differs.</exception>
    internal void ValidateStateDict(OptimizerStateDict state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string who = $"Loading optimizer state into {Name}";
        if (state.Optimizer != Name)
        {
            throw new ArgumentException($"{who}: the state belongs to a {state.Optimizer} optimizer.", nameof(state));
        }

        if (state.Groups.Count != _groups.Count)
        {
            throw new ArgumentException($"{who}: the state has {state.Groups.Count} parameter groups, the optimizer {_groups.Count}.", nameof(state));
        }

        var expected = new HashSet<string>(StringComparer.Ordinal);
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            var g = _groups[gi];
            var gs = state.Groups[gi];
            var ps = g.ParameterArray;
            string where = string.Create(CultureInfo.InvariantCulture, $"{who}: group {gi}");
            if (gs.ParameterShapes.Count != ps.Length || gs.Steps.Count != ps.Length)
            {
                throw new ArgumentException($"{where} has {gs.ParameterShapes.Count} parameters in the state but {ps.Length} in the optimizer.", nameof(state));
            }

            try
            {
                CheckOptions(gs.Options, $"group {gi} options");
                ParamGroup.CheckLearningRate(gs.LearningRate);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{where}: {e.Message}", nameof(state), e);
            }

            var names = BufferNames(gs.Options);
            for (int pi = 0; pi < ps.Length; pi++)
            {
                if (gs.ParameterShapes[pi] != ps[pi].Shape)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{where} parameter {pi} has shape {gs.ParameterShapes[pi]} in the state but {ps[pi].Shape} in the optimizer ({ParamGroup.Describe(ps[pi])})."), nameof(state));
                }

                if (gs.Steps[pi] < 0)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{where} parameter {pi} has a negative step count {gs.Steps[pi]}."), nameof(state));
                }

                if (gs.Steps[pi] == 0)
                {
                    continue;
                }

                foreach (var name in names)
                {
                    string key = OptimizerStateDict.TensorKey(gi, pi, name);
                    expected.Add(key);
                    if (!state.Tensors.TryGetValue(key, out var t))
                    {
                        throw new ArgumentException($"{where}: buffer '{key}' is missing from the state (the parameter has {gs.Steps[pi]} steps).", nameof(state));
                    }

                    if (t.Shape != ps[pi].Shape)
                    {
                        throw new ArgumentException($"{where}: buffer '{key}' has shape {t.Shape}, its parameter {ps[pi].Shape}.", nameof(state));
                    }
                }
            }
        }

        var unexpected = state.Tensors.Keys.Where(k => !expected.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0)
        {
            throw new ArgumentException($"{who}: unexpected buffers in the state: [{string.Join(", ", unexpected)}].", nameof(state));
        }
    }

    /// <summary>The buffer names kept per parameter under <paramref name="options"/> (e.g. <c>exp_avg</c>).</summary>
    private protected abstract string[] BufferNames(OptimizerOptions options);

    /// <summary>
    /// Updates one parameter in place. <paramref name="state"/>'s step count has already been advanced;
    /// <paramref name="scratchA"/> and <paramref name="scratchB"/> are work space of the parameter's length.
    /// </summary>
    private protected abstract void Update(OptimizerOptions options, double learningRate, Span<float> param, ReadOnlySpan<float> grad, ParameterState state, Span<float> scratchA, Span<float> scratchB);

    private void CheckOptions(OptimizerOptions options, string what)
    {
        if (options.GetType() != OptionsType)
        {
            throw new ArgumentException($"{Name} needs {OptionsType.Name} but {what} are {options.GetType().Name}.", nameof(options));
        }

        options.Validate();
    }

    private void CheckNewGroup(ParamGroup group, int index, HashSet<Tensor> seen)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.Owner is not null)
        {
            throw new ArgumentException($"Parameter group {index} already belongs to a {group.Owner.Name} optimizer.", nameof(group));
        }

        if (group.GivenOptions is { } o)
        {
            CheckOptions(o, string.Create(CultureInfo.InvariantCulture, $"the options of group {index}"));
        }

        var ps = group.ParameterArray;
        for (int pi = 0; pi < ps.Length; pi++)
        {
            if (!seen.Add(ps[pi]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Parameter {pi} of group {index} ({ParamGroup.Describe(ps[pi])}) already appears in another parameter group."), nameof(group));
            }
        }
    }
}
