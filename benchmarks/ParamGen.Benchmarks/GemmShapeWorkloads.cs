using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Benchmarks;

/// <summary>
/// A matrix product of the shapes the models actually run (tall-skinny activations times small weights,
/// attention per batch and head, one user's scores against the catalogue). torch_bench.py runs the same shapes
/// under the same names: <c>a @ b</c>, <c>x @ W.t()</c> for the transposed ones, <c>torch.bmm</c> for the batched one.
/// </summary>
public abstract class GemmShapeWorkload(string name, int batch, int m, int k, int n, bool transB) : Workload
{
    private Tensor _a = null!, _b = null!;

    public override string Name => name;

    public override double Flops => 2.0 * batch * m * n * k;

    public override void Setup()
    {
        var g = new Generator(0);
        _a = batch == 1 ? Tensor.Randn([m, k], g) : Tensor.Randn([batch, m, k], g);
        _b = transB ? Tensor.Randn([n, k], g) : batch == 1 ? Tensor.Randn([k, n], g) : Tensor.Randn([batch, k, n], g);
    }

    public override void Run()
    {
        if (transB)
        {
            F.Linear(_a, _b); // x W^T, as nn.Linear and scoring against item embeddings do
        }
        else if (batch == 1)
        {
            _a.MatMul(_b);
        }
        else
        {
            _a.Bmm(_b);
        }
    }
}

/// <summary>[12800, 64] x [64, 192]: the fused QKV projection of B 256 x L 50 tokens at d 64.</summary>
public sealed class GemmTall64x192Workload() : GemmShapeWorkload("gemm_12800x64x192", 1, 12800, 64, 192, false);

/// <summary>[12800, 256] x [256, 64]: the second FFN layer at d 64, FFN 256.</summary>
public sealed class GemmTall256x64Workload() : GemmShapeWorkload("gemm_12800x256x64", 1, 12800, 256, 64, false);

/// <summary>[12800, 64] x W^T with W [192, 64]: the same projection as nn.Linear computes it.</summary>
public sealed class GemmTallLinearWorkload() : GemmShapeWorkload("gemm_12800x64x192_nt", 1, 12800, 64, 192, true);

/// <summary>512 x ([50, 32] x [32, 50]): attention scores per (batch, head) at B 256, 2 heads, L 50, head dim 32.</summary>
public sealed class GemmAttentionBmmWorkload() : GemmShapeWorkload("bmm_512x50x32x50", 512, 50, 32, 50, false);

/// <summary>[1, 64] x [64, 3416]: one user's state times a (transposed) item table.</summary>
public sealed class GemmRowWorkload() : GemmShapeWorkload("gemm_1x64x3416", 1, 1, 64, 3416, false);

/// <summary>[1, 64] x E^T with E [3416, 64]: one user's scores against the catalogue, as inference computes them.</summary>
public sealed class GemmRowScoresWorkload() : GemmShapeWorkload("gemm_1x64x3416_nt", 1, 1, 64, 3416, true);

/// <summary>
/// nn.Linear 64 -> 192 with bias on B 256 x L 50 tokens, forward and backward to input, weight and bias
/// (PyTorch: <c>F.linear(x, w, b).sum().backward()</c>).
/// </summary>
public sealed class LinearFwdBwdWorkload : Workload
{
    private Tensor _x = null!, _w = null!, _b = null!;

    public override string Name => "linear_12800x64x192_fwd_bwd";

    public override double Flops => 3 * 2.0 * 12800 * 64 * 192;

    public override void Setup()
    {
        var g = new Generator(0);
        _x = Tensor.Randn([12800, 64], g).RequiresGrad_();
        _w = Tensor.Randn([192, 64], g).RequiresGrad_();
        _b = Tensor.Randn([192], g).RequiresGrad_();
    }

    public override void Run()
    {
        _x.Grad = _w.Grad = _b.Grad = null;
        F.Linear(_x, _w, _b).Sum().Backward();
    }
}
