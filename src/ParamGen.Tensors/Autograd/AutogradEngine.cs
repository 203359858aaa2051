using System.Runtime.CompilerServices;
using ParamGen.Tensors.Memory;

namespace ParamGen.Tensors.Autograd;

/// <summary>
/// The tape: records one <see cref="GradNode"/> per op and runs them backwards. Every op's backward
/// rule reports its input gradients through <see cref="Accumulate"/>, which undoes broadcasting in one
/// place and sums contributions.
/// </summary>
/// <remarks>
/// Leaf gradients are created outside any <see cref="TensorScope"/> so they outlive the training step. Inside
/// a scope, <see cref="Backward"/> returns the storage of gradients and temporaries it created to the pool
/// as soon as no pending gradient uses it, so a backward pass reuses its own buffers.
/// </remarks>
internal static class AutogradEngine
{
    [ThreadStatic]
    private static bool t_gradDisabled;

    [ThreadStatic]
    private static Dictionary<Tensor, Tensor>? t_pending;

    /// <summary>Pending gradients the engine created itself (see <see cref="GradientSink"/>): nothing else refers to them, so they may be added into in place.</summary>
    [ThreadStatic]
    private static HashSet<Tensor>? t_owned;

    public static bool GradEnabled
    {
        get => !t_gradDisabled;
        set => t_gradDisabled = !value;
    }

    /// <summary>Whether an op over <paramref name="a"/> must be recorded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool NeedsGrad(Tensor a) => !t_gradDisabled && a.RequiresGrad;

    /// <summary>Whether an op over <paramref name="a"/> and <paramref name="b"/> must be recorded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool NeedsGrad(Tensor a, Tensor b) => !t_gradDisabled && (a.RequiresGrad || b.RequiresGrad);

    /// <summary>Whether an op over any of <paramref name="inputs"/> must be recorded.</summary>
    public static bool NeedsGrad(params ReadOnlySpan<Tensor?> inputs)
    {
        if (t_gradDisabled)
        {
            return false;
        }

        foreach (var t in inputs)
        {
            if (t is not null && t.RequiresGrad)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Attaches a backward rule to <paramref name="output"/>, making it a non-leaf that requires grad.</summary>
    public static void Record(Tensor output, string name, Tensor?[] inputs, Action<Tensor> backward)
    {
        var kept = Array.FindAll(inputs, t => t is not null && t.RequiresGrad)!;
        output.MarkRequiresGrad();
        output.GradFn = new GradNode(name, kept!, backward);
    }

    /// <summary>
    /// Adds <paramref name="grad"/> to the gradient of <paramref name="input"/>, first summing away any
    /// broadcast dimensions so the result has <paramref name="input"/>'s shape. A no-op for inputs that
    /// do not require a gradient, so rules may call it unconditionally.
    /// </summary>
    public static void Accumulate(Tensor input, Tensor grad)
    {
        if (!input.RequiresGrad)
        {
            return;
        }

        if (grad.Shape != input.Shape)
        {
            grad = grad.SumToShape(input.Shape);
        }

        if (input.GradFn is null)
        {
            if (input.Grad is null)
            {
                input.Grad = grad.CloneUnscoped();
            }
            else
            {
                Kernels.Elementwise.AddInPlace(input.Grad.Span, grad.AsReadOnlySpan());
            }

            return;
        }

        var pending = t_pending ?? throw new InvalidOperationException("Accumulate called outside Backward.");
        if (pending.TryGetValue(input, out var existing))
        {
            if (t_owned!.Contains(existing))
            {
                Kernels.Elementwise.AddInPlace(existing.Span, grad.AsReadOnlySpan());
            }
            else
            {
                pending[input] = existing.Add(grad);
            }
        }
        else
        {
            pending[input] = grad;
        }
    }

    /// <summary>
    /// The gradient accumulator of <paramref name="input"/>, for a backward rule that adds its contribution in place
    /// (into a slice, say) instead of building a whole gradient tensor: a leaf's <see cref="Tensor.Grad"/> (created
    /// zeroed when absent), or for a non-leaf a pending gradient owned by the engine (zeroed, or a copy of what was
    /// already pending). Null when <paramref name="input"/> does not require a gradient. Call only from a backward rule.
    /// </summary>
    public static Tensor? GradientSink(Tensor input)
    {
        if (!input.RequiresGrad)
        {
            return null;
        }

        if (input.GradFn is null)
        {
            return input.Grad ??= Tensor.ZerosUnscoped(input.Shape);
        }

        var pending = t_pending ?? throw new InvalidOperationException("GradientSink called outside Backward.");
        var owned = t_owned!;
        if (pending.TryGetValue(input, out var existing) && owned.Contains(existing))
        {
            return existing;
        }

        var sink = Tensor.Empty(input.Shape);
        if (existing is not null)
        {
            existing.AsReadOnlySpan().CopyTo(sink.Span);
        }

        pending[input] = sink;
        owned.Add(sink);
        return sink;
    }

    public static void Backward(Tensor root, Tensor? gradient)
    {
        root.ThrowIfDisposed();
        if (!root.RequiresGrad)
        {
            throw new InvalidOperationException($"Backward() called on a tensor of shape {root.Shape} that does not require a gradient and has no grad_fn.");
        }

        if (gradient is null)
        {
            if (root.NumElements != 1)
            {
                throw new InvalidOperationException($"Backward() without a gradient is only defined for one-element outputs; this output has shape {root.Shape}. Pass the gradient of the objective with respect to it.");
            }

            gradient = Tensor.Ones(root.Shape.ToArray());
        }
        else if (gradient.Shape != root.Shape)
        {
            throw new ArgumentException($"Backward() got a gradient of shape {gradient.Shape} for an output of shape {root.Shape}.", nameof(gradient));
        }

        var order = TopologicalOrder(root);
        CheckAlive(order);
        var previousPending = t_pending;
        var previousOwned = t_owned;
        var pending = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        var owned = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        t_pending = pending;
        t_owned = owned;
        var scope = TensorScope.Current;
        var rented = scope is null ? null : new List<PooledStorage>();
        var referenced = scope is null ? null : new HashSet<PooledStorage>(ReferenceEqualityComparer.Instance);
        var previousLog = TensorScope.SwapRentLog(rented);
        bool completed = false;
        try
        {
            using var _ = Grad.NoGrad();
            if (root.GradFn is null)
            {
                Accumulate(root, gradient);
                return;
            }

            pending[root] = gradient;
            for (int i = order.Count - 1; i >= 0; i--)
            {
                var t = order[i];
                if (!pending.Remove(t, out var g))
                {
                    continue;
                }

                // Once handed to a rule, the gradient may be passed on to several inputs: no longer add into it in place.
                owned.Remove(g);

                t.GradFn!.Backward(g);
                t.GradFn.Consumed = true;
                if (rented is { Count: > 0 })
                {
                    ReleaseUnreferenced(rented, pending, referenced!, scope!);
                }
            }

            completed = true;
        }
        finally
        {
            t_pending = previousPending;
            t_owned = previousOwned;
            TensorScope.SwapRentLog(previousLog);
            if (completed && rented is not null)
            {
                pending.Clear();
                ReleaseUnreferenced(rented, pending, referenced!, scope!);
            }
        }
    }

    /// <summary>
    /// Refuses, before any gradient is accumulated, a graph whose ops were recorded in a scope that has
    /// been disposed (their saved tensors are recycled) or whose inputs are disposed.
    /// </summary>
    private static void CheckAlive(List<Tensor> order)
    {
        foreach (var t in order)
        {
            var node = t.GradFn!;
            if (node.Scope is { IsReleased: true })
            {
                throw new ObjectDisposedException(nameof(Tensor), $"Backward() reaches '{node.Name}' (output shape {t.Shape}), recorded in a TensorScope that has been disposed: the tensors it saved are recycled. Call Backward() inside that scope.");
            }

            foreach (var input in node.Inputs)
            {
                input.ThrowIfDisposed();
            }
        }
    }

    /// <summary>
    /// Gives back to the pool the storage rented during this backward pass that no pending gradient refers
    /// to: the gradients already propagated and the temporaries of the rules that ran.
    /// </summary>
    private static void ReleaseUnreferenced(List<PooledStorage> rented, Dictionary<Tensor, Tensor> pending, HashSet<PooledStorage> referenced, TensorScope scope)
    {
        referenced.Clear();
        foreach (var g in pending.Values)
        {
            if (g.Storage is { } s)
            {
                referenced.Add(s);
            }
        }

        for (int i = rented.Count - 1; i >= 0; i--)
        {
            var s = rented[i];
            if (s.Owner != scope)
            {
                rented.RemoveAt(i);
            }
            else if (!referenced.Contains(s))
            {
                s.Release();
                rented.RemoveAt(i);
            }
        }
    }

    /// <summary>Non-leaf tensors reachable from <paramref name="root"/>, each after all of its inputs.</summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Node, int Next)>();
        if (root.GradFn is null)
        {
            return order;
        }

        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            var inputs = node.GradFn!.Inputs;
            if (next < inputs.Length)
            {
                stack.Push((node, next + 1));
                var child = inputs[next];
                if (child.GradFn is not null && visited.Add(child))
                {
                    stack.Push((child, 0));
                }
            }
            else
            {
                order.Add(node);
            }
        }

        return order;
    }
}
