using ParamGen.Tensors;
using Xunit.Sdk;

namespace ParamGen.Tensors.Tests.Infrastructure;

/// <summary>Assertions on tensors with PyTorch's allclose semantics: |a - e| &lt;= atol + rtol * |e|.</summary>
public static class TensorAssert
{
    public static void Close(Tensor expected, Tensor actual, double rtol = 1e-4, double atol = 1e-5, string? what = null)
    {
        if (expected.Shape != actual.Shape)
        {
            throw new XunitException($"{what ?? "tensor"}: shape {actual.Shape}, expected {expected.Shape}.");
        }

        Close(expected.AsReadOnlySpan(), actual.AsReadOnlySpan(), rtol, atol, what);
    }

    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rtol = 1e-4, double atol = 1e-5, string? what = null)
    {
        if (expected.Length != actual.Length)
        {
            throw new XunitException($"{what ?? "values"}: length {actual.Length}, expected {expected.Length}.");
        }

        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a))
            {
                continue;
            }

            if (double.IsInfinity(e) && e == a)
            {
                continue;
            }

            double excess = Math.Abs(a - e) - (atol + (rtol * Math.Abs(e)));
            if (double.IsNaN(excess) || excess > worst)
            {
                worst = double.IsNaN(excess) ? double.PositiveInfinity : excess;
                worstAt = i;
            }
        }

        if (worstAt >= 0)
        {
            throw new XunitException($"{what ?? "values"}: element {worstAt} is {actual[worstAt]:G9}, expected {expected[worstAt]:G9} (rtol {rtol}, atol {atol}).");
        }
    }

    public static void Equal(Tensor expected, Tensor actual) => Close(expected, actual, 0, 0);
}
