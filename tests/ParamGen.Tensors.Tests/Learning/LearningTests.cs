using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Learning;

/// <summary>Models built from the engine learn: loss falls and a planted pattern is found.</summary>
public class LearningTests
{
    [Fact]
    public void MlpFitsAPlantedNonlinearFunction()
    {
        var g = new Generator(17);
        var model = new Sequential(new Linear(3, 64, generator: g), new Tanh(), new Linear(64, 64, generator: g), new Tanh(), new Linear(64, 1, generator: g));
        var optimizer = new Adam(model.Parameters(), new AdamOptions { LearningRate = 1e-2 });
        var (xTrain, yTrain) = Planted(256, g);
        var (xTest, yTest) = Planted(512, g);
        float initial = TestLoss(model, xTest, yTest);

        for (int step = 0; step < 400; step++)
        {
            optimizer.ZeroGrad();
            var loss = F.MseLoss(model.Forward(xTrain), yTrain);
            loss.Backward();
            optimizer.Step();
        }

        float final = TestLoss(model, xTest, yTest);
        Assert.True(final < 0.02f, $"held-out MSE {final} (initial {initial})");
        Assert.True(final < initial / 20, $"held-out MSE fell only from {initial} to {final}");
    }

    /// <summary>y = sin(2 x0) + x1 * x2 on x ~ U(-1, 1)^3.</summary>
    private static (Tensor X, Tensor Y) Planted(int n, Generator g)
    {
        var x = Tensor.Rand([n, 3], g) * 2f - 1f;
        var y = Tensor.Zeros(n, 1);
        for (int i = 0; i < n; i++)
        {
            y[i, 0] = MathF.Sin(2 * x[i, 0]) + (x[i, 1] * x[i, 2]);
        }

        return (x, y);
    }

    private static float TestLoss(Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        using var _ = Grad.NoGrad();
        return F.MseLoss(model.Forward(x), y).Item();
    }

    [Fact]
    public void TinyTransformerLearnsToCopyTheTokenTwoStepsBack()
    {
        const int Vocab = 12, Length = 10, Dim = 32, Batch = 32;
        var g = new Generator(5);
        var model = new ShiftModel(Vocab, Length, Dim, g);
        var optimizer = new AdamW(model.Parameters(), new AdamWOptions { LearningRate = 5e-3, WeightDecay = 0 });
        float firstLoss = 0, lastLoss = 0;
        for (int step = 0; step < 500; step++)
        {
            var (x, y) = ShiftBatch(Batch, Length, Vocab, g);
            optimizer.ZeroGrad();
            var loss = F.CrossEntropy(model.Forward(x).Reshape(-1, Vocab), y.Reshape(-1), ignoreIndex: -1);
            loss.Backward();
            optimizer.Step();
            if (step == 0)
            {
                firstLoss = loss.Item();
            }

            lastLoss = loss.Item();
        }

        var (tx, ty) = ShiftBatch(256, Length, Vocab, new Generator(1234));
        double accuracy;
        using (Grad.NoGrad())
        {
            model.Eval();
            var predicted = model.Forward(tx).ArgMax(-1); // [256, L]
            int correct = 0, total = 0;
            for (int b = 0; b < 256; b++)
            {
                for (int t = 2; t < Length; t++)
                {
                    correct += predicted[b, t] == ty[b, t] ? 1 : 0;
                    total++;
                }
            }

            accuracy = (double)correct / total;
        }

        Assert.True(lastLoss < firstLoss / 4, $"loss fell only from {firstLoss} to {lastLoss}");
        Assert.True(accuracy > 0.95, $"copy accuracy {accuracy:P1} (chance {1.0 / Vocab:P1})");
    }

    /// <summary>Random tokens; the target at position t is the token at t - 2 (ignored for t &lt; 2).</summary>
    private static (Tensor X, Tensor Y) ShiftBatch(int batch, int length, int vocab, Generator g)
    {
        var x = Tensor.RandInt(0, vocab, [batch, length], g);
        var y = Tensor.Full(-1f, batch, length);
        for (int b = 0; b < batch; b++)
        {
            for (int t = 2; t < length; t++)
            {
                y[b, t] = x[b, t - 2];
            }
        }

        return (x, y);
    }

    private sealed class ShiftModel : Module<Tensor, Tensor>
    {
        private readonly Embedding _tokens;
        private readonly Embedding _positions;
        private readonly TransformerBlock _block;
        private readonly Linear _head;

        public ShiftModel(int vocab, int length, int dim, Generator g)
        {
            _tokens = RegisterModule("tok", new Embedding(vocab, dim, generator: g));
            _positions = RegisterModule("pos", new Embedding(length, dim, generator: g));
            _block = RegisterModule("block", new TransformerBlock(dim, 2, 2 * dim, dropout: 0f, activation: TransformerActivation.Gelu, normFirst: true, generator: g));
            _head = RegisterModule("head", new Linear(dim, vocab, generator: g));
        }

        public override Tensor Forward(Tensor x)
        {
            var h = _tokens.Forward(x) + _positions.Forward(Tensor.Arange(x.Shape[1]).Unsqueeze(0)); // [B, L, d]
            h = _block.Forward(h, isCausal: true);                                                  // [B, L, d]
            return _head.Forward(h);                                                                // [B, L, V]
        }
    }
}
