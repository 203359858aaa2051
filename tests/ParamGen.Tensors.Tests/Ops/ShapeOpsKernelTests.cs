using ParamGen.Tensors;
using ParamGen.Tensors.Kernels;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>The layout kernels against scalar references, and the view-versus-copy contract of the layout ops.</summary>
public class ShapeOpsKernelTests
{
    /// <summary>out[o] = x[i] where i's coordinate perm[p] equals o's coordinate p.</summary>
    private static float[] NaivePermute(float[] x, int[] dims, int[] perm)
    {
        int r = dims.Length;
        var inStride = new Shape(dims).Strides();
        var outDims = perm.Select(p => dims[p]).ToArray();
        var y = new float[x.Length];
        var idx = new int[r];
        for (int o = 0; o < y.Length; o++)
        {
            int rem = o, off = 0;
            for (int p = r - 1; p >= 0; p--)
            {
                idx[p] = rem % outDims[p];
                rem /= outDims[p];
                off += idx[p] * inStride[perm[p]];
            }

            y[o] = x[off];
        }

        return y;
    }

    private static IEnumerable<int[]> AllPermutations(int n)
    {
        if (n == 0)
        {
            yield return [];
            yield break;
        }

        foreach (var rest in AllPermutations(n - 1))
        {
            for (int pos = 0; pos <= rest.Length; pos++)
            {
                var p = new List<int>(rest);
                p.Insert(pos, n - 1);
                yield return p.ToArray();
            }
        }
    }

    [Theory]
    [InlineData(new[] { 2, 3, 1, 4 })]
    [InlineData(new[] { 3, 5, 2, 7 })]
    [InlineData(new[] { 1, 17, 1, 33 })]
    [InlineData(new[] { 2, 0, 3, 1 })]
    public void PermuteMatchesReferenceForEveryPermutationOfRank4(int[] dims)
    {
        var x = Tensor.Randn(dims, new Generator(20));
        foreach (var perm in AllPermutations(4))
        {
            var y = x.Permute(perm);
            Assert.Equal(perm.Select(p => dims[p]).ToArray(), y.Shape.ToArray());
            Assert.Equal(NaivePermute(x.ToArray(), dims, perm), y.ToArray());
        }
    }

    [Fact]
    public void BatchedTransposeIsExactAcrossTileEdges()
    {
        var g = new Generator(21);
        for (int a = 1; a <= 20; a += 3)
        {
            for (int b = 1; b <= 40; b++)
            {
                var x = Tensor.Randn([3, a, b], g);
                Assert.Equal(NaivePermute(x.ToArray(), [3, a, b], [0, 2, 1]), x.Transpose(1, 2).ToArray());
            }
        }
    }

    [Fact]
    public void PermuteKernelGivesTheSameResultForAnySplitOfWorkItems()
    {
        var g = new Generator(22);
        foreach (var (dims, perm) in new (int[], int[])[] { ([4, 19, 37], [0, 2, 1]), ([5, 3, 7, 2], [0, 2, 1, 3]), ([3, 4, 5], [2, 1, 0]) })
        {
            var x = Tensor.Randn(dims, g).ToArray();
            var sd = new int[dims.Length];
            var sp = new int[dims.Length];
            int m = Permute.Simplify(dims, perm, sd, sp);
            sd = sd[..m];
            sp = sp[..m];
            int items = Permute.WorkItems(sd, sp);
            var whole = new float[x.Length];
            Permute.Run(x, sd, sp, whole, 0, items);
            var pieces = new float[x.Length];
            int cut1 = items / 3, cut2 = (2 * items / 3) + 1;
            Permute.Run(x, sd, sp, pieces, cut2, items);
            Permute.Run(x, sd, sp, pieces, 0, cut1);
            Permute.Run(x, sd, sp, pieces, cut1, cut2);
            Assert.Equal(NaivePermute(x, dims, perm), whole);
            Assert.Equal(whole, pieces);
        }
    }

    [Theory]
    [InlineData(new[] { 2, 3, 5 }, new[] { 0, 2, 1 }, new[] { 2, 3, 5 }, new[] { 0, 2, 1 })]
    [InlineData(new[] { 2, 1, 3, 4 }, new[] { 0, 2, 3, 1 }, new[] { 24 }, new[] { 0 })]
    [InlineData(new[] { 2, 1, 3, 4 }, new[] { 3, 1, 0, 2 }, new[] { 6, 4 }, new[] { 1, 0 })]
    [InlineData(new[] { 4, 5, 6, 7 }, new[] { 0, 2, 1, 3 }, new[] { 4, 5, 6, 7 }, new[] { 0, 2, 1, 3 })]
    [InlineData(new[] { 4, 5, 6 }, new[] { 1, 2, 0 }, new[] { 4, 30 }, new[] { 1, 0 })]
    [InlineData(new[] { 4, 5, 6 }, new[] { 0, 1, 2 }, new[] { 120 }, new[] { 0 })]
    public void SimplifyDropsSize1DimsAndMergesAdjacentOnes(int[] dims, int[] perm, int[] expectDims, int[] expectPerm)
    {
        var d = new int[dims.Length];
        var p = new int[dims.Length];
        int m = Permute.Simplify(dims, perm, d, p);
        Assert.Equal(expectDims, d[..m]);
        Assert.Equal(expectPerm, p[..m]);
    }

    [Fact]
    public void TileMatchesModularIndexing()
    {
        var g = new Generator(23);
        foreach (var (dims, reps) in new (int[], int[])[] { ([2, 3], [3, 2]), ([1, 4, 1], [2, 1, 5]), ([5], [1]), ([3, 1, 2], [1, 4, 3]), ([1], [7]) })
        {
            var x = Tensor.Randn(dims, g).ToArray();
            var outDims = dims.Zip(reps, (a, b) => a * b).ToArray();
            var y = new float[outDims.Aggregate(1, (a, b) => a * b)];
            Tile.Run(x, dims, reps, y);
            var inStride = new Shape(dims).Strides();
            for (int o = 0; o < y.Length; o++)
            {
                int rem = o, off = 0;
                for (int d = dims.Length - 1; d >= 0; d--)
                {
                    off += (rem % outDims[d] % dims[d]) * inStride[d];
                    rem /= outDims[d];
                }

                Assert.Equal(x[off], y[o]);
            }
        }
    }

    [Fact]
    public void ComparisonKernelsMatchScalarReferenceAtEveryLength()
    {
        var g = new Generator(24);
        for (int n = 0; n <= 70; n++)
        {
            var x = Tensor.RandInt(-2, 3, [n], g).ToArray();
            var y = Tensor.RandInt(-2, 3, [n], g).ToArray();
            if (n > 3)
            {
                x[1] = float.NaN;
                y[2] = float.NaN;
            }

            var dst = new float[n];
            Compare.Apply<GreaterThan>(x, y, dst);
            Assert.Equal(x.Zip(y, (a, b) => a > b ? 1f : 0f), dst);
            Compare.Apply<LessThan>(x, 0.5f, dst);
            Assert.Equal(x.Select(a => a < 0.5f ? 1f : 0f), dst);
            Compare.Apply<EqualTo>(1f, y, dst);
            Assert.Equal(y.Select(b => b == 1f ? 1f : 0f), dst);
        }
    }

    [Fact]
    public void TrianglesMatchIndexRule()
    {
        var x = Tensor.Randn([2, 5, 7], new Generator(25));
        foreach (int k in new[] { -6, -2, 0, 1, 3, 9 })
        {
            var lo = x.Tril(k);
            var up = x.Triu(k);
            for (int b = 0; b < 2; b++)
            {
                for (int i = 0; i < 5; i++)
                {
                    for (int j = 0; j < 7; j++)
                    {
                        Assert.Equal(j - i <= k ? x[b, i, j] : 0f, lo[b, i, j]);
                        Assert.Equal(j - i >= k ? x[b, i, j] : 0f, up[b, i, j]);
                    }
                }
            }
        }
    }

    [Fact]
    public void NarrowAlongTheFirstDimensionIsAViewOtherwiseACopy()
    {
        var x = Tensor.Arange(12).Reshape(4, 3);
        var rows = x.Narrow(0, 1, 2);
        var cols = x.Narrow(1, 1, 2);
        var lead1 = Tensor.Arange(12).Reshape(1, 4, 3);
        var inner = lead1.Narrow(1, 2, 2);
        x[1, 1] = 100f;
        lead1[0, 3, 0] = -5f;
        Assert.Equal(100f, rows[0, 1]);
        Assert.Equal(4f, cols[1, 0]);
        Assert.Equal(-5f, inner[0, 1, 0]);
        Assert.Equal([3f, 100f, 5f, 6f, 7f, 8f], rows.ToArray());
        Assert.Equal(new[] { 1f, 2f, 4f, 5f, 7f, 8f, 10f, 11f }, Tensor.Arange(12).Reshape(4, 3).Narrow(1, 1, 2).ToArray());
    }

    [Fact]
    public void PermuteThatOnlyMovesSize1DimsIsAView()
    {
        var x = Tensor.Randn([3, 1, 5], new Generator(26));
        var y = x.Permute(1, 0, 2);
        Assert.Equal([1, 3, 5], y.Shape.ToArray());
        x[2, 0, 4] = 42f;
        Assert.Equal(42f, y[0, 2, 4]);
    }

    [Fact]
    public void NarrowViewGradientLandsInTheRightRows()
    {
        var x = Tensor.Zeros(4, 3).RequiresGrad_();
        x.Narrow(0, 2, 2).Mul(Tensor.Arange(6).Reshape(2, 3)).Sum().Backward();
        Assert.Equal([0f, 0f, 0f, 0f, 0f, 0f, 0f, 1f, 2f, 3f, 4f, 5f], x.Grad!.ToArray());
    }

    [Fact]
    public void ChunkAndSplitFollowTorchPieceCounts()
    {
        var x = Tensor.Arange(6);
        Assert.Equal([2, 2, 2], x.Chunk(4).Select(t => t.NumElements).ToArray());
        Assert.Equal([3, 3], x.Chunk(2).Select(t => t.NumElements).ToArray());
        Assert.Equal([4, 2], x.Split(4).Select(t => t.NumElements).ToArray());
        Assert.Equal(4, Tensor.Zeros(0, 3).Chunk(4).Length);
        Assert.Equal([2f, 3f], x.Split([2, 2, 2])[1].ToArray());
    }

    [Fact]
    public void ScalarInputsWorkWhereTorchAllowsThem()
    {
        var s = Tensor.Scalar(3f);
        Assert.Equal(0, s.Gather(0, Tensor.Scalar(0f)).Rank);
        Assert.Equal(3f, s.IndexSelect(0, Tensor.FromInts([0], 1)).Item());
        Assert.Equal([3f, 3f, 3f, 3f], s.Repeat(2, 2).ToArray());
        Assert.Equal([3f, 3f], Tensor.Stack([s, s]).ToArray());
    }

    [Fact]
    public void OneHotRowsHaveASingleOneAtTheIndex()
    {
        var y = Functional.OneHot(Tensor.FromInts([2, 0, 3], 3), 4);
        Assert.Equal([3, 4], y.Shape.ToArray());
        Assert.Equal([0f, 0f, 1f, 0f, 1f, 0f, 0f, 0f, 0f, 0f, 0f, 1f], y.ToArray());
    }

    [Fact]
    public void OpsReadViewsThatStartInsideTheirStorage()
    {
        // Narrow(0, ...) views start at a non-zero offset in a shared buffer; every op must honour it.
        var g = new Generator(27);
        var big = Tensor.Randn([5, 3, 4], g);
        var view = big.Narrow(0, 2, 2);   // [2, 3, 4]
        var copy = view.Clone();
        TensorAssert.Equal(copy.Permute(2, 0, 1), view.Permute(2, 0, 1));
        TensorAssert.Equal(copy.Transpose(-1, -2), view.Transpose(-1, -2));
        TensorAssert.Equal(Tensor.Cat([copy, copy], 1), Tensor.Cat([view, view], 1));
        TensorAssert.Equal(copy.Repeat(2, 1, 1), view.Repeat(2, 1, 1));
        TensorAssert.Equal(copy.Narrow(2, 1, 2), view.Narrow(2, 1, 2));
        TensorAssert.Equal(copy.Tril(), view.Tril());
        var index = Tensor.RandInt(0, 4, [2, 3, 4], g);
        TensorAssert.Equal(copy.Gather(2, index), view.Gather(2, index));
        TensorAssert.Equal(copy.IndexSelect(1, Tensor.FromInts([2, 0], 2)), view.IndexSelect(1, Tensor.FromInts([2, 0], 2)));
        TensorAssert.Equal(copy.MaskedFill(Tensor.FromInts([1, 0, 0, 1], 4), 9f), view.MaskedFill(Tensor.FromInts([1, 0, 0, 1], 4), 9f));

        var table = Tensor.Randn([6, 5], g).Narrow(0, 1, 4);   // [4, 5] starting at row 1
        var ids = Tensor.FromInts([0, 3, 1, 3, 9, 9], 6).Narrow(0, 1, 3);   // [3, 1, 3]
        TensorAssert.Equal(table.Clone().IndexSelect(0, ids.Clone()), Functional.Embedding(ids, table));
    }
}
