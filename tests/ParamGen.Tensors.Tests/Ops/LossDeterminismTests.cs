using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Runs alone: it changes the process-wide <see cref="Engine.NumThreads"/>.</summary>
[CollectionDefinition(nameof(LossThreadCountCollection), DisableParallelization = true)]
public class LossThreadCountCollection;

/// <summary>The fused cross-entropy is parallel over rows; its result must not depend on the thread count.</summary>
[Collection(nameof(LossThreadCountCollection))]
public class LossDeterminismTests
{
    [Fact]
    public void CrossEntropyIsTheSameForAnyThreadCount()
    {
        var g = new Generator(8);
        var x = Tensor.Randn([64, 1500], g);
        var t = LossGradCheckTests.Targets(g, 1500, [64], ignore: -100);
        int saved = Engine.NumThreads;
        try
        {
            float[] Run(int threads)
            {
                Engine.NumThreads = threads;
                var xi = x.Clone().RequiresGrad_();
                var l = F.CrossEntropy(xi, t, labelSmoothing: 0.1f);
                l.Backward();
                return [l.Item(), .. xi.Grad!.ToArray()];
            }

            Assert.Equal(Run(1), Run(4));
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }
}
