using System.Reflection;
using ParamGen.Tensors;
using ParamGen.Tensors.Memory;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using ParamGen.Tensors.Tests.Nn;
using ParamGen.Tensors.Tests.Optim;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Memory;

/// <summary>Pooled, scoped storage changes no number: training and golden cases give the same results inside scopes.</summary>
public class ScopedTrainingTests
{
    [Fact]
    public void TinyMlpTrainedWithAScopePerStepEndsWithBitwiseIdenticalState()
    {
        const int Steps = 12;
        var plain = Train(scoped: false);
        var scoped = Train(scoped: true);
        Assert.Equal(plain.Keys.Order(), scoped.Keys.Order());
        foreach (var (key, values) in plain)
        {
            Assert.Equal(TensorScopeTests.Bits(values), TensorScopeTests.Bits(scoped[key]));
        }

        static Dictionary<string, float[]> Train(bool scoped)
        {
            var g = new Generator(42);
            var (x, y) = TrainingLoop.Data(g);
            var (model, opt, schedule) = TrainingLoop.Create(g);
            for (int s = 0; s < Steps; s++)
            {
                using var scope = scoped ? TensorScope.Begin() : null;
                TrainingLoop.Train(model, opt, schedule, x, y, g, steps: 1);
            }

            return model.Snapshot();
        }
    }

    [Fact]
    public void TransformerWithDropoutTrainedWithAScopePerStepGivesBitwiseIdenticalLossesAndWeights()
    {
        var (plainLosses, plainWeights) = CopyTask.Train(scoped: false, steps: 15);
        var (scopedLosses, scopedWeights) = CopyTask.Train(scoped: true, steps: 15);
        Assert.Equal(TensorScopeTests.Bits(plainLosses), TensorScopeTests.Bits(scopedLosses));
        Assert.Equal(plainWeights.Count, scopedWeights.Count);
        for (int i = 0; i < plainWeights.Count; i++)
        {
            Assert.Equal(TensorScopeTests.Bits(plainWeights[i]), TensorScopeTests.Bits(scopedWeights[i]));
        }

        Assert.True(plainLosses[^1] < plainLosses[0]); // it does train
    }

    [Fact]
    public void ModuleGoldenCasesPassInsideAScope()
    {
        foreach (var group in new[] { "modules", "core", "seq" })
        {
            Golden.Load(group); // cached across tests: load outside any scope
        }

        var cases = typeof(ModuleGoldenTests).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<FactAttribute>() is not null)
            .ToList();
        Assert.True(cases.Count >= 10);
        foreach (var m in cases)
        {
            var instance = new ModuleGoldenTests();
            Tensor probe;
            using (TensorScope.Begin())
            {
                m.Invoke(instance, null);
                probe = Tensor.Zeros(1000);
            }

            Assert.True(probe.IsDisposed);
        }
    }

    [Fact]
    public void LearningTestsPassWithTheirBodiesInsideAScope()
    {
        var tests = typeof(Learning.LearningTests).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<FactAttribute>() is not null)
            .ToList();
        Assert.Equal(2, tests.Count);
        foreach (var m in tests)
        {
            using (TensorScope.Begin())
            {
                m.Invoke(new Learning.LearningTests(), null);
            }
        }
    }

    /// <summary>A one-block transformer learning to copy the token two steps back, with dropout, clipping and AdamW.</summary>
    internal static class CopyTask
    {
        public const int Vocab = 12, Length = 10, Dim = 32, Batch = 16;

        public static (float[] Losses, List<float[]> Weights) Train(bool scoped, int steps)
        {
            var g = new Generator(9);
            var tokens = new Embedding(Vocab, Dim, generator: g);
            var positions = new Embedding(Length, Dim, generator: g);
            var block = new TransformerBlock(Dim, 2, 2 * Dim, dropout: 0.1f, activation: TransformerActivation.Gelu, normFirst: true, generator: g);
            var head = new Linear(Dim, Vocab, generator: g);
            var parameters = tokens.Parameters().Concat(positions.Parameters()).Concat(block.Parameters()).Concat(head.Parameters()).ToList();
            var opt = new AdamW(parameters, new AdamWOptions { LearningRate = 5e-3 });
            var losses = new float[steps];
            for (int step = 0; step < steps; step++)
            {
                using var scope = scoped ? TensorScope.Begin() : null;
                var x = Tensor.RandInt(0, Vocab, [Batch, Length], g); // [B, L]
                var y = Tensor.Full(-1f, Batch, Length);              // [B, L]
                for (int b = 0; b < Batch; b++)
                {
                    for (int t = 2; t < Length; t++)
                    {
                        y[b, t] = x[b, t - 2];
                    }
                }

                opt.ZeroGrad();
                var h = tokens.Forward(x) + positions.Forward(Tensor.Arange(Length).Unsqueeze(0)); // [B, L, d]
                h = block.Forward(h, isCausal: true);                                             // [B, L, d]
                var loss = F.CrossEntropy(head.Forward(h).Reshape(-1, Vocab), y.Reshape(-1), ignoreIndex: -1);
                loss.Backward();
                GradClip.ClipGradNorm(parameters, 1.0);
                opt.Step();
                losses[step] = loss.Item();
            }

            return (losses, parameters.Select(p => p.ToArray()).ToList());
        }
    }
}
