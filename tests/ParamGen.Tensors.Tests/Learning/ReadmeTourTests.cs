using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Serialization;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Learning;

/// <summary>The README's tour, line for line (paths moved to a temporary folder), so the README stays true.</summary>
public class ReadmeTourTests
{
    [Fact]
    public void TourRunsAndDoesWhatItSays()
    {
        var dir = Directory.CreateTempSubdirectory("pg-tour").FullName;

        var g = new Generator(seed: 42);
        var x = Tensor.Randn([64, 3], g);
        var w = Tensor.Randn([3, 1], g).RequiresGrad_();
        var y = (x.MatMul(w) - 1f).Pow(2f).Mean();
        y.Backward();
        Assert.Equal(new Shape(3, 1), w.Grad!.Shape);

        var model = new Sequential(new Linear(3, 32, generator: g), new Gelu(), new Linear(32, 1, generator: g));
        var optimizer = new AdamW(model.Parameters(), new AdamWOptions { LearningRate = 1e-3 });
        var schedule = new CosineAnnealing(optimizer, totalSteps: 1000, warmupSteps: 50);
        float first = 0, last = 0;
        for (int step = 0; step < 1000; step++)
        {
            optimizer.ZeroGrad();
            var loss = F.MseLoss(model.Forward(x), Tensor.Zeros(64, 1));
            loss.Backward();
            GradClip.ClipGradNorm(model.Parameters(), maxNorm: 1.0);
            optimizer.Step();
            schedule.Step();
            first = step == 0 ? loss.Item() : first;
            last = loss.Item();
        }

        Assert.True(last < first / 10, $"tour loss fell only from {first} to {last}");

        using (Grad.NoGrad())
        {
            var scores = model.Forward(x);
            var (top, idx) = scores.Reshape(-1).TopK(5);
            Assert.False(top.RequiresGrad);
            Assert.Equal(5, idx.NumElements);
        }

        model.Save(Path.Combine(dir, "model.safetensors"));
        Checkpoint.Save(Path.Combine(dir, "run.ckpt.safetensors"), model, optimizer, new CheckpointMetadata { Epoch = 1, Step = 1000 }, schedule, g);
        Assert.Equal(1000, Checkpoint.ReadMetadata(Path.Combine(dir, "run.ckpt.safetensors")).Step);
    }
}
