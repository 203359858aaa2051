using ParamGen.Tensors.Serialization;

namespace ParamGen.Tensors.Nn;

/// <summary>
/// Base class of neural-network modules, as <c>torch.nn.Module</c>. Parameters, buffers and child modules
/// are kept in registration order, so state keys are stable dotted paths (<c>blocks.0.attn.q.weight</c>).
/// </summary>
public abstract class Module
{
    private readonly List<KeyValuePair<string, Parameter?>> _parameters = [];
    private readonly List<KeyValuePair<string, Tensor?>> _buffers = [];
    private readonly HashSet<string> _nonPersistent = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, Module>> _children = [];

    /// <summary>Whether the module is in training mode (dropout active, batch norm uses batch statistics). Default true.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>
    /// Whether this module itself (not its children) normalises with the statistics of the batch in training mode, as
    /// a batch norm does, so that a sample's training output depends on the rest of its batch. False unless a layer
    /// says otherwise; callers such as a trainer use it to warn about batches whose composition is not random.
    /// </summary>
    public virtual bool UsesBatchStatistics => false;

    /// <summary>Sets training mode on this module and all descendants.</summary>
    public Module Train(bool mode = true)
    {
        Training = mode;
        foreach (var (_, c) in _children)
        {
            c.Train(mode);
        }

        return this;
    }

    /// <summary>Sets evaluation mode (same as <c>Train(false)</c>).</summary>
    public Module Eval() => Train(false);

    /// <summary>Registers a parameter under <paramref name="name"/> (null registers an absent optional parameter, e.g. no bias).</summary>
    /// <exception cref="ArgumentException">The name is empty, contains '.', or is already used.</exception>
    protected Parameter? RegisterParameter(string name, Parameter? parameter)
    {
        CheckNewName(name);
        _parameters.Add(new(name, parameter));
        return parameter;
    }

    /// <summary>Registers a buffer: state that is saved but not learned (e.g. running means). Non-persistent buffers are left out of <see cref="StateDict"/>.</summary>
    protected Tensor? RegisterBuffer(string name, Tensor? buffer, bool persistent = true)
    {
        CheckNewName(name);
        _buffers.Add(new(name, buffer));
        if (!persistent)
        {
            _nonPersistent.Add(name);
        }

        return buffer;
    }

    /// <summary>Registers a child module under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module)
        where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckNewName(name);
        _children.Add(new(name, module));
        return module;
    }

    /// <summary>Removes a registered child module (e.g. an adapter taken out of its slot).</summary>
    /// <param name="name">The child's name.</param>
    /// <returns>Whether a child of that name was registered.</returns>
    protected bool RemoveModule(string name) => _children.RemoveAll(kv => kv.Key == name) > 0;

    /// <summary>Replaces a registered buffer's tensor (e.g. a running statistic updated out of place).</summary>
    protected void SetBuffer(string name, Tensor value)
    {
        int i = _buffers.FindIndex(kv => kv.Key == name);
        if (i < 0)
        {
            throw new KeyNotFoundException($"{GetType().Name} has no buffer '{name}'.");
        }

        _buffers[i] = new(name, value);
    }

    private void CheckNewName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid member name '{name}' in {GetType().Name}: must be non-empty and contain no '.'.", nameof(name));
        }

        if (_parameters.Exists(kv => kv.Key == name) || _buffers.Exists(kv => kv.Key == name) || _children.Exists(kv => kv.Key == name))
        {
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.", nameof(name));
        }
    }

    /// <summary>Direct children with their names, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children.Select(kv => (kv.Key, kv.Value));

    /// <summary>This module and every descendant with dotted names ("" for this module), depth first.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in _children)
        {
            foreach (var item in child.NamedModules(Join(prefix, name)))
            {
                yield return item;
            }
        }
    }

    /// <summary>Every parameter with its dotted name, in registration order (each tensor once, as PyTorch).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(bool recurse = true)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in recurse ? NamedModules() : [(string.Empty, this)])
        {
            foreach (var (name, p) in m._parameters)
            {
                if (p is not null && seen.Add(p))
                {
                    yield return (Join(prefix, name), p);
                }
            }
        }
    }

    /// <summary>Every parameter, in registration order.</summary>
    public IEnumerable<Parameter> Parameters(bool recurse = true) => NamedParameters(recurse).Select(x => x.Parameter);

    /// <summary>Every buffer with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(bool recurse = true)
    {
        foreach (var (prefix, m) in recurse ? NamedModules() : [(string.Empty, this)])
        {
            foreach (var (name, b) in m._buffers)
            {
                if (b is not null)
                {
                    yield return (Join(prefix, name), b);
                }
            }
        }
    }

    /// <summary>Clears the gradients of every parameter (sets them to null, as <c>zero_grad(set_to_none=True)</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters())
        {
            p.Grad = null;
        }
    }

    /// <summary>
    /// The module's state: every parameter and persistent buffer under its dotted key, in registration
    /// order. Values share storage with the module (as PyTorch's <c>state_dict()</c>).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> StateDict()
    {
        var result = new List<KeyValuePair<string, Tensor>>();
        foreach (var (prefix, m) in NamedModules())
        {
            foreach (var (name, p) in m._parameters)
            {
                if (p is not null)
                {
                    result.Add(new(Join(prefix, name), p));
                }
            }

            foreach (var (name, b) in m._buffers)
            {
                if (b is not null && !m._nonPersistent.Contains(name))
                {
                    result.Add(new(Join(prefix, name), b));
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into this module's parameters and buffers. Every key
    /// and shape is checked before anything is copied, so a failed load changes nothing.
    /// </summary>
    /// <param name="state">Values by dotted key.</param>
    /// <param name="strict">When true (the default), a missing or unexpected key is an error.</param>
    /// <returns>The keys that were missing from <paramref name="state"/> and those it had that the module does not.</returns>
    /// <exception cref="KeyNotFoundException">Strict, and keys are missing or unexpected; the message names them.</exception>
    /// <exception cref="ArgumentException">A shape differs; the message names the key and both shapes.</exception>
    public LoadStateDictResult LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        var ownKeys = new HashSet<string>(own.Select(kv => kv.Key), StringComparer.Ordinal);
        var missing = own.Where(kv => !state.ContainsKey(kv.Key)).Select(kv => kv.Key).ToList();
        var unexpected = state.Keys.Where(k => !ownKeys.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
        {
            throw new KeyNotFoundException($"Error loading state dict into {GetType().Name}: missing keys [{string.Join(", ", missing)}]; unexpected keys [{string.Join(", ", unexpected)}].");
        }

        foreach (var (key, t) in own)
        {
            if (state.TryGetValue(key, out var src) && src.Shape != t.Shape)
            {
                throw new ArgumentException($"Error loading state dict into {GetType().Name}: '{key}' has shape {src.Shape} in the state but {t.Shape} in the module.");
            }
        }

        foreach (var (key, t) in own)
        {
            if (state.TryGetValue(key, out var src))
            {
                src.AsReadOnlySpan().CopyTo(t.Span);
            }
        }

        return new LoadStateDictResult(missing, unexpected);
    }

    /// <summary>Saves <see cref="StateDict"/> to a safetensors file (atomically).</summary>
    public void Save(string path) => SafeTensors.Save(path, StateDict());

    /// <summary>
    /// Loads a safetensors file written by <see cref="Save"/> or by PyTorch (<c>safetensors.torch.save_file(model.state_dict())</c>).
    /// Non-float32 tensors (e.g. PyTorch's int64 <c>num_batches_tracked</c>, or float64 weights) are converted to float32.
    /// </summary>
    public LoadStateDictResult Load(string path, bool strict = true) => LoadStateDict(SafeTensors.Load(path, convertDtypes: true).ToDictionary(), strict);

    /// <summary>The number of scalar parameters (learnable or not).</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.NumElements);

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";
}

/// <summary>Keys that did not match in <see cref="Module.LoadStateDict"/>.</summary>
/// <param name="MissingKeys">Module keys the state did not provide.</param>
/// <param name="UnexpectedKeys">State keys the module does not have.</param>
public sealed record LoadStateDictResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);

/// <summary>A module with a typed forward pass, as TorchSharp's <c>Module&lt;T, TResult&gt;</c>.</summary>
/// <typeparam name="TIn">The input type.</typeparam>
/// <typeparam name="TOut">The output type.</typeparam>
public abstract class Module<TIn, TOut> : Module
{
    /// <summary>Computes the module's output.</summary>
    public abstract TOut Forward(TIn input);
}
