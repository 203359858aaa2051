using System.Runtime.CompilerServices;
using ParamGen.Tensors.Memory;

namespace ParamGen.Tensors.Tests.Memory;

/// <summary>
/// Turns on the pool's poison mode for the whole test run: uninitialised storage (Tensor.Uninitialized,
/// TensorPool.Rent) is NaN-filled and returned arrays are NaN-filled, so an op that reads memory it did not
/// write, or keeps a recycled buffer, fails the tests instead of passing by luck.
/// </summary>
internal static class PoisonSwitch
{
#pragma warning disable CA2255 // a test assembly is the place for a run-wide switch
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void TurnOn() => TensorPool.PoisonUninitialized = true;
}
