using ParamGen.Tensors;
using ParamGen.Training;

namespace ParamGen.Tests.Training;

public class SequenceLossesTests
{
    // Item embeddings E0 .. E3 (E0 is padding).
    private static readonly float[] Embeddings = [0, 0, 1, 2, -1, 0.5f, 0.5f, 0.5f];

    // Three positions: s0 = [1, 0] (target 1), s1 = [0.5, -1] (padding), s2 = [2, 1] (target 2).
    private static Tensor States() => Tensor.FromSpan([1, 0, 0.5f, -1, 2, 1], 1, 3, 2).RequiresGrad_();

    private static Tensor Targets() => Tensor.FromSpan([1, 0, 2], 1, 3);

    private static Tensor Negatives() => Tensor.FromSpan([2, 3, 0, 0, 1, 3], 1, 3, 2);

    private static Tensor Items() => Tensor.FromSpan(Embeddings, 4, 2);

    private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void CrossEntropy_IsFullSoftmaxOverEveryRowAtNonPaddingPositions()
    {
        // s0 scores [0, 1, -1, 0.5] (target 1); s2 scores [0, 4, -1.5, 1.5] (target 2).
        double p0 = -1 + Math.Log(1 + Math.E + Math.Exp(-1) + Math.Exp(0.5));
        double p2 = 1.5 + Math.Log(1 + Math.Exp(4) + Math.Exp(-1.5) + Math.Exp(1.5));
        float loss = SequenceLosses.CrossEntropy(States(), Items(), Targets()).Item();
        Assert.Equal((p0 + p2) / 2, loss, 5);
    }

    [Fact]
    public void SampledBce_IsPositiveLogSigmoidPlusNegativeTerms_AveragedOverPositions()
    {
        // s0: target 1 scores 1, negatives 2, 3 score -1, 0.5; s2: target 2 scores -1.5, negatives 1, 3 score 4, 1.5.
        double p0 = Softplus(-1) + Softplus(-1) + Softplus(0.5);
        double p2 = Softplus(1.5) + Softplus(4) + Softplus(1.5);
        float loss = SequenceLosses.SampledBce(States(), Items(), Targets(), Negatives()).Item();
        Assert.Equal((p0 + p2) / 2, loss, 5);
    }

    [Fact]
    public void SampledSoftmax_IsCrossEntropyOverTargetAndNegatives()
    {
        double p0 = -1 + Math.Log(Math.E + Math.Exp(-1) + Math.Exp(0.5));
        double p2 = 1.5 + Math.Log(Math.Exp(-1.5) + Math.Exp(4) + Math.Exp(1.5));
        float loss = SequenceLosses.SampledSoftmax(States(), Items(), Targets(), Negatives()).Item();
        Assert.Equal((p0 + p2) / 2, loss, 5);
    }

    [Fact]
    public void SampledBce_Gradient_MatchesTheClosedForm()
    {
        var states = States();
        SequenceLosses.SampledBce(states, Items(), Targets(), Negatives()).Backward();
        var g = states.Grad!.ToArray();

        // dL/ds0 = [(σ(1) - 1) E1 + σ(-1) E2 + σ(0.5) E3] / 2; the padding position gets nothing.
        double c1 = Sigmoid(1) - 1, c2 = Sigmoid(-1), c3 = Sigmoid(0.5);
        Assert.Equal(((c1 * 1) + (c2 * -1) + (c3 * 0.5)) / 2, g[0], 5);
        Assert.Equal(((c1 * 2) + (c2 * 0.5) + (c3 * 0.5)) / 2, g[1], 5);
        Assert.Equal(0f, g[2]);
        Assert.Equal(0f, g[3]);
    }

    [Theory]
    [InlineData("CrossEntropy")]
    [InlineData("SampledBce")]
    [InlineData("SampledSoftmax")]
    public void PaddingPositions_DoNotAffectTheLoss(string loss)
    {
        var a = States();
        var b = Tensor.FromSpan([1, 0, 99, -42, 2, 1], 1, 3, 2);
        Tensor Compute(Tensor s) => loss switch
        {
            "CrossEntropy" => SequenceLosses.CrossEntropy(s, Items(), Targets()),
            "SampledBce" => SequenceLosses.SampledBce(s, Items(), Targets(), Negatives()),
            _ => SequenceLosses.SampledSoftmax(s, Items(), Targets(), Negatives()),
        };

        Assert.Equal(Compute(a).Item(), Compute(b).Item());
    }

    [Fact]
    public void BadShapesAndIds_AreRejectedWithTheShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => SequenceLosses.SampledBce(States(), Items(), Targets(), Tensor.Zeros(1, 2, 2)));
        Assert.Contains("[1, 2, 2]", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => SequenceLosses.SampledSoftmax(States(), Items(), Tensor.Zeros(3), Negatives()));
        Assert.Contains("targets", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => SequenceLosses.SampledBce(States(), Items(), Targets(), Tensor.FromSpan([2, 7, 0, 0, 1, 3], 1, 3, 2)));
        Assert.Contains("candidate id 7", e.Message, StringComparison.Ordinal);
    }
}
