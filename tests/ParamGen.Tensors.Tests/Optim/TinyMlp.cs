using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Optim;

/// <summary>A dense layer built from core ops only (Functional.Linear), so these tests do not depend on nn modules.</summary>
internal sealed class Dense : Module
{
    public Dense(int inputs, int outputs, Generator g)
    {
        Weight = RegisterParameter("weight", new Parameter(Tensor.Randn([outputs, inputs], g).Mul(1f / MathF.Sqrt(inputs))))!;
        Bias = RegisterParameter("bias", new Parameter(Tensor.Randn([outputs], g).Mul(0.1f)))!;
    }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public Tensor Forward(Tensor x) => F.Linear(x, Weight, Bias);
}

/// <summary>Two dense layers with a ReLU between them, plus a persistent buffer so checkpoints carry one.</summary>
internal sealed class TinyMlp : Module
{
    public TinyMlp(int inputs, int hidden, int outputs, Generator g)
    {
        Fc1 = RegisterModule("fc1", new Dense(inputs, hidden, g));
        Fc2 = RegisterModule("fc2", new Dense(hidden, outputs, g));
        Seen = RegisterBuffer("seen", Tensor.Zeros(1))!;
    }

    public Dense Fc1 { get; }

    public Dense Fc2 { get; }

    public Tensor Seen { get; }

    public Tensor Forward(Tensor x) => Fc2.Forward(Fc1.Forward(x).Relu()); // [B, out]

    /// <summary>Copies of every state tensor, for bitwise comparisons.</summary>
    public Dictionary<string, float[]> Snapshot() => StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
}

/// <summary>A deterministic training loop: minibatches drawn with the generator, MSE written with core ops, clipping, a schedule.</summary>
internal static class TrainingLoop
{
    public const int Inputs = 24, Hidden = 40, Outputs = 5, Samples = 96, Batch = 16;

    public static (Tensor X, Tensor Y) Data(Generator g) =>
        (Tensor.Randn([Samples, Inputs], g), Tensor.Randn([Samples, Outputs], g));

    public static (TinyMlp Model, AdamW Optimizer, CosineAnnealing Schedule) Create(Generator g)
    {
        var model = new TinyMlp(Inputs, Hidden, Outputs, g);
        var opt = new AdamW(
            [
                new ParamGroup(model.Fc1.Parameters(), new AdamWOptions { LearningRate = 0.01, Amsgrad = true }),
                new ParamGroup(model.Fc2.Parameters(), new AdamWOptions { LearningRate = 0.005, WeightDecay = 0.1 }),
            ]);
        return (model, opt, new CosineAnnealing(opt, totalSteps: 12, warmupSteps: 2, minLr: 1e-4));
    }

    public static void Train(TinyMlp model, Optimizer opt, LrScheduler? schedule, Tensor x, Tensor y, Generator g, int steps, int batch = Batch)
    {
        for (int s = 0; s < steps; s++)
        {
            var xb = Tensor.Zeros(batch, x.Shape[1]); // [b, in]
            var yb = Tensor.Zeros(batch, y.Shape[1]); // [b, out]
            for (int i = 0; i < batch; i++)
            {
                int row = g.NextInt(x.Shape[0]);
                x.AsReadOnlySpan().Slice(row * x.Shape[1], x.Shape[1]).CopyTo(xb.Span.Slice(i * x.Shape[1]));
                y.AsReadOnlySpan().Slice(row * y.Shape[1], y.Shape[1]).CopyTo(yb.Span.Slice(i * y.Shape[1]));
            }

            var loss = model.Forward(xb).Sub(yb).Square().Mean();
            opt.ZeroGrad();
            loss.Backward();
            GradClip.ClipGradNorm(model.Parameters(), 1.0);
            opt.Step();
            schedule?.Step();
            model.Seen.Span[0] += 1;
        }
    }
}
