using ParamGen.Tensors.Kernels;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;

namespace ParamGen.Tensors.Tests.KernelTests;

/// <summary>A fact that runs only where libopenblas can be loaded, and says so when skipped.</summary>
public sealed class OpenBlasFactAttribute : FactAttribute
{
    public OpenBlasFactAttribute()
    {
        if (!Engine.IsOpenBlasAvailable)
        {
            Skip = "libopenblas (libopenblas.so.0) is not installed here, so there is no native provider to compare with; the managed kernels are tested on their own in GemmTests.";
        }
    }
}

/// <summary>Tests that change <see cref="Engine.GemmProvider"/> run alone, so no other test sees the switch.</summary>
[CollectionDefinition(nameof(GemmProviderCollection), DisableParallelization = true)]
public sealed class GemmProviderCollection;

[Collection(nameof(GemmProviderCollection))]
public class OpenBlasProviderTests
{
    [Fact]
    public void ManagedIsTheDefaultAndOpenBlasCanOnlyBeChosenWhenItLoads()
    {
        Assert.Equal(GemmProvider.Managed, Engine.GemmProvider);
        if (Engine.IsOpenBlasAvailable)
        {
            Engine.GemmProvider = GemmProvider.OpenBlas;
            Assert.Equal(GemmProvider.OpenBlas, Engine.GemmProvider);
            Engine.GemmProvider = GemmProvider.Managed;
        }
        else
        {
            var e = Assert.Throws<InvalidOperationException>(() => Engine.GemmProvider = GemmProvider.OpenBlas);
            Assert.Contains("libopenblas", e.Message, StringComparison.Ordinal);
            Assert.Equal(GemmProvider.Managed, Engine.GemmProvider);
        }

        // Auto is always allowed: without the library it is the managed kernels.
        Engine.GemmProvider = GemmProvider.Auto;
        Engine.GemmProvider = GemmProvider.Managed;
    }

    [Fact]
    public void AutoKeepsAllButTinyProductsOnTheManagedKernels()
    {
        var g = new Generator(23);
        var big = (Tensor.Randn([300, 70], g), Tensor.Randn([70, 130], g));
        var tiny = (Tensor.Randn([20, 30], g), Tensor.Randn([30, 10], g));
        var bigManaged = big.Item1.MatMul(big.Item2);
        var tinyManaged = tiny.Item1.MatMul(tiny.Item2);
        try
        {
            Engine.GemmProvider = GemmProvider.Auto;
            Assert.True(bigManaged.AsReadOnlySpan().SequenceEqual(big.Item1.MatMul(big.Item2).AsReadOnlySpan()));
            var tinyAuto = tiny.Item1.MatMul(tiny.Item2);
            if (Engine.IsOpenBlasAvailable)
            {
                TensorAssert.Close(tinyManaged, tinyAuto, 1e-5, 1e-5);
            }
            else
            {
                Assert.True(tinyManaged.AsReadOnlySpan().SequenceEqual(tinyAuto.AsReadOnlySpan()));
            }
        }
        finally
        {
            Engine.GemmProvider = GemmProvider.Managed;
        }
    }

    [OpenBlasFact]
    public void OpenBlasAndManagedKernelsAgreeWithinFloatRounding()
    {
        var g = new Generator(21);
        (int M, int N, int K)[] shapes = [(1, 1, 1), (1, 3416, 64), (50, 50, 32), (37, 65, 300), (200, 190, 129), (513, 257, 64)];
        (float Alpha, float Beta)[] scales = [(1f, 0f), (0.5f, 1f), (-2f, 0.25f)];
        foreach (var (m, n, k) in shapes)
        {
            foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
            {
                foreach (var (alpha, beta) in scales)
                {
                    int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
                    var a = new float[4 + ((ta ? k : m) * lda)];
                    var b = new float[4 + ((tb ? n : k) * ldb)];
                    var c0 = new float[4 + (m * ldc)];
                    g.FillUniform(a, -1f, 1f);
                    g.FillUniform(b, -1f, 1f);
                    g.FillUniform(c0, -1f, 1f);
                    var managed = (float[])c0.Clone();
                    var native = (float[])c0.Clone();
                    Gemm.Sgemm(ta, tb, m, n, k, alpha, a, 4, lda, b, 4, ldb, beta, managed, 4, ldc, true, Gemm.BestIsa, GemmPath.Auto);
                    unsafe
                    {
                        fixed (float* pa = &a[4], pb = &b[4], pc = &native[4])
                        {
                            OpenBlasGemm.Sgemm(new GemmProblem(ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc), 2);
                        }
                    }

                    // Sums of k products of values in [-1, 1]: both are within a few k * 2^-24 of the truth.
                    TensorAssert.Close(native, managed, rtol: 1e-5, atol: 2e-6 * (k + 4), what: $"{(ta ? "T" : "N")}{(tb ? "T" : "N")} m={m} n={n} k={k}");
                }
            }
        }
    }

    [OpenBlasFact]
    public void MatMulUnderTheOpenBlasProviderMatchesTheManagedProvider()
    {
        var g = new Generator(22);
        var x = Tensor.Randn([300, 64], g).RequiresGrad_();
        var w = Tensor.Randn([192, 64], g).RequiresGrad_();
        var (yManaged, dxManaged, dwManaged) = LinearAndGrads(x, w);
        try
        {
            Engine.GemmProvider = GemmProvider.OpenBlas;
            var (yNative, dxNative, dwNative) = LinearAndGrads(x, w);
            TensorAssert.Close(yManaged, yNative, 1e-5, 1e-4, "y");
            TensorAssert.Close(dxManaged, dxNative, 1e-5, 1e-4, "dx");
            TensorAssert.Close(dwManaged, dwNative, 1e-5, 1e-3, "dw");
        }
        finally
        {
            Engine.GemmProvider = GemmProvider.Managed;
        }
    }

    private static (Tensor Y, Tensor Dx, Tensor Dw) LinearAndGrads(Tensor x, Tensor w)
    {
        x.Grad = null;
        w.Grad = null;
        var y = Functional.Linear(x, w);
        (y * y).Sum().Backward();
        return (y.Detach(), x.Grad!, w.Grad!);
    }
}
