using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Optim;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Group batch norm gives the same bits on one and two threads (runs alone: it changes NumThreads).</summary>
[Collection(EngineThreadsCollection.Name)]
public class GroupNormThreadCountTests
{
    private static float[][] Run(int threads)
    {
        int saved = Engine.NumThreads;
        try
        {
            Engine.NumThreads = threads;

            // 45 channels: three channel blocks, the last ragged and not a multiple of the vector width; enough rows
            // that both the statistics and the row passes are split.
            var g = new Generator(51);
            var x = Tensor.Randn([64, 40, 45], g).Mul(2f).Add(1f).RequiresGrad_();
            var groups = Enumerable.Range(0, 64).Select(i => i % 3).ToArray();
            var include = Enumerable.Range(0, 64 * 40).Select(r => r % 40 < 10 + (r / 40 % 30)).ToArray();
            var (rm, rv) = (Tensor.Zeros(4, 45), Tensor.Ones(4, 45));
            var y = F.GroupBatchNorm(x, groups, 4, rm, rv, include, training: true);
            y.Mul(Tensor.Randn([64, 40, 45], new Generator(52))).Sum().Backward();
            return [y.ToArray(), rm.ToArray(), rv.ToArray(), x.Grad!.ToArray()];
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }

    [Fact]
    public void OneAndTwoThreadsGiveBitwiseIdenticalOutputsStatsAndGradients()
    {
        var one = Run(1);
        var two = Run(2);
        for (int i = 0; i < one.Length; i++)
        {
            Assert.Equal(one[i], two[i]);
        }
    }
}
