using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Random;

namespace ParamGen.Benchmarks;

/// <summary>Engine <c>Tensor.TopK</c>: the 10 best of 12,101 scores (the Beauty catalogue) for 256 rows, no gradient; PyTorch runs <c>torch.topk</c>.</summary>
public sealed class TopKWorkload : Workload
{
    public const int Rows = 256, Items = 12101, K = 10;
    private Tensor _scores = null!;

    public override string Name => "topk_256x12101_k10";

    public override double Flops => (double)Rows * Items;

    public override void Setup() => _scores = Tensor.Randn([Rows, Items], new Generator(0));

    public override void Run()
    {
        using (Grad.NoGrad())
        {
            _scores.TopK(K);
        }
    }
}
