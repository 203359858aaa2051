using ParamGen.Tensors.Kernels;
using ParamGen.Tensors.Random;
using Xunit.Sdk;

// Not ParamGen.Tensors.Tests.Kernels: that would hide ParamGen.Tensors.Kernels from the other test namespaces.
namespace ParamGen.Tensors.Tests.KernelTests;

/// <summary>
/// The GEMM kernels against a naive double-precision product: every micro-kernel this CPU runs, both
/// algorithms (packed and direct), all four transpose combinations, sizes around the tile and block
/// boundaries, alpha/beta, offsets and leading dimensions wider than the matrices.
/// </summary>
public class GemmTests
{
    /// <summary>Tile and block edges of every kernel: MR 4/6/12 with edge tiles of 1/2/4 rows, NR 4/16/32, KC 256.</summary>
    private static readonly int[] Ms = [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 16, 25, 28];
    private static readonly int[] Ns = [0, 1, 3, 4, 15, 16, 17, 31, 32, 33, 65];
    private static readonly int[] Ks = [0, 1, 7, 16, 255, 256, 257];

    /// <summary>(micro-kernel, algorithm) pairs by name, as the enums are internal.</summary>
    public static TheoryData<string, string> Kernels()
    {
        var data = new TheoryData<string, string>();
        foreach (var isa in SupportedIsas())
        {
            data.Add(isa.ToString(), nameof(GemmPath.Packed));
            data.Add(isa.ToString(), nameof(GemmPath.Direct));
        }

        data.Add(Gemm.BestIsa.ToString(), nameof(GemmPath.Auto));
        return data;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void MatchesNaiveProductOverTileAndBlockEdges(string isaName, string pathName)
    {
        var (isa, path) = (Enum.Parse<GemmIsa>(isaName), Enum.Parse<GemmPath>(pathName));
        var g = new Generator(3);
        foreach (int m in Ms)
        {
            foreach (int n in Ns)
            {
                foreach (int k in Ks)
                {
                    foreach (var (ta, tb) in TransposeFlags)
                    {
                        var p = Problem.Random(g, ta, tb, m, n, k, alpha: 1f, beta: 0f, pad: 0, nanC: true);
                        p.Check(isa, path, parallel: false);
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void HonoursAlphaBetaOffsetsAndLeadingDimensions(string isaName, string pathName)
    {
        var (isa, path) = (Enum.Parse<GemmIsa>(isaName), Enum.Parse<GemmPath>(pathName));
        var g = new Generator(4);
        (float Alpha, float Beta)[] scales = [(1f, 1f), (0.5f, 1f), (-2f, 0.25f), (1.5f, -1f), (0f, 0.5f), (0f, 0f), (3f, 0f)];
        (int M, int N, int K)[] shapes = [(1, 1, 1), (3, 37, 5), (13, 33, 257), (25, 70, 40), (6, 17, 300)];
        foreach (var (alpha, beta) in scales)
        {
            foreach (var (m, n, k) in shapes)
            {
                foreach (var (ta, tb) in TransposeFlags)
                {
                    var p = Problem.Random(g, ta, tb, m, n, k, alpha, beta, pad: 3, nanC: beta == 0f);
                    p.Check(isa, path, parallel: false);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void HandlesSeveralBBlocksAndKBlocks(string isaName, string pathName)
    {
        var (isa, path) = (Enum.Parse<GemmIsa>(isaName), Enum.Parse<GemmPath>(pathName));
        // n past NC (512) and k past 2 KC, with a row-major B big enough to be packed, a small one read in
        // place, and a big one read in place because A has few rows.
        var g = new Generator(5);
        (int M, int N, int K)[] shapes = [(29, 1043, 520), (40, 150, 300), (13, 1043, 300)];
        foreach (var (m, n, k) in shapes)
        {
            foreach (var (ta, tb) in TransposeFlags)
            {
                Problem.Random(g, ta, tb, m, n, k, 0.75f, 0.5f, pad: 1, nanC: false).Check(isa, path, parallel: true);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void AddsTheBiasToEveryRowOnce(string isaName, string pathName)
    {
        var (isa, path) = (Enum.Parse<GemmIsa>(isaName), Enum.Parse<GemmPath>(pathName));
        var g = new Generator(9);
        (float Alpha, float Beta)[] scales = [(1f, 0f), (0.5f, 1f), (-2f, 0.25f), (0f, 0.5f)];
        (int M, int N, int K)[] shapes = [(1, 1, 1), (1, 70, 300), (3, 37, 5), (13, 33, 257), (30, 600, 40), (0, 5, 5), (4, 9, 0)];
        foreach (var (alpha, beta) in scales)
        {
            foreach (var (m, n, k) in shapes)
            {
                foreach (var (ta, tb) in TransposeFlags)
                {
                    var p = Problem.Random(g, ta, tb, m, n, k, alpha, beta, pad: 2, nanC: beta == 0f, withBias: true);
                    p.Check(isa, path, parallel: true);
                }
            }
        }
    }

    [Fact]
    public void GivesTheSameBitsForAnyThreadCount()
    {
        var g = new Generator(6);
        // Past the block edges (N > NC, K > KC) with op(B) packed once for all threads, with so few rows
        // that the columns are cut too, and with the bias epilogue.
        (int M, int N, int K)[] shapes = [(301, 257, 129), (3, 700, 64), (50, 50, 32), (200, 64, 600), (17, 1100, 33), (30, 1100, 600), (130, 600, 520)];
        int saved = Engine.NumThreads;
        try
        {
            foreach (var (m, n, k) in shapes)
            {
                foreach (var (ta, tb) in TransposeFlags)
                {
                    foreach (var (path, bias) in new[] { (GemmPath.Auto, false), (GemmPath.Packed, false), (GemmPath.Direct, false), (GemmPath.Auto, true) })
                    {
                        var p = Problem.Random(g, ta, tb, m, n, k, 1f, 0.5f, pad: 2, nanC: false, withBias: bias);
                        float[]? first = null;
                        foreach (int threads in new[] { 1, 2, 3, 4 })
                        {
                            Engine.NumThreads = threads;
                            var c = p.Run(Gemm.BestIsa, path, parallel: true);
                            first ??= c;
                            Assert.True(first.AsSpan().SequenceEqual(c), $"{p} on {path} differs between 1 and {threads} threads");
                        }
                    }
                }
            }
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }

    [Fact]
    public void PackedAndDirectGiveTheSameBitsExceptForDotProducts()
    {
        // Both block K the same way and accumulate each element in the same order; only a transposed B
        // is taken by the direct kernel as dot products (a different summation order).
        var g = new Generator(7);
        (int M, int N, int K)[] shapes = [(5, 40, 300), (30, 33, 17), (4, 64, 100), (13, 70, 513), (1, 1100, 64)];
        foreach (var (m, n, k) in shapes)
        {
            foreach (var (ta, tb) in TransposeFlags)
            {
                if (tb)
                {
                    continue;
                }

                var p = Problem.Random(g, ta, tb, m, n, k, 1.25f, 0.5f, pad: 1, nanC: false);
                Assert.True(p.Run(Gemm.BestIsa, GemmPath.Packed, true).AsSpan().SequenceEqual(p.Run(Gemm.BestIsa, GemmPath.Direct, true)), $"{p}");
            }
        }
    }

    [Fact]
    public void BatchedGemmGivesEachEntryTheBitsOfItsOwnGemmForAnyThreadCount()
    {
        var g = new Generator(8);

        // Small entries (spread over threads), large ones (each parallel), few rows (direct), and a
        // weight matrix shared by the whole batch (stride 0).
        (int Batch, int M, int N, int K, bool ShareB)[] cases = [(7, 50, 50, 32, false), (3, 130, 150, 90, false), (9, 3, 40, 20, false), (5, 20, 33, 17, true), (1, 16, 16, 16, false)];
        int saved = Engine.NumThreads;
        try
        {
            foreach (var (batch, m, n, k, shareB) in cases)
            {
                foreach (var (ta, tb) in TransposeFlags)
                {
                    int sa = m * k, sb = shareB ? 0 : k * n, sc = m * n;
                    int lda = ta ? m : k, ldb = tb ? k : n;
                    var a = new float[3 + (batch * sa)];
                    var b = new float[3 + Math.Max(batch * sb, k * n)];
                    var c0 = new float[3 + (batch * sc)];
                    g.FillUniform(a, -1f, 1f);
                    g.FillUniform(b, -1f, 1f);
                    g.FillUniform(c0, -1f, 1f);
                    var expected = (float[])c0.Clone();
                    for (int i = 0; i < batch; i++)
                    {
                        Gemm.Sgemm(ta, tb, m, n, k, 0.5f, a, 3 + (i * sa), lda, b, 3 + (i * sb), ldb, 0.25f, expected, 3 + (i * sc), n, parallel: false, Gemm.BestIsa, GemmPath.Auto);
                    }

                    foreach (int threads in new[] { 1, 2, 3 })
                    {
                        Engine.NumThreads = threads;
                        var c = (float[])c0.Clone();
                        Gemm.SgemmBatched(ta, tb, batch, m, n, k, 0.5f, a, 3, sa, lda, b, 3, sb, ldb, 0.25f, c, 3, sc, n);
                        Assert.True(expected.AsSpan().SequenceEqual(c), $"batch {batch} {(ta ? "T" : "N")}{(tb ? "T" : "N")} m={m} n={n} k={k} on {threads} threads");
                    }
                }
            }
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }

    private static readonly (bool, bool)[] TransposeFlags = [(false, false), (false, true), (true, false), (true, true)];

    private static IEnumerable<GemmIsa> SupportedIsas()
    {
        yield return GemmIsa.Scalar;
        if (GemmMicroKernel256.IsSupported)
        {
            yield return GemmIsa.Vector256;
        }

        if (GemmMicroKernel512.IsSupported)
        {
            yield return GemmIsa.Vector512;
        }
    }

    /// <summary>One GEMM call with its operands laid out at an offset with padded rows, and its double-precision answer.</summary>
    private sealed class Problem
    {
        private const int Offset = 5;
        private bool _ta, _tb;
        private int _m, _n, _k, _lda, _ldb, _ldc;
        private float _alpha, _beta;
        private float[] _a = [], _b = [], _c0 = [];
        private float[]? _bias;

        public static Problem Random(Generator g, bool ta, bool tb, int m, int n, int k, float alpha, float beta, int pad, bool nanC, bool withBias = false)
        {
            var p = new Problem { _ta = ta, _tb = tb, _m = m, _n = n, _k = k, _alpha = alpha, _beta = beta };
            int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
            p._lda = Math.Max(aCols + pad, 1);
            p._ldb = Math.Max(bCols + pad, 1);
            p._ldc = Math.Max(n + pad, 1);
            p._a = Fill(g, aRows, aCols, p._lda);
            p._b = Fill(g, bRows, bCols, p._ldb);
            p._c0 = Fill(g, m, n, p._ldc);
            p._bias = withBias ? Fill(g, 1, n, n) : null;
            if (nanC)
            {
                // beta = 0 must ignore C's contents, even NaN.
                for (int i = 0; i < m; i++)
                {
                    p._c0.AsSpan(Offset + (i * p._ldc), n).Fill(float.NaN);
                }
            }

            return p;
        }

        public float[] Run(GemmIsa isa, GemmPath path, bool parallel)
        {
            var c = (float[])_c0.Clone();
            Gemm.Sgemm(_ta, _tb, _m, _n, _k, _alpha, _a, Offset, _lda, _b, Offset, _ldb, _beta, c, Offset, _ldc, _bias, Offset, parallel, isa, path);
            return c;
        }

        public void Check(GemmIsa isa, GemmPath path, bool parallel)
        {
            var c = Run(isa, path, parallel);
            for (int idx = 0; idx < c.Length; idx++)
            {
                int rel = idx - Offset;
                bool inside = rel >= 0 && rel / _ldc < _m && rel % _ldc < _n;
                if (!inside && BitConverter.SingleToInt32Bits(c[idx]) != BitConverter.SingleToInt32Bits(_c0[idx]))
                {
                    throw new XunitException($"{this} on {isa}/{path}: wrote outside C at index {idx}.");
                }
            }

            for (int i = 0; i < _m; i++)
            {
                for (int j = 0; j < _n; j++)
                {
                    double sum = 0, magnitude = 0;
                    for (int p = 0; p < _k; p++)
                    {
                        double x = (double)A(i, p) * B(p, j);
                        sum += x;
                        magnitude += Math.Abs(x);
                    }

                    float c0 = _c0[Offset + (i * _ldc) + j];
                    double bias = _bias is null ? 0 : _bias[Offset + j];
                    double expected = (_alpha * sum) + (_beta == 0f ? 0 : _beta * (double)c0) + bias;
                    double scale = (Math.Abs(_alpha) * magnitude) + (_beta == 0f ? 0 : Math.Abs(_beta * (double)c0)) + Math.Abs(bias);
                    double tol = 1e-6 + (2e-7 * (_k + 2) * scale);
                    float actual = c[Offset + (i * _ldc) + j];
                    if (!(Math.Abs(actual - expected) <= tol))
                    {
                        throw new XunitException($"{this} on {isa}/{path}: C[{i}, {j}] = {actual:G9}, expected {expected:G9} (tolerance {tol:G3}).");
                    }
                }
            }
        }

        public override string ToString() =>
            $"{(_ta ? "T" : "N")}{(_tb ? "T" : "N")} m={_m} n={_n} k={_k} alpha={_alpha} beta={_beta} lda={_lda} ldb={_ldb} ldc={_ldc}{(_bias is null ? "" : " with bias")}";

        private float A(int i, int p) => _ta ? _a[Offset + (p * _lda) + i] : _a[Offset + (i * _lda) + p];

        private float B(int p, int j) => _tb ? _b[Offset + (j * _ldb) + p] : _b[Offset + (p * _ldb) + j];

        private static float[] Fill(Generator g, int rows, int cols, int ld)
        {
            // Padding and the slack around the matrix hold values too, so reading them would show.
            var x = new float[Offset + (rows * ld) + 7];
            g.FillUniform(x, -1f, 1f);
            return x;
        }
    }
}
