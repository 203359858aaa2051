using ParamGen.Tensors;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Tests.Infrastructure;

namespace ParamGen.Tensors.Tests.Optim;

/// <summary>GradClip.ClipGradNorm agrees with torch.nn.utils.clip_grad_norm_ and rejects bad arguments.</summary>
public class GradClipTests
{
    private static Tensor[] ParamsWithGoldenGrads()
    {
        var file = Golden.Load("optim");
        return Enumerable.Range(0, 3).Select(j =>
        {
            var g = file[$"clip.g{j}"];
            return new Tensor(new float[g.NumElements], g.Shape.ToArray()) { Grad = g.Clone() };
        }).ToArray();
    }

    [Theory]
    [InlineData("clip.l2", 1.0, 2.0)]
    [InlineData("clip.l2_noclip", 100.0, 2.0)]
    [InlineData("clip.inf", 0.5, double.PositiveInfinity)]
    [InlineData("clip.l1", 2.0, 1.0)]
    [InlineData("clip.p3", 1.0, 3.0)]
    public void TotalNormAndClippedGradsMatchTorch(string name, double maxNorm, double normType)
    {
        var file = Golden.Load("optim");
        var ps = ParamsWithGoldenGrads();
        double total = GradClip.ClipGradNorm(ps, maxNorm, normType);
        Assert.Equal(file[$"{name}.total"].Item(), total, 1e-5 * Math.Abs(total));
        for (int j = 0; j < ps.Length; j++)
        {
            TensorAssert.Close(file[$"{name}.g{j}"], ps[j].Grad!, rtol: 1e-5, atol: 1e-7, $"{name} grad {j}");
        }
    }

    [Fact]
    public void ClippedGradientsHaveTheMaximumNorm()
    {
        var ps = ParamsWithGoldenGrads();
        double before = GradClip.ClipGradNorm(ps, 0.25);
        double after = GradClip.ClipGradNorm(ps, 1e9);
        Assert.True(before > 1);
        Assert.Equal(0.25, after, 1e-5);
    }

    [Fact]
    public void ParametersWithoutGradientsAreSkippedAndNoGradientsGiveZero()
    {
        var ps = ParamsWithGoldenGrads();
        var none = new Tensor(new float[4], 4);
        double withNone = GradClip.ClipGradNorm([.. ps, none], 1e9);
        Assert.Equal(GradClip.ClipGradNorm(ps, 1e9), withNone);
        Assert.Null(none.Grad);
        Assert.Equal(0.0, GradClip.ClipGradNorm([none], 1.0));
    }

    [Theory]
    [InlineData(-1.0, 2.0, "maxNorm")]
    [InlineData(double.NaN, 2.0, "maxNorm")]
    [InlineData(1.0, 0.0, "normType")]
    [InlineData(1.0, -2.0, "normType")]
    [InlineData(1.0, double.NaN, "normType")]
    public void BadArgumentsThrowNamingTheValueAndLeaveGradsUnchanged(double maxNorm, double normType, string param)
    {
        var ps = ParamsWithGoldenGrads();
        var before = ps.Select(p => p.Grad!.ToArray()).ToArray();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GradClip.ClipGradNorm(ps, maxNorm, normType));
        Assert.Equal(param, e.ParamName);
        Assert.Contains(param == "maxNorm" ? $"{maxNorm}" : $"{normType}", e.Message);
        for (int j = 0; j < ps.Length; j++)
        {
            Assert.Equal(before[j], ps[j].Grad!.ToArray());
        }
    }

    [Fact]
    public void NonfiniteNormThrowsWhenAskedAndLeavesGradsUnchanged()
    {
        var p = new Tensor(new float[3], 3) { Grad = new Tensor([1f, float.PositiveInfinity, 2f], 3) };
        var e = Assert.Throws<InvalidOperationException>(() => GradClip.ClipGradNorm([p], 1.0, errorIfNonfinite: true));
        Assert.Contains("2-norm", e.Message);
        Assert.Contains("Infinity", e.Message);
        Assert.Equal([1f, float.PositiveInfinity, 2f], p.Grad!.ToArray());
    }

    [Fact]
    public void NonfiniteNormScalesByZeroLikeTorchByDefault()
    {
        // torch: clip_coef = max_norm / (inf + 1e-6) = 0, so finite entries become 0 and the infinite one NaN.
        var p = new Tensor(new float[3], 3) { Grad = new Tensor([1f, float.PositiveInfinity, 2f], 3) };
        double total = GradClip.ClipGradNorm([p], 1.0);
        Assert.Equal(double.PositiveInfinity, total);
        var g = p.Grad!.ToArray();
        Assert.Equal(0f, g[0]);
        Assert.True(float.IsNaN(g[1]));
        Assert.Equal(0f, g[2]);
    }
}
