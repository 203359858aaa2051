namespace ParamGen.Tensors.Autograd;

/// <summary>Public switches of the autograd engine.</summary>
public static class Grad
{
    /// <summary>
    /// Disables graph recording on this thread until the returned scope is disposed:
    /// <c>using (Grad.NoGrad()) { ... }</c>.
    /// </summary>
    public static NoGradScope NoGrad()
    {
        var scope = new NoGradScope(AutogradEngine.GradEnabled);
        AutogradEngine.GradEnabled = false;
        return scope;
    }

    /// <summary>Whether ops on this thread currently record the graph.</summary>
    public static bool IsEnabled => AutogradEngine.GradEnabled;
}
