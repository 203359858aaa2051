using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>Finite-difference gradient checks of the packed per-sample ops, into x and into the packed tensor.</summary>
public class PackedGradCheckTests
{
    private static readonly int[] SharedRows = [2, 0, 2, 1, 2, 0];

    [Fact]
    public void PackedMatMulSequenceWithBias() =>
        GradCheck.Check(x => F.PackedMatMul(x[0], x[1], 1, 4, 21), [Tensor.Randn([3, 5, 5], new Generator(1)), Tensor.Randn([3, 26], new Generator(2))], maxElementsPerInput: 200);

    [Fact]
    public void PackedMatMulVectorsWithSharedRows() =>
        GradCheck.Check(x => F.PackedMatMul(x[0], x[1], 0, 3, 12, SharedRows), [Tensor.Randn([6, 4], new Generator(3)), Tensor.Randn([3, 16], new Generator(4))], maxElementsPerInput: 200);

    [Fact]
    public void PackedMatMulSequenceWithSharedRows() =>
        GradCheck.Check(x => F.PackedMatMul(x[0], x[1], 4, 3, 1, SharedRows), [Tensor.Randn([6, 3, 2], new Generator(5)), Tensor.Randn([3, 10], new Generator(6))], maxElementsPerInput: 200);

    [Fact]
    public void PackedAddBiasSharedRows() =>
        GradCheck.Check(x => F.PackedAddBias(x[0], x[1], 2, SharedRows), [Tensor.Randn([6, 3, 4], new Generator(7)), Tensor.Randn([3, 7], new Generator(8))], maxElementsPerInput: 200);

    [Fact]
    public void TwoPackedOpsOnOneGeneratorOutputChainIntoItsInputs()
    {
        // The packed tensor is not a leaf: a linear map from a context writes it, and two ops (bottleneck down and up)
        // read two blocks of it, so both slices' gradients must reach the generator's weight.
        var ctx = Tensor.Randn([2, 3], new Generator(9));
        GradCheck.Check(
            x =>
            {
                var packed = F.Linear(ctx, x[1]); // [2, 4*2 + 2*4 + 1] = [2, 17]
                var h = F.PackedMatMul(x[0], packed, 0, 2).Tanh();
                var y = F.PackedMatMul(h, packed, 8, 4);
                return F.PackedAddBias(y, packed, 13).Add(packed.Sum());
            },
            [Tensor.Randn([2, 3, 4], new Generator(10)), Tensor.Randn([17, 3], new Generator(11)).Mul(0.5f)],
            maxElementsPerInput: 100);
    }
}
