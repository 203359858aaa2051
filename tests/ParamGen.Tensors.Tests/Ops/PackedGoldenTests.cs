using ParamGen.Tensors;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Ops;

/// <summary>
/// The packed per-sample ops agree with PyTorch's bmm over a sliced (and row-gathered) view of the packed tensor, on
/// values and on the gradients of x and of the whole packed tensor (zero outside the slice, summed over shared rows).
/// </summary>
public class PackedGoldenTests
{
    private const string Group = "packed";

    private static int[] Rows(string name) => Golden.Aux(Golden.Load(Group), name, 0).ToArray().Select(v => (int)v).ToArray();

    [Theory]
    [InlineData("mm.seq.bias", 3, 2, 19)]
    [InlineData("mm.vec", 4, 1, -1)]
    [InlineData("mm.adapter", 4, 4, 0)]
    public void PackedMatMulMatchesBmmOnTheSlicedView(string name, int outFeatures, int weightOffset, int biasOffset)
    {
        Golden.Run(Group, name, x => F.PackedMatMul(x[0], x[1], weightOffset, outFeatures, biasOffset < 0 ? null : biasOffset));
    }

    [Theory]
    [InlineData("mm.rows.bias", 0)]
    [InlineData("mm.rows.vec", -1)]
    public void RowIndexedPackedMatMulMatchesBmmOnGatheredRows(string name, int biasOffset)
    {
        var rows = Rows(name);
        var xs = Golden.Run(Group, name, x => F.PackedMatMul(x[0], x[1], 3, 3, biasOffset < 0 ? null : biasOffset, rows));

        // Columns outside the weight (and bias) blocks get no gradient.
        var grad = xs[1].Grad!;
        for (int r = 0; r < 2; r++)
        {
            for (int c = 15; c < 16; c++)
            {
                Assert.Equal(0f, grad[r, c]);
            }

            if (biasOffset < 0)
            {
                Assert.Equal([0f, 0f, 0f], Enumerable.Range(0, 3).Select(c => grad[r, c]));
            }
        }
    }

    [Fact]
    public void PackedAddBiasMatchesTorch()
    {
        Golden.Run(Group, "bias.seq", x => F.PackedAddBias(x[0], x[1], 2));
        var rows = Rows("bias.rows.vec");
        Golden.Run(Group, "bias.rows.vec", x => F.PackedAddBias(x[0], x[1], 1, rows));
    }
}
