namespace ParamGen.Tensors.Autograd;

/// <summary>
/// While alive, ops on this thread record no graph (inference, optimizer updates), as
/// <c>torch.no_grad()</c>. Create with <see cref="Grad.NoGrad"/> in a <c>using</c> statement; scopes nest.
/// </summary>
public readonly struct NoGradScope : IDisposable
{
    private readonly bool _previous;
    private readonly bool _active;

    internal NoGradScope(bool previous)
    {
        _previous = previous;
        _active = true;
    }

    /// <summary>Restores the gradient mode that was in force when the scope was created.</summary>
    public void Dispose()
    {
        if (_active)
        {
            AutogradEngine.GradEnabled = _previous;
        }
    }
}
