using ParamGen.Tensors;
using ParamGen.Tensors.Memory;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;
using Xunit.Abstractions;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Memory;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemorySerialCollection
{
    /// <summary>Tests that read process-wide allocation counters or change the pool's cap run alone.</summary>
    public const string Name = "Memory (serial)";
}

/// <summary>A scope per training step keeps the garbage collector out of the loop, and the pool honours its cap.</summary>
[Collection(MemorySerialCollection.Name)]
public class AllocationTests(ITestOutputHelper output)
{
    [Fact]
    public void TrainingWithAScopePerStepAllocatesFarFewerManagedBytesAndGivesIdenticalWeights()
    {
        const int Steps = 8;
        var (plainBytes, plainWeights) = Run(scoped: false);
        var (scopedBytes, scopedWeights) = Run(scoped: true);
        double ratio = scopedBytes / (double)plainBytes;
        output.WriteLine($"managed bytes per step: {plainBytes / Steps / 1024.0:F0} KiB without a scope, {scopedBytes / Steps / 1024.0:F0} KiB with one (ratio {ratio:F3})");
        Assert.True(ratio < 0.3, $"a scope per step allocated {scopedBytes} managed bytes against {plainBytes} without (ratio {ratio:F3})");
        for (int i = 0; i < plainWeights.Count; i++)
        {
            Assert.Equal(TensorScopeTests.Bits(plainWeights[i]), TensorScopeTests.Bits(scopedWeights[i]));
        }

        static (long Bytes, List<float[]> Weights) Run(bool scoped)
        {
            var g = new Generator(11);
            // Activations outweigh the parameters, as in a recommender step (a batch of 512 rows).
            var model = new Sequential(new Linear(32, 128, generator: g), new Gelu(), new LayerNorm(128), new Linear(128, 128, generator: g), new Tanh(), new Linear(128, 16, generator: g));
            var opt = new Adam(model.Parameters(), new AdamOptions { LearningRate = 1e-3 });
            var x = Tensor.Randn([512, 32], g);
            var y = Tensor.Randn([512, 16], g);
            void Step()
            {
                using var scope = scoped ? TensorScope.Begin() : null;
                opt.ZeroGrad();
                var loss = F.MseLoss(model.Forward(x), y);
                loss.Backward();
                opt.Step();
            }

            Step(); // warm-up: fills the pool, creates the optimizer state
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int s = 0; s < Steps; s++)
            {
                Step();
            }

            long bytes = GC.GetTotalAllocatedBytes(precise: true) - before;
            return (bytes, model.Parameters().Select(p => p.ToArray()).ToList());
        }
    }

    [Fact]
    public void MemoryStatsReportWhatAScopedStepRentedAndReturned()
    {
        var g = new Generator(12);
        var w = Tensor.Randn([256, 256], g).RequiresGrad_();
        var x = Tensor.Randn([128, 256], g);
        for (int warm = 0; warm < 2; warm++)
        {
            using (TensorScope.Begin())
            {
                x.MatMul(w).Relu().Sum().Backward();
            }
        }

        var before = MemoryStats.Capture();
        using (TensorScope.Begin())
        {
            x.MatMul(w).Relu().Sum().Backward();
        }

        var step = MemoryStats.Capture().Since(before);
        output.WriteLine(step.ToString());
        Assert.True(step.PoolRentedBytes >= 2 * 128 * 256 * sizeof(float)); // at least the product and the ReLU
        Assert.Equal(step.PoolRentedBytes, step.PoolReturnedBytes);       // everything came back
        Assert.Equal(step.PoolRentedBytes, step.PoolReusedBytes);         // all of it from the previous step
        Assert.Equal(0, step.PoolFreshBytes);
        Assert.True(step.PoolRetainedBytes >= step.PoolRentedBytes);
    }

    [Fact]
    public void RetainedBytesStayUnderTheCapAndTrimEmptiesThePool()
    {
        long old = TensorPool.MaxRetainedBytes;
        try
        {
            TensorPool.MaxRetainedBytes = 1 << 20;
            Assert.True(TensorPool.RetainedBytes <= 1 << 20);
            var before = MemoryStats.Capture();
            var arrays = Enumerable.Range(0, 10).Select(_ => TensorPool.Rent(100_000)).ToList();
            arrays.ForEach(TensorPool.Return);
            var after = MemoryStats.Capture().Since(before);
            Assert.True(TensorPool.RetainedBytes <= 1 << 20);
            Assert.True(after.PoolDroppedBytes >= 7 * 100_000 * sizeof(float));
            TensorPool.Trim();
            Assert.Equal(0, TensorPool.RetainedBytes);
            Assert.Throws<ArgumentOutOfRangeException>(() => TensorPool.MaxRetainedBytes = -1);
        }
        finally
        {
            TensorPool.MaxRetainedBytes = old;
        }
    }

    [Fact]
    public void AtTheCapTheLeastRecentlyUsedSizeClassIsDroppedFirst()
    {
        long old = TensorPool.MaxRetainedBytes;
        try
        {
            TensorPool.Trim();
            TensorPool.MaxRetainedBytes = 1 << 20;
            var stale = TensorPool.Rent(90_000);    // ~360 KiB, used once
            var fresh = TensorPool.Rent(70_000);    // ~280 KiB, used every "step"
            var fresh2 = TensorPool.Rent(70_000);
            var fresh3 = TensorPool.Rent(70_000);
            TensorPool.Return(stale);
            TensorPool.Return(fresh);
            TensorPool.Return(fresh2);
            TensorPool.Return(fresh3);             // does not fit: the stale class makes room
            Assert.True(TensorPool.RetainedBytes <= 1 << 20);
            Assert.NotSame(stale, TensorPool.Rent(90_000));
            var again = new[] { TensorPool.Rent(70_000), TensorPool.Rent(70_000), TensorPool.Rent(70_000) };
            Assert.Equal(3, again.Intersect(new[] { fresh, fresh2, fresh3 }).Count());
        }
        finally
        {
            TensorPool.MaxRetainedBytes = old;
        }
    }
}
