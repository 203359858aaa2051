using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

/// <summary>
/// Stateless neural-network functions, as <c>torch.nn.functional</c>. Tip:
/// <c>using F = ParamGen.Tensors.Functional;</c>.
/// </summary>
public static partial class Functional
{
    /// <summary>
    /// Affine map <c>y = x W^T + b</c>, as <c>F.linear</c>: x <c>[*, in]</c>, weight <c>[out, in]</c>,
    /// bias <c>[out]</c> or null. One fused op: the transpose is a GEMM flag, never a copy, and the bias is the
    /// GEMM's starting value rather than a second pass; backward computes dx, dW and db in one rule.
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
        int rows = input.Shape.Product(0, input.Rank - 1);
        var outDims = input.Shape.ToArray();
        outDims[^1] = outF;
        var y = Tensor.Empty(new Shape(outDims)); // [*, out]
        if (bias is not null)
        {
            FillRows(y.Buffer, rows, bias.AsReadOnlySpan());
        }

        Gemm.Sgemm(false, true, rows, outF, inF, 1f, input.Buffer, input.Offset, inF, weight.Buffer, weight.Offset, inF,
            bias is null ? 0f : 1f, y.Buffer, 0, outF);
        if (AutogradEngine.NeedsGrad(input, weight, bias))
        {
            AutogradEngine.Record(y, "Linear", [input, weight, bias], g => LinearBackward(g, input, weight, bias));
        }

        return y;
    }

    /// <summary>
    /// Accumulates the gradients of <c>y = x W^T + b</c> given dy = <paramref name="g"/> (any shape with
    /// <c>[rows, out]</c> elements): dx = dy W, dW = dy^T x, db = column sums of dy.
    /// </summary>
    internal static void LinearBackward(Tensor g, Tensor input, Tensor weight, Tensor? bias)
    {
        int inF = weight.Shape[1];
        int outF = weight.Shape[0];
        int rows = input.Shape.Product(0, input.Rank - 1);
        if (input.RequiresGrad)
        {
            var dx = Tensor.Empty(input.Shape); // [*, in]
            Gemm.Sgemm(false, false, rows, inF, outF, 1f, g.Buffer, g.Offset, outF, weight.Buffer, weight.Offset, inF, 0f, dx.Buffer, 0, inF);
            AutogradEngine.Accumulate(input, dx);
        }

        if (weight.RequiresGrad)
        {
            var dw = Tensor.Empty(weight.Shape); // [out, in]
            Gemm.Sgemm(true, false, outF, inF, rows, 1f, g.Buffer, g.Offset, outF, input.Buffer, input.Offset, inF, 0f, dw.Buffer, 0, inF);
            AutogradEngine.Accumulate(weight, dw);
        }

        if (bias is { RequiresGrad: true })
        {
            var db = Tensor.Empty(bias.Shape); // [out]
            ColumnSums.Compute(g.Buffer, g.Offset, rows, outF, db.Span);
            AutogradEngine.Accumulate(bias, db);
        }
    }

    /// <summary>Writes <paramref name="row"/> into each of the first <paramref name="rows"/> rows of <paramref name="dst"/>.</summary>
    private static void FillRows(float[] dst, int rows, ReadOnlySpan<float> row)
    {
        int n = row.Length;
        if (n == 0)
        {
            return;
        }

        var src = row.ToArray();
        Engine.ParallelFor(rows, n, (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                src.CopyTo(dst, r * n);
            }
        });
    }
}
