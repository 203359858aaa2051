using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>
/// Process-wide properties of <see cref="F.LinearCrossEntropy"/>: results independent of the thread count, and
/// memory far below the <c>[N, C]</c> logits. Runs alone: it changes <see cref="Engine.NumThreads"/> and measures
/// the process's allocations.
/// </summary>
[Collection(nameof(LossThreadCountCollection))]
public class LinearCrossEntropyEngineTests
{
    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.None)]
    public void IsBitwiseTheSameForAnyThreadCount(Reduction reduction)
    {
        // 700 rows against 3000 classes: two chunks (672 rows and a tail of 28), large enough to run in parallel.
        var g = new Generator(50);
        var h = Tensor.Randn([700, 24], g);
        var w = Tensor.Randn([3000, 24], g) * 0.3f;
        var b = Tensor.Randn([3000], g);
        var t = LossGradCheckTests.Targets(g, 3000, [700], ignore: -100);
        var upstream = reduction == Reduction.None ? Tensor.Randn([700], g) : Tensor.Scalar(0.9f);
        int saved = Engine.NumThreads;
        try
        {
            float[] Run(int threads)
            {
                Engine.NumThreads = threads;
                var (loss, dh, dw, db) = LinearCrossEntropyTests.Run(
                    (hh, ww, bb) => F.LinearCrossEntropy(hh, ww, t, bb, reduction: reduction, labelSmoothing: 0.1f), h, w, b, upstream);
                return [.. loss.ToArray(), .. dh, .. dw, .. db!];
            }

            var one = Run(1);
            Assert.Equal(one, Run(2));
            Assert.Equal(one, Run(3));
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }

    [Fact]
    public void AllocatesFarLessThanTheLogits()
    {
        // 1024 rows x 50,000 classes: the logits alone would be 205 MB. The fused op needs its outputs (dH, dW, db),
        // the copies the autograd engine keeps of them, and one pooled chunk of a few MB.
        const int N = 1024, C = 50_000, D = 16;
        var g = new Generator(51);
        var h = Tensor.Randn([N, D], g).RequiresGrad_();
        var w = (Tensor.Randn([C, D], g) * 0.1f).Detach().RequiresGrad_();
        var b = Tensor.Zeros(C).RequiresGrad_();
        var t = Tensor.RandInt(0, C, [N], g);
        int saved = Engine.NumThreads;
        try
        {
            Engine.NumThreads = 1;
            void Step()
            {
                h.Grad = null;
                w.Grad = null;
                b.Grad = null;
                F.LinearCrossEntropy(h, w, t, b).Backward();
                F.LinearCrossEntropy(h, w, t, b, reduction: Reduction.None).Sum().Backward();
            }

            Step(); // warm the JIT and the buffer pool
            long before = GC.GetTotalAllocatedBytes(precise: true);
            Step();
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            const long Logits = 4L * N * C;
            Assert.True(allocated < Logits / 8, $"allocated {allocated / 1e6:F1} MB for two passes; the logits are {Logits / 1e6:F1} MB");
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }
}
