using ParamGen.Tensors.Memory;
using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Tests.Memory;

/// <summary>
/// Matrix products inside a <see cref="TensorScope"/> take their output from the pool, so a loop of scoped
/// products (sgemm_N_scoped in the benchmarks) allocates nothing after the first step, and the values are the
/// same as unscoped.
/// </summary>
[Collection(MemorySerialCollection.Name)]
public class MatMulPoolingTests
{
    [Fact]
    public void ScopedMatMulAndBmmOutputsArePooledAndReusedEveryStep()
    {
        var g = new Generator(21);
        var a = Tensor.Randn([96, 80], g);
        var b = Tensor.Randn([80, 72], g);
        var x = Tensor.Randn([3, 40, 16], g);
        var y = Tensor.Randn([3, 16, 24], g);
        var expectedProduct = a.MatMul(b).ToArray();
        var expectedBatched = x.Bmm(y).ToArray();
        for (int step = 0; step < 3; step++)
        {
            var before = MemoryStats.Capture();
            using (TensorScope.Begin())
            {
                var c = a.MatMul(b);       // [96, 72]
                var d = x.Bmm(y);          // [3, 40, 24]
                var e = x.MatMul(y);       // [3, 40, 24], the broadcasting path
                Assert.NotNull(c.Storage);
                Assert.NotNull(d.Storage);
                Assert.NotNull(e.Storage);
                Assert.Equal(expectedProduct, c.ToArray());
                Assert.Equal(expectedBatched, d.ToArray());
                Assert.Equal(expectedBatched, e.ToArray());
            }

            var stats = MemoryStats.Capture().Since(before);
            Assert.True(stats.PoolRentedBytes >= ((96 * 72) + (2 * 3 * 40 * 24)) * sizeof(float), stats.ToString());
            Assert.Equal(stats.PoolRentedBytes, stats.PoolReturnedBytes);
            if (step > 0)
            {
                Assert.Equal(0, stats.PoolFreshBytes); // every output came from the previous step's arrays
            }
        }
    }

    [Fact]
    public void ScopedBatchedProductWithAnEmptyInnerDimensionIsZeros()
    {
        // The output is not zeroed before the GEMM (beta 0 writes every element); with k = 0 the GEMM must
        // still write zeros over the pooled (NaN-poisoned in the tests) storage.
        using var scope = TensorScope.Begin();
        var d = Tensor.Zeros(4, 8, 0).Bmm(Tensor.Zeros(4, 0, 16));
        Assert.Equal(new Shape(4, 8, 16), d.Shape);
        Assert.All(d.ToArray(), v => Assert.Equal(0f, v));
    }
}
