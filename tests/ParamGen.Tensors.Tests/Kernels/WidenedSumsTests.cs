using ParamGen.Tensors.Kernels;
using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Tests.KernelTests;

/// <summary>The widened double accumulators give the scalar reference's bits for every length and slice boundary.</summary>
public class WidenedSumsTests
{
    [Fact]
    public void VectorPathsMatchTheScalarReferenceBitForBitAtEveryLength()
    {
        var g = new Generator(61);
        for (int n = 0; n <= 40; n++)
        {
            var x = Tensor.Randn([n + 1], g).Mul(3f).ToArray()[..n];
            var dy = Tensor.Randn([n + 1], g).ToArray()[..n];
            var mean = Tensor.Randn([n + 1], g).ToArray()[..n].Select(v => (double)v / 3).ToArray();
            var seed = Tensor.Randn([n + 1], g).ToArray()[..n].Select(v => (double)v).ToArray();

            var (sum, ssq, sg, sgx) = ((double[])seed.Clone(), (double[])seed.Clone(), (double[])seed.Clone(), (double[])seed.Clone());
            WidenedSums.Add(sum, x);
            WidenedSums.AddSquaredDeviations(ssq, x, mean);
            WidenedSums.AddGradients(sg, sgx, dy, x, mean);

            // Split at an odd point: the two slices must give the same bits as the whole.
            int cut = n / 3;
            var sumSplit = (double[])seed.Clone();
            WidenedSums.Add(sumSplit.AsSpan(0, cut), x.AsSpan(0, cut));
            WidenedSums.Add(sumSplit.AsSpan(cut), x.AsSpan(cut));
            for (int i = 0; i < n; i++)
            {
                double d = x[i] - mean[i];
                Assert.Equal(seed[i] + x[i], sum[i]);
                Assert.Equal(seed[i] + (d * d), ssq[i]);
                Assert.Equal(seed[i] + dy[i], sg[i]);
                Assert.Equal(seed[i] + (dy[i] * d), sgx[i]);
                Assert.Equal(sum[i], sumSplit[i]);
            }
        }
    }

    [Fact]
    public void MismatchedLengthsThrowInsteadOfReadingPastTheEnd()
    {
        Assert.Throws<ArgumentException>(() => WidenedSums.Add(new double[3], new float[4]));
        Assert.Throws<ArgumentException>(() => WidenedSums.AddSquaredDeviations(new double[4], new float[4], new double[3]));
        Assert.Throws<ArgumentException>(() => WidenedSums.AddGradients(new double[4], new double[4], new float[4], new float[5], new double[4]));
    }
}
