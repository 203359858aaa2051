using ParamGen.Tensors;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Core;

/// <summary>
/// Every op reads its inputs through their storage offset: an input that is a view into the middle of a
/// larger tensor (Narrow along dim 0 shares storage) gives the same outputs and gradients as a fresh copy.
/// </summary>
public class ViewInputTests
{
    public static TheoryData<string> Ops => new(Cases.Keys);

    private static readonly Dictionary<string, (int[][] Shapes, Func<Tensor[], Tensor> F)> Cases = new()
    {
        ["add"] = ([[4, 6], [6]], x => x[0] + x[1]),
        ["matmul"] = ([[5, 6], [6, 3]], x => x[0].MatMul(x[1])),
        ["bmm"] = ([[2, 5, 6], [2, 6, 3]], x => x[0].Bmm(x[1])),
        ["linear"] = ([[5, 6], [3, 6], [3]], x => F.Linear(x[0], x[1], x[2])),
        ["exp"] = ([[4, 7]], x => x[0].Exp()),
        ["gelu"] = ([[4, 7]], x => x[0].Gelu()),
        ["sum"] = ([[4, 7]], x => x[0].Sum(1)),
        ["permute"] = ([[3, 4, 5]], x => x[0].Permute(2, 0, 1)),
        ["cat"] = ([[2, 3], [4, 3]], x => Tensor.Cat([x[0], x[1]], 0)),
        ["gather"] = ([[4, 5]], x => x[0].Gather(1, Tensor.FromInts([0, 4, 1, 1, 2, 3, 0, 0], 4, 2))),
        ["embedding"] = ([[9, 4]], x => F.Embedding(Tensor.FromInts([1, 8, 0, 3], 2, 2), x[0])),
        ["maskedfill"] = ([[3, 4]], x => x[0].MaskedFill(Tensor.FromInts([1, 0, 0, 1], 4), -2f)),
        ["max"] = ([[4, 7]], x => x[0].Max(1).Values),
        ["var"] = ([[4, 7]], x => x[0].Var(1)),
        ["logsumexp"] = ([[4, 7]], x => x[0].LogSumExp(-1)),
        ["softmax"] = ([[4, 7]], x => F.Softmax(x[0], -1)),
        ["logsoftmax0"] = ([[4, 7]], x => F.LogSoftmax(x[0], 0)),
        ["crossentropy"] = ([[4, 7]], x => F.CrossEntropy(x[0], Tensor.FromInts([1, 6, 0, 3], 4))),
        ["bce"] = ([[4, 7], [4, 7]], x => F.BinaryCrossEntropyWithLogits(x[0], x[1].Sigmoid())),
        ["mse"] = ([[4, 7], [4, 7]], x => F.MseLoss(x[0], x[1])),
        ["layernorm"] = ([[4, 7], [7], [7]], x => F.LayerNorm(x[0], [7], x[1], x[2])),
        ["batchnorm"] = ([[5, 3, 4]], x => F.BatchNorm(x[0], null, null, training: true)),
        ["attention"] = ([[2, 2, 5, 4], [2, 2, 6, 4], [2, 2, 6, 3]], x => F.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: true)),
        ["gru"] = ([[2, 5, 3], [2, 4], [12, 3], [12, 4], [12], [12]], x => F.Gru(x[0], x[1], x[2], x[3], x[4], x[5]).Output),
        ["conv1d"] = ([[2, 4, 9], [6, 2, 3], [6]], x => F.Conv1d(x[0], x[1], x[2], stride: 2, padding: 1, dilation: 1, groups: 2)),
        ["maxpool"] = ([[2, 3, 8]], x => F.MaxPool1d(x[0], 3, 2, 1)),
        ["topk"] = ([[3, 9]], x => x[0].TopK(3).Values),
        ["codeword"] = ([[5, 4], [6, 4]], x => F.NearestCodeword(x[0], x[1]).Codewords),
    };

    [Theory]
    [MemberData(nameof(Ops))]
    public void ViewInputsGiveTheSameOutputsAndGradientsAsCopies(string name)
    {
        var (shapes, f) = Cases[name];
        var g = new Generator(3);
        var values = shapes.Select(s => Tensor.Randn(s, g)).ToArray();

        // Reference: fresh, offset-0 leaves.
        var leaves = values.Select(v => v.Clone().RequiresGrad_()).ToArray();
        var expected = f(leaves);
        var w = Tensor.Randn(expected.Shape.ToArray(), new Generator(4));
        expected.Mul(w).Sum().Backward();

        // Same values placed in the middle of a larger buffer: [pad, *shape] narrowed to rows 2..2+n.
        var bigs = values.Select(v =>
        {
            var dims = v.Shape.ToArray();
            int n = v.Rank == 0 ? 1 : dims[0];
            var bigDims = v.Rank == 0 ? new[] { 5 } : dims.ToArray();
            bigDims[0] = n + 5;
            var big = Tensor.Randn(bigDims, g);
            int inner = v.NumElements / Math.Max(n, 1);
            v.AsReadOnlySpan().CopyTo(big.Span.Slice(2 * inner, v.NumElements));
            return big.RequiresGrad_();
        }).ToArray();
        var views = bigs.Select((b, i) => b.Narrow(0, 2, values[i].Shape[0])).ToArray();
        Assert.All(views, v => Assert.NotEqual(0, v.Offset));
        var actual = f(views);
        actual.Mul(w).Sum().Backward();

        TensorAssert.Close(expected, actual, 1e-5, 1e-6, $"{name} output");
        for (int i = 0; i < values.Length; i++)
        {
            var gradView = (bigs[i].Grad ?? Tensor.ZerosLike(bigs[i])).Narrow(0, 2, values[i].Shape[0]);
            TensorAssert.Close(leaves[i].Grad ?? Tensor.ZerosLike(values[i]), gradView, 1e-5, 1e-6, $"{name} grad of input {i}");
        }
    }
}
