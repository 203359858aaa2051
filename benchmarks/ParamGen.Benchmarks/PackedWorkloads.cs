using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Benchmarks;

/// <summary>
/// The hot path of every generator: per-sample weights read from a packed [B, P] generator output (B 256, L 50,
/// d 64 -> r 32, with a per-sample bias), forward and backward into x and the packed tensor. Compare with
/// <see cref="StaticLinearWorkload"/>, the static layer of the same size.
/// </summary>
public sealed class PackedMatMulWorkload : Workload
{
    public const int B = 256, L = 50, D = 64, R = 32;
    private Tensor _x = null!, _packed = null!;

    public override string Name => "packed_matmul_fwd_bwd";

    public override double Flops => 3 * 2.0 * B * L * D * R;

    public override void Setup()
    {
        var g = new Generator(0);
        _x = Tensor.Randn([B, L, D], g).RequiresGrad_();
        _packed = Tensor.Randn([B, (D * R) + R], g).Mul(0.1f).Detach().RequiresGrad_();
    }

    public override void Run()
    {
        _x.Grad = null;
        _packed.Grad = null;
        F.PackedMatMul(_x, _packed, 0, R, D * R).Sum().Backward();
    }
}

/// <summary>A static linear layer of the same size as <see cref="PackedMatMulWorkload"/>: x [256, 50, 64] W^T [64, 32] + b, forward and backward.</summary>
public sealed class StaticLinearWorkload : Workload
{
    private Tensor _x = null!, _w = null!, _b = null!;

    public override string Name => "linear_64x32_fwd_bwd";

    public override double Flops => 3 * 2.0 * PackedMatMulWorkload.B * PackedMatMulWorkload.L * PackedMatMulWorkload.D * PackedMatMulWorkload.R;

    public override void Setup()
    {
        var g = new Generator(0);
        _x = Tensor.Randn([PackedMatMulWorkload.B, PackedMatMulWorkload.L, PackedMatMulWorkload.D], g).RequiresGrad_();
        _w = Tensor.Randn([PackedMatMulWorkload.R, PackedMatMulWorkload.D], g).Mul(0.1f).Detach().RequiresGrad_();
        _b = Tensor.Zeros(PackedMatMulWorkload.R).RequiresGrad_();
    }

    public override void Run()
    {
        _x.Grad = null;
        _w.Grad = null;
        _b.Grad = null;
        F.Linear(_x, _w, _b).Sum().Backward();
    }
}

/// <summary>
/// Per-domain weights: the same product as <see cref="PackedMatMulWorkload"/> with the [3, P] rows of three domains,
/// chosen per sample by a row index (HAMUR's per-domain factors). PyTorch gathers the rows, then runs bmm.
/// </summary>
public sealed class PackedMatMulRowsWorkload : Workload
{
    private Tensor _x = null!, _packed = null!;
    private int[] _rows = null!;

    public override string Name => "packed_matmul_rows3_fwd_bwd";

    public override double Flops => 3 * 2.0 * PackedMatMulWorkload.B * PackedMatMulWorkload.L * PackedMatMulWorkload.D * PackedMatMulWorkload.R;

    public override void Setup()
    {
        const int B = PackedMatMulWorkload.B, D = PackedMatMulWorkload.D, R = PackedMatMulWorkload.R;
        var g = new Generator(0);
        _x = Tensor.Randn([B, PackedMatMulWorkload.L, D], g).RequiresGrad_();
        _packed = Tensor.Randn([3, (D * R) + R], g).Mul(0.1f).Detach().RequiresGrad_();
        _rows = [.. Enumerable.Range(0, B).Select(i => i * 7 % 3)];
    }

    public override void Run()
    {
        const int D = PackedMatMulWorkload.D, R = PackedMatMulWorkload.R;
        _x.Grad = null;
        _packed.Grad = null;
        F.PackedMatMul(_x, _packed, 0, R, D * R, _rows).Sum().Backward();
    }
}
