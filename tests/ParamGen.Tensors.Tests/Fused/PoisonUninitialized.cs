using ParamGen.Tensors.Memory;

namespace ParamGen.Tensors.Tests.Fused;

/// <summary>The poison is on (Memory/PoisonSwitch.cs), so the fused-op tests really catch reads of unwritten output.</summary>
public class PoisonUninitializedTests
{
    [Fact]
    public void UninitialisedStorageIsNaNInTests()
    {
        Assert.True(TensorPool.PoisonUninitialized);
        Assert.All(Tensor.Uninitialized(new Shape(5000)).ToArray(), v => Assert.True(float.IsNaN(v)));
    }
}
