using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Tests.Fused;

/// <summary>Large same-shape and scalar arithmetic is split over threads; every bit must stay as one thread computes it.</summary>
[Collection("Attention thread count")]
public class ParallelElementwiseTests
{
    [Fact]
    public void LargeArithmeticGivesTheScalarResultsForAnyThreadCount()
    {
        const int N = 300_001;
        var a = Tensor.Randn([N], new Generator(1));
        var b = Tensor.Randn([N], new Generator(2)) + 3f;
        int saved = Engine.NumThreads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Engine.NumThreads = threads;
                var sum = (a + b).ToArray();
                var prod = (a * b).ToArray();
                var quot = (a / b).ToArray();
                var diff = (a - b).ToArray();
                var max = a.Maximum(b).ToArray();
                var scaled = (a * 0.37f).ToArray();
                var shifted = (a + 1.5f).ToArray();
                var (xs, ys) = (a.ToArray(), b.ToArray());
                for (int i = 0; i < N; i++)
                {
                    Assert.Equal(xs[i] + ys[i], sum[i]);
                    Assert.Equal(xs[i] * ys[i], prod[i]);
                    Assert.Equal(xs[i] / ys[i], quot[i]);
                    Assert.Equal(xs[i] - ys[i], diff[i]);
                    Assert.Equal(MathF.Max(xs[i], ys[i]), max[i]);
                    Assert.Equal(xs[i] * 0.37f, scaled[i]);
                    Assert.Equal(xs[i] + 1.5f, shifted[i]);
                }
            }
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }
}
