using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>TopK: PyTorch agreement, a sort-based reference, ties, gradients and bad k.</summary>
public class TopKTests
{
    private const string Group = "seq";

    private static Tensor[] Pair((Tensor Values, Tensor Indices) r) => [r.Values, r.Indices];

    [Fact]
    public void TopKMatchesTorch()
    {
        Golden.Run(Group, "topk.largest", x => Pair(x[0].TopK(5)));
        Golden.Run(Group, "topk.smallest_dim1", x => Pair(x[0].TopK(3, dim: 1, largest: false)));
        Golden.Run(Group, "topk.k1_dim0", x => Pair(x[0].TopK(1, dim: 0)));
        Golden.Run(Group, "topk.all", x => Pair(x[0].TopK(33)));
    }

    [Fact]
    public void PartialSelectionAgreesWithAStableSortForEveryLengthAndK()
    {
        var g = new Generator(51);
        for (int n = 1; n <= 70; n++)
        {
            // Small integers, so rows are full of ties that the index order must break.
            var x = Tensor.RandInt(-4, 5, [n], g);
            var xs = x.ToArray();
            foreach (int k in new[] { 0, 1, n / 3, n / 2, n - 1, n }.Where(k => k >= 0 && k <= n).Distinct())
            {
                foreach (bool largest in new[] { true, false })
                {
                    var order = Enumerable.Range(0, n)
                        .OrderBy(i => largest ? -xs[i] : xs[i])
                        .ThenBy(i => i)
                        .Take(k)
                        .ToArray();
                    var (values, indices) = x.TopK(k, largest: largest);
                    Assert.Equal(order.Select(i => (float)i).ToArray(), indices.ToArray());
                    Assert.Equal(order.Select(i => xs[i]).ToArray(), values.ToArray());
                }
            }
        }
    }

    [Fact]
    public void LongRows_SelectExactlyWhatTheScalarReferenceSelects_TiesAndInfinitiesIncluded()
    {
        var g = new Generator(52);
        foreach (int n in new[] { 64, 65, 100, 1000, 12101 })
        {
            var ties = Tensor.RandInt(-20, 21, [n], g).ToArray();       // many equal values
            var spread = Tensor.Randn([n], g).ToArray();                  // few
            var extremes = (float[])spread.Clone();
            extremes[n / 2] = float.PositiveInfinity;
            extremes[n / 3] = float.NegativeInfinity;
            extremes[n - 1] = float.PositiveInfinity;
            foreach (var row in new[] { ties, spread, extremes })
            {
                foreach (int k in new[] { 1, 10, 50, n - 1 }.Where(k => k <= n))
                {
                    foreach (bool largest in new[] { true, false })
                    {
                        var fast = new int[k];
                        var reference = new int[k];
                        ParamGen.Tensors.Kernels.TopKSelect.Select(row, fast, largest);
                        ParamGen.Tensors.Kernels.TopKSelect.SelectScalar(row, reference, largest);
                        Assert.Equal(reference, fast);
                    }
                }
            }
        }
    }

    [Fact]
    public void NaNRanksAboveEveryNumber_InLongRowsToo()
    {
        var row = Enumerable.Range(0, 200).Select(i => (float)i).ToArray();
        row[7] = float.NaN;
        var x = new Tensor(row, 200);
        Assert.Equal([7f, 199f, 198f], x.TopK(3).Indices.ToArray());
        Assert.Equal([0f, 1f, 2f], x.TopK(3, largest: false).Indices.ToArray());
    }

    [Fact]
    public void NaNRanksAboveEveryNumber()
    {
        var x = new Tensor([1f, float.NaN, 3f, -2f], 4);
        Assert.Equal([1f, 2f], x.TopK(2).Indices.ToArray());
        Assert.Equal([3f, 0f], x.TopK(2, largest: false).Indices.ToArray());
    }

    [Fact]
    public void GradientGoesToTheSelectedElementsOnly()
    {
        var x = new Tensor([0.5f, 4f, -1f, 2f, 3f], 5).RequiresGrad_();
        var (v, _) = x.TopK(2);
        v.Mul(new Tensor([10f, 20f], 2)).Sum().Backward();
        Assert.Equal([0f, 10f, 0f, 0f, 20f], x.Grad!.ToArray());
    }

    /// <summary>Values 0.1 apart in random order: finite differences never reorder them.</summary>
    private static Tensor Distinct(Generator g, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = (i * 0.1f) - 1f;
        }

        for (int i = s.Length - 1; i > 0; i--)
        {
            int j = g.NextInt(i + 1);
            (s[i], s[j]) = (s[j], s[i]);
        }

        return t;
    }

    [Theory]
    [InlineData(new[] { 17 }, 4, -1, true)]
    [InlineData(new[] { 3, 33 }, 7, 1, false)]
    [InlineData(new[] { 5, 7, 3 }, 2, 1, true)]
    [InlineData(new[] { 6, 1, 4 }, 6, 0, false)]
    [InlineData(new[] { 1 }, 1, 0, true)]
    public void GradientsMatchFiniteDifferences(int[] shape, int k, int dim, bool largest)
    {
        GradCheck.Check(x => x[0].TopK(k, dim, largest).Values, [Distinct(new Generator(52), shape)]);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(-1)]
    public void KOutsideTheDimensionThrowsAndLeavesInputUnchanged(int k)
    {
        var x = Tensor.Randn([3, 5], new Generator(53));
        var before = x.ToArray();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => x.TopK(k));
        Assert.Contains($"k = {k}", e.Message);
        Assert.Contains("[3, 5]", e.Message);
        Assert.Equal(before, x.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => x.TopK(1, dim: 2));
    }
}
