namespace ParamGen.Tensors.Memory;

/// <summary>
/// A region of code whose tensors are freed together, as TorchSharp's dispose scopes:
/// <c>using (var scope = TensorScope.Begin()) { ... }</c>. While a scope is active on a thread, tensors that
/// ops create on that thread take their storage from <see cref="TensorPool"/>; when the scope is disposed,
/// every tensor created in it (views included) is marked disposed and its storage goes back to the pool, so
/// the next training step reuses the same buffers and the garbage collector stays out of the loop.
/// <code>
/// for (int step = 0; step &lt; steps; step++)
/// {
///     using var scope = TensorScope.Begin();
///     optimizer.ZeroGrad();
///     var loss = F.CrossEntropy(model.Forward(batch.X), batch.Y);
///     loss.Backward();                 // parameter gradients are not scoped: they survive
///     optimizer.Step();
///     losses.Add(loss.Item());         // read values inside; Keep(t) what must outlive the step
/// }
/// </code>
/// </summary>
/// <remarks>
/// <para><b>What survives.</b> Tensors passed to <see cref="Keep(Tensor)"/> (or <see cref="Tensor.MoveToOuterScope"/>,
/// or returned from <see cref="Run"/>) move to the enclosing scope, or become ordinary tensors when there is
/// none; keeping a tensor keeps its storage, which views share. Gradients that <c>Backward</c> accumulates
/// into leaves (<see cref="Tensor.Grad"/>) are never scoped, and neither are <see cref="Nn.Parameter"/>s,
/// even when created inside a scope. Create modules (their buffers) and optimizers outside scopes.</para>
/// <para><b>Safety.</b> Using a disposed tensor throws <see cref="ObjectDisposedException"/> naming its shape;
/// it never reads recycled memory. <c>Backward</c> through ops recorded in a scope that has been disposed
/// throws before any gradient is accumulated. If a kept tensor's graph has not been through <c>Backward</c>
/// when the scope ends (the TorchSharp pattern of a module forward in its own scope), the scope cannot free
/// what that graph saved: it hands all its storage to the enclosing scope instead, which frees it when it
/// ends. Keep a <see cref="Tensor.Detach"/>ed tensor, or work under <c>Grad.NoGrad()</c>, to free at once.</para>
/// <para><b>Threads.</b> A scope belongs to the thread that began it: only tensors created on that thread join
/// it, and it must be disposed there. Scopes nest; disposing a scope first disposes any still-active scope
/// begun inside it. Without a scope, tensors are plain garbage-collected arrays exactly as before.</para>
/// <para>Inside one <c>Backward</c> call the gradients and temporaries a backward rule creates go back to the
/// pool as soon as no pending gradient uses them, so a step's backward pass reuses its own buffers.</para>
/// </remarks>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic]
    private static TensorScope? t_current;

    [ThreadStatic]
    private static List<PooledStorage>? t_rentLog;

    private readonly TensorScope? _parent;
    private readonly int _threadId;
    private readonly List<PooledStorage> _storages = [];
    private List<Tensor>? _keptWithGraph;
    private ScopeState _state;

    private TensorScope(TensorScope? parent)
    {
        _parent = parent;
        _threadId = Environment.CurrentManagedThreadId;
    }

    private enum ScopeState
    {
        Active,
        Released,
        Merged,
    }

    /// <summary>The innermost active scope on this thread, or null.</summary>
    public static TensorScope? Current => t_current;

    /// <summary>Whether this scope has been disposed.</summary>
    public bool IsDisposed => _state != ScopeState.Active;

    /// <summary>
    /// Whether tensors owned by this scope are dead: it released its storage, or it merged into an enclosing
    /// scope that has since released.
    /// </summary>
    internal bool IsReleased => _state switch
    {
        ScopeState.Active => false,
        ScopeState.Released => true,
        _ => _parent?.IsReleased ?? false,
    };

    /// <summary>
    /// This scope while active; for a scope that merged into its enclosing one, the active scope that now
    /// owns what it created (null when none).
    /// </summary>
    internal TensorScope? Active
    {
        get
        {
            var s = this;
            while (s is { IsDisposed: true })
            {
                s = s._parent;
            }

            return s;
        }
    }

    /// <summary>Bytes of pooled storage this scope owns now (diagnostics and tests).</summary>
    internal long OwnedPooledBytes
    {
        get
        {
            long bytes = 0;
            foreach (var s in _storages)
            {
                if (s.Owner == this)
                {
                    bytes += (long)s.Array.Length * sizeof(float);
                }
            }

            return bytes;
        }
    }

    /// <summary>Begins a scope on this thread, nested in the current one if any. Dispose it on this thread.</summary>
    public static TensorScope Begin()
    {
        var scope = new TensorScope(t_current);
        t_current = scope;
        return scope;
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a new scope and returns its result kept (moved to the enclosing scope,
    /// or unscoped); everything else the body created is freed.
    /// </summary>
    public static Tensor Run(Func<Tensor> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var scope = Begin();
        return scope.Keep(body());
    }

    /// <summary>
    /// Makes <paramref name="tensor"/> outlive this scope: it moves to the enclosing scope (or becomes an
    /// ordinary tensor), together with its storage. Tensors created outside this scope are left as they are.
    /// </summary>
    /// <returns><paramref name="tensor"/>, for chaining.</returns>
    /// <exception cref="ObjectDisposedException">This scope, or the tensor, is already disposed.</exception>
    /// <exception cref="InvalidOperationException">Called from a thread other than the scope's.</exception>
    public Tensor Keep(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckUsable();
        tensor.ThrowIfDisposed();
        if (tensor.Owner is { } owner && owner.IsWithin(this))
        {
            tensor.Owner = _parent;
        }

        if (tensor.Storage is { } storage && storage.Owner is { } storageOwner && storageOwner.IsWithin(this))
        {
            HandOver(storage, _parent);
        }

        if (tensor.GradFn is not null)
        {
            (_keptWithGraph ??= []).Add(tensor);
        }

        return tensor;
    }

    /// <summary>Keeps each of <paramref name="tensors"/>, as <see cref="Keep(Tensor)"/>.</summary>
    public void Keep(params ReadOnlySpan<Tensor> tensors)
    {
        foreach (var t in tensors)
        {
            Keep(t);
        }
    }

    /// <summary>
    /// Ends the scope: disposes inner scopes still active, marks every tensor created here disposed and
    /// returns their storage to the pool (or hands it to the enclosing scope, see the remarks).
    /// </summary>
    /// <exception cref="InvalidOperationException">Called from a thread other than the scope's.</exception>
    public void Dispose()
    {
        if (_state != ScopeState.Active)
        {
            return;
        }

        CheckThread();
        while (t_current is { } inner && inner != this)
        {
            inner.Dispose();
        }

        if (_keptWithGraph?.Exists(t => t.GradFn is { Consumed: false }) == true)
        {
            // A kept tensor's graph still awaits Backward and its rules read what this scope created
            // (saved inputs, intermediates, scratch tensors the graph does not name): keep all of it alive.
            _state = ScopeState.Merged;
            foreach (var s in _storages)
            {
                if (s.Owner == this)
                {
                    HandOver(s, _parent);
                }
            }
        }
        else
        {
            _state = ScopeState.Released;
            foreach (var s in _storages)
            {
                if (s.Owner == this)
                {
                    s.Release();
                }
            }
        }

        _storages.Clear();
        _keptWithGraph = null;
        t_current = _parent;
    }

    /// <summary>Rents storage for a tensor of <paramref name="length"/> elements created in this scope.</summary>
    internal PooledStorage Rent(int length)
    {
        var storage = PooledStorage.Rent(length, this);
        _storages.Add(storage);
        t_rentLog?.Add(storage);
        return storage;
    }

    /// <summary>
    /// Starts logging storage rented on this thread into <paramref name="log"/> (null stops), returning the
    /// previous log; <c>Backward</c> uses it to give back gradients it no longer needs.
    /// </summary>
    internal static List<PooledStorage>? SwapRentLog(List<PooledStorage>? log)
    {
        var previous = t_rentLog;
        t_rentLog = log;
        return previous;
    }

    /// <summary>Whether this scope is <paramref name="scope"/> or nested inside it.</summary>
    internal bool IsWithin(TensorScope scope)
    {
        for (var s = this; s is not null; s = s._parent)
        {
            if (s == scope)
            {
                return true;
            }
        }

        return false;
    }

    private static void HandOver(PooledStorage storage, TensorScope? to)
    {
        if (to is null)
        {
            storage.Escape();
        }
        else
        {
            storage.Owner = to;
            to._storages.Add(storage);
        }
    }

    private void CheckUsable()
    {
        ObjectDisposedException.ThrowIf(_state != ScopeState.Active, this);
        CheckThread();
    }

    private void CheckThread()
    {
        if (Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException($"A TensorScope must be used and disposed on the thread that began it (thread {_threadId}); this is thread {Environment.CurrentManagedThreadId}.");
        }
    }
}
