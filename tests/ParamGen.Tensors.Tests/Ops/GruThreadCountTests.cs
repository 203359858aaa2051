using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Optim;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>The GRU layer gives the same bits on one and two threads (runs alone: it changes NumThreads).</summary>
[Collection(EngineThreadsCollection.Name)]
public class GruThreadCountTests
{
    private static float[][] Run(int threads)
    {
        int saved = Engine.NumThreads;
        try
        {
            Engine.NumThreads = threads;

            // 61 rows, so the recurrence is cut into several row blocks, one of them ragged.
            var g = new Generator(31);
            Tensor[] xs =
            [
                Tensor.Randn([61, 7, 9], g), Tensor.Randn([61, 21], g), Tensor.Randn([63, 9], g).Mul(0.3f),
                Tensor.Randn([63, 21], g).Mul(0.3f), Tensor.Randn([63], g).Mul(0.3f), Tensor.Randn([63], g).Mul(0.3f),
            ];
            xs = xs.Select(x => x.Detach().RequiresGrad_()).ToArray();
            var (y, hn) = F.Gru(xs[0], xs[1], xs[2], xs[3], xs[4], xs[5]);
            y.Mul(Tensor.Randn([61, 7, 21], new Generator(32))).Sum().Add(hn.Sum()).Backward();
            return [y.ToArray(), hn.ToArray(), .. xs.Select(x => x.Grad!.ToArray())];
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }

    [Fact]
    public void OneAndTwoThreadsGiveBitwiseIdenticalStatesAndGradients()
    {
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Length, two.Length);
        for (int i = 0; i < one.Length; i++)
        {
            Assert.Equal(one[i], two[i]);
        }
    }
}
