using System.Collections.Concurrent;
using System.Reflection;
using ParamGen.Tensors.Memory;
using ParamGen.Tensors.Tests.Infrastructure;
using Xunit.Sdk;

[assembly: ParamGen.Tensors.Tests.Memory.ScopeEachTest]

namespace ParamGen.Tensors.Tests.Memory;

/// <summary>
/// With the environment variable <c>PARAMGEN_SCOPE_EACH_TEST=1</c>, runs the body of every test in the assembly
/// inside a <see cref="TensorScope"/>, so the whole suite checks that pooled, scoped storage changes no result:
/// <c>PARAMGEN_SCOPE_EACH_TEST=1 dotnet test tests/ParamGen.Tensors.Tests -c Release</c>. Off otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class ScopeEachTestAttribute : BeforeAfterTestAttribute
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("PARAMGEN_SCOPE_EACH_TEST") == "1";
    private static readonly ConcurrentDictionary<int, TensorScope> Scopes = new();
    private static readonly Lazy<bool> GoldenLoaded = new(() =>
    {
        // The golden files are cached across tests: load them outside any scope.
        foreach (var group in new[] { "core", "loss", "modules", "norm", "optim", "reduce", "seq", "shape", "packed" })
        {
            Golden.Load(group);
        }

        return true;
    });

    /// <inheritdoc />
    public override void Before(MethodInfo methodUnderTest)
    {
        if (Enabled && TensorScope.Current is null)
        {
            _ = GoldenLoaded.Value;
            Scopes[Environment.CurrentManagedThreadId] = TensorScope.Begin();
        }
    }

    /// <inheritdoc />
    public override void After(MethodInfo methodUnderTest)
    {
        if (Enabled && Scopes.TryRemove(Environment.CurrentManagedThreadId, out var scope))
        {
            scope.Dispose();
        }
    }
}
