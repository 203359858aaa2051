using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using ParamGen.Tensors.Tests.Optim;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>
/// The packed ops against the same products built from ordinary ops (slice the packed tensor, gather rows, Bmm), on
/// shapes large enough to take every parallel path; bits on one and two threads; errors.
/// </summary>
[Collection(EngineThreadsCollection.Name)]
public class PackedKernelTests
{
    /// <summary>Reference: columns [offset, offset + k n) of the rows samples use, as [B, k, n], by Narrow/IndexSelect/Reshape.</summary>
    private static Tensor SlicedWeights(Tensor packed, int offset, int k, int n, int[]? rows)
    {
        var sel = rows is null ? packed : packed.IndexSelect(0, Tensor.FromSpan(rows.Select(r => (float)r).ToArray(), rows.Length));
        return sel.Narrow(1, offset, k * n).Reshape(sel.Shape[0], k, n);
    }

    private static Tensor Reference(Tensor x, Tensor packed, int offset, int n, int? biasOffset, int[]? rows)
    {
        int k = x.Shape[-1];
        var x3 = x.Rank == 3 ? x : x.Unsqueeze(1);
        var y = x3.Bmm(SlicedWeights(packed, offset, k, n, rows)); // [B, L, n]
        if (biasOffset is int bo)
        {
            var sel = rows is null ? packed : packed.IndexSelect(0, Tensor.FromSpan(rows.Select(r => (float)r).ToArray(), rows.Length));
            y = y.Add(sel.Narrow(1, bo, n).Unsqueeze(1));
        }

        return x.Rank == 3 ? y : y.Squeeze(1);
    }

    public static TheoryData<int, int, int, int, bool, bool> Shapes => new()
    {
        // batch, L (0 = [B, k] input), k, n, bias, row index
        { 64, 20, 32, 16, true, false },
        { 64, 20, 32, 19, false, true },
        { 37, 0, 24, 40, true, true },
        { 2, 256, 64, 64, true, false },  // few large entries: each uses every thread
        { 3, 200, 72, 80, false, true },
        { 5, 1, 3, 1, true, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesBmmOnTheSlicedViewForValuesAndGradients(int batch, int len, int k, int n, bool bias, bool indexed)
    {
        var g = new Generator((ulong)(batch + len + k + n));
        int groups = indexed ? 3 : batch;
        int p = 5 + (k * n) + n + 2;
        int[]? rows = indexed ? Enumerable.Range(0, batch).Select(i => (i * 7 % 5) % groups).ToArray() : null;
        int? biasOffset = bias ? 5 + (k * n) : null;
        var x = Tensor.Randn(len == 0 ? [batch, k] : [batch, len, k], g);
        var packed = Tensor.Randn([groups, p], g);
        var gy = Tensor.Randn(len == 0 ? [batch, n] : [batch, len, n], g);

        var (y1, dx1, dp1) = Run(x, packed, gy, (a, w) => F.PackedMatMul(a, w, 5, n, biasOffset, rows));
        var (y2, dx2, dp2) = Run(x, packed, gy, (a, w) => Reference(a, w, 5, n, biasOffset, rows));
        TensorAssert.Close(y2, y1, 1e-5, 1e-5, "output");
        TensorAssert.Close(dx2, dx1, 1e-5, 1e-5, "input gradient");
        TensorAssert.Close(dp2, dp1, 1e-5, 1e-4, "packed gradient");
        if (!indexed)
        {
            // Same GEMM kernels as Bmm: the forward product has the same bits.
            Assert.Equal(y2.ToArray(), y1.ToArray());
        }
    }

    private static (Tensor Y, Tensor Dx, Tensor Dp) Run(Tensor x, Tensor packed, Tensor gy, Func<Tensor, Tensor, Tensor> f)
    {
        var a = x.Clone().RequiresGrad_();
        var w = packed.Clone().RequiresGrad_();
        var y = f(a, w);
        y.Backward(gy);
        return (y.Detach(), a.Grad!, w.Grad!);
    }

    [Fact]
    public void RowIndexedWeightsEqualGatheringTheRowsFirst()
    {
        var g = new Generator(3);
        int[] rows = [1, 1, 0, 2, 1, 0, 0, 2];
        var x = Tensor.Randn([8, 6, 5], g);
        var packed = Tensor.Randn([3, 40], g);
        var gathered = packed.IndexSelect(0, Tensor.FromSpan(rows.Select(r => (float)r).ToArray(), 8)); // [8, 40]
        var byIndex = F.PackedMatMul(x, packed, 3, 6, 33, rows);
        var byRows = F.PackedMatMul(x, gathered, 3, 6, 33);
        Assert.Equal(byRows.ToArray(), byIndex.ToArray());
        Assert.Equal(F.PackedAddBias(x, gathered, 7).ToArray(), F.PackedAddBias(x, packed, 7, rows).ToArray());
    }

    [Theory]
    [InlineData("shuffled")]
    [InlineData("blocks")]
    [InlineData("one row")]
    public void SamplesSharingRows_AreServedByOneProductPerRow_WithTheSameResults(string pattern)
    {
        // 48 samples over 3 rows: the kernel groups them (one GEMM per row); blocks and one row need no gathering.
        var g = new Generator(11);
        int batch = 48, len = 7, k = 12, n = 9;
        int[] rows = pattern switch
        {
            "shuffled" => Enumerable.Range(0, batch).Select(i => (i * 7 % 5) % 3).ToArray(),
            "blocks" => Enumerable.Range(0, batch).Select(i => i * 3 / batch).ToArray(),
            _ => new int[batch],
        };
        var x = Tensor.Randn([batch, len, k], g);
        var packed = Tensor.Randn([3, 2 + (k * n) + n], g);
        var gy = Tensor.Randn([batch, len, n], g);
        var (y1, dx1, dp1) = Run(x, packed, gy, (a, w) => F.PackedMatMul(a, w, 2, n, 2 + (k * n), rows));
        var (y2, dx2, dp2) = Run(x, packed, gy, (a, w) => Reference(a, w, 2, n, 2 + (k * n), rows));
        TensorAssert.Close(y2, y1, 1e-5, 1e-5, "output");
        TensorAssert.Close(dx2, dx1, 1e-5, 1e-5, "input gradient");
        TensorAssert.Close(dp2, dp1, 1e-5, 1e-4, "packed gradient");
    }

    [Fact]
    public void GradientReachesAPackedTensorThatOtherOpsAlsoUse()
    {
        // packed = base * 1.5 is consumed by two packed ops, by Add (which hands one gradient to two inputs) and by a
        // sum; the packed-op contributions are added in place, which must not disturb the gradient shared by Add.
        var g = new Generator(4);
        var x0 = Tensor.Randn([4, 3, 6], g);
        var base0 = Tensor.Randn([4, 6 * 2 + 2 * 6 + 6], g);
        var other0 = Tensor.Randn([4, 30], g);

        Tensor Loss(Tensor x, Tensor b, Tensor o, bool packedOps)
        {
            var packed = b.Mul(1.5f);
            var shared = packed.Add(o); // Add passes its gradient to both packed and o
            var h = packedOps ? F.PackedMatMul(x, packed, 0, 2).Relu() : Reference(x, packed, 0, 2, null, null).Relu();
            var y = packedOps ? F.PackedMatMul(h, packed, 12, 6, 24) : Reference(h, packed, 12, 6, 24, null);
            return y.Square().Sum().Add(shared.Mul(shared).Sum()).Add(packed.Sum());
        }

        var (a1, b1, o1) = (x0.Clone().RequiresGrad_(), base0.Clone().RequiresGrad_(), other0.Clone().RequiresGrad_());
        Loss(a1, b1, o1, true).Backward();
        var (a2, b2, o2) = (x0.Clone().RequiresGrad_(), base0.Clone().RequiresGrad_(), other0.Clone().RequiresGrad_());
        Loss(a2, b2, o2, false).Backward();
        TensorAssert.Close(a2.Grad!, a1.Grad!, 1e-5, 1e-4, "x");
        TensorAssert.Close(b2.Grad!, b1.Grad!, 1e-5, 1e-4, "base");
        TensorAssert.Close(o2.Grad!, o1.Grad!, 1e-5, 1e-4, "other");
    }

    [Fact]
    public void LeafGradientsAccumulateAcrossBackwardCalls()
    {
        var g = new Generator(5);
        var x = Tensor.Randn([3, 4, 2], g);
        var packed = Tensor.Randn([3, 8], g).RequiresGrad_();
        F.PackedMatMul(x, packed, 0, 4).Sum().Backward();
        var once = packed.Grad!.ToArray();
        F.PackedMatMul(x, packed, 0, 4).Sum().Backward();
        Assert.Equal(once.Select(v => v * 2f), packed.Grad!.ToArray());
    }

    [Fact]
    public void OneAndTwoThreadsGiveBitwiseIdenticalResults()
    {
        static float[][] RunAll(int threads)
        {
            int saved = Engine.NumThreads;
            try
            {
                Engine.NumThreads = threads;
                var results = new List<float[]>();
                foreach (var (batch, len, k, n, indexed) in new[] { (96, 20, 32, 16, false), (96, 20, 32, 16, true), (3, 300, 64, 64, true), (200, 0, 40, 24, true) })
                {
                    var g = new Generator(7);
                    int groups = indexed ? 4 : batch;
                    int[]? rows = indexed ? Enumerable.Range(0, batch).Select(i => i * 3 % groups).ToArray() : null;
                    var x = Tensor.Randn(len == 0 ? [batch, k] : [batch, len, k], g).RequiresGrad_();
                    var packed = Tensor.Randn([groups, (k * n) + (2 * n)], g).RequiresGrad_();
                    var y = F.PackedAddBias(F.PackedMatMul(x, packed, 0, n, k * n, rows), packed, (k * n) + n, rows);
                    y.Backward(Tensor.Randn(y.Shape.ToArray(), g));
                    results.Add(y.ToArray());
                    results.Add(x.Grad!.ToArray());
                    results.Add(packed.Grad!.ToArray());
                }

                return [.. results];
            }
            finally
            {
                Engine.NumThreads = saved;
            }
        }

        var one = RunAll(1);
        var two = RunAll(2);
        for (int i = 0; i < one.Length; i++)
        {
            Assert.Equal(one[i], two[i]);
        }
    }

    [Fact]
    public void BadShapesOffsetsAndRowIndicesAreRejectedWithClearMessages()
    {
        var x = Tensor.Zeros(4, 3, 5);
        var packed = Tensor.Zeros(4, 20);
        Assert.Contains("[B, L, k] or [B, k]", Assert.Throws<ArgumentException>(() => F.PackedMatMul(Tensor.Zeros(5), packed, 0, 2)).Message);
        Assert.Contains("must be [N, P]", Assert.Throws<ArgumentException>(() => F.PackedMatMul(x, Tensor.Zeros(80), 0, 2)).Message);
        Assert.Contains("4 samples but packed weights [3, 20] have 3 rows", Assert.Throws<ArgumentException>(() => F.PackedMatMul(x, Tensor.Zeros(3, 20), 0, 2)).Message);
        Assert.Contains("a weight [5, 4] at column 1 does not fit in rows of 20 floats", Assert.Throws<ArgumentException>(() => F.PackedMatMul(x, packed, 1, 4)).Message);
        Assert.Contains("a bias [2] at column 19", Assert.Throws<ArgumentException>(() => F.PackedMatMul(x, packed, 0, 2, 19)).Message);
        Assert.Contains("row index 2 of sample 3 is outside the 2 rows", Assert.Throws<ArgumentException>(() => F.PackedMatMul(x, Tensor.Zeros(2, 20), 0, 2, null, [0, 1, 1, 2])).Message);
        Assert.Contains("3 entries for 4 samples", Assert.Throws<ArgumentException>(() => F.PackedAddBias(x, packed, 0, [0, 1, 2])).Message);
        Assert.Contains("a bias [5] at column -1", Assert.Throws<ArgumentException>(() => F.PackedAddBias(x, packed, -1)).Message);
    }
}
