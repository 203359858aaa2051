using ParamGen.Tensors.Autograd;

namespace ParamGen.Tensors;

/// <summary>
/// Stateless neural-network functions, as <c>torch.nn.functional</c>. Tip:
/// <c>using F = ParamGen.Tensors.Functional;</c>.
/// </summary>
public static partial class Functional
{
    /// <summary>
    /// Affine map <c>y = x W^T + b</c>, as <c>F.linear</c>: x <c>[*, in]</c>, weight <c>[out, in]</c>,
    /// bias <c>[out]</c> or null. The transpose is a GEMM flag, never a copy.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit; the message names them.</exception>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2 || input.Rank < 1 || input.Shape[-1] != weight.Shape[1])
        {
            throw new ArgumentException($"Linear: input {input.Shape} does not fit weight {weight.Shape} (expected input [*, {(weight.Rank == 2 ? weight.Shape[1] : -1)}] and weight [out, in]).");
        }

        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
        {
            throw new ArgumentException($"Linear: bias {bias.Shape} does not fit weight {weight.Shape} (expected [{weight.Shape[0]}]).");
        }

        int inF = weight.Shape[1];
        int outF = weight.Shape[0];
        int rows = input.NumElements / Math.Max(inF, 1);
        var x2 = input.Reshape(rows, inF);
        var y = Tensor.MatMul2D(x2, weight, transA: false, transB: true, bias); // [rows, out], bias added inside the GEMM

        var outDims = input.Shape.ToArray();
        outDims[^1] = outF;
        return y.Reshape(outDims);
    }
}
