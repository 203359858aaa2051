using System.Runtime.CompilerServices;

namespace ParamGen.Tensors.Tests.Fused;

/// <summary>Every test runs with uninitialised op outputs filled with NaN, so an op that reads before it writes fails.</summary>
internal static class PoisonUninitialized
{
#pragma warning disable CA2255 // A test assembly's own start-up hook.
    [ModuleInitializer]
    internal static void Enable() => Functional.PoisonUninitialized = true;
#pragma warning restore CA2255
}

/// <summary>The poison is on, so the fused-op tests really catch reads of unwritten output.</summary>
public class PoisonUninitializedTests
{
    [Fact]
    public void UninitialisedStorageIsNaNInTests() => Assert.All(Functional.Uninitialized(new Shape(5000)).ToArray(), v => Assert.True(float.IsNaN(v)));
}
