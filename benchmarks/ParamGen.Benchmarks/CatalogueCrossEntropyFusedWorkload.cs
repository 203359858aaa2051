using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Benchmarks;

/// <summary>
/// <see cref="CatalogueCrossEntropyWorkload"/>'s computation (same shapes and seed) through the fused, chunked
/// <see cref="F.LinearCrossEntropy"/>, which never holds the [12800, 12101] logits; compared with the same PyTorch
/// run, F.cross_entropy(h @ e.t(), t).
/// </summary>
public sealed class CatalogueCrossEntropyFusedWorkload : Workload
{
    private Tensor _h = null!, _e = null!, _target = null!;

    public override string Name => "catalogue_ce_fused_fwd_bwd";

    public override string? TorchName => "catalogue_ce_fwd_bwd";

    public override double Flops => 3 * 2.0 * CatalogueCrossEntropyWorkload.Positions * CatalogueCrossEntropyWorkload.Items * CatalogueCrossEntropyWorkload.D;

    public override void Setup()
    {
        const int P = CatalogueCrossEntropyWorkload.Positions, N = CatalogueCrossEntropyWorkload.Items, D = CatalogueCrossEntropyWorkload.D;
        var g = new Generator(0);
        _h = (Tensor.Randn([P, D], g) * 0.1f).Detach().RequiresGrad_();
        _e = (Tensor.Randn([N, D], g) * 0.1f).Detach().RequiresGrad_();
        _target = Tensor.RandInt(0, N, [P], g);
    }

    public override void Run()
    {
        _h.Grad = null;
        _e.Grad = null;
        var loss = F.LinearCrossEntropy(_h, _e, _target);
        loss.Backward();
    }
}
