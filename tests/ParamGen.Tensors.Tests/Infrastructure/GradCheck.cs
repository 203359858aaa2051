using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Random;
using Xunit.Sdk;

namespace ParamGen.Tensors.Tests.Infrastructure;

/// <summary>
/// Finite-difference gradient check. The objective is L = sum(f(x) * w) for a fixed random w, reduced in
/// double precision. Numerical derivatives use central differences at steps h and h/2 combined by Richardson
/// extrapolation (truncation error O(h^4)), so float32 rounding noise stays far below the tolerance; the
/// analytic gradient comes from autograd.
/// </summary>
public static class GradCheck
{
    /// <param name="f">The function under test; must be deterministic (reseed any randomness inside).</param>
    /// <param name="inputs">Inputs; each gets RequiresGrad and is checked element by element.</param>
    /// <param name="h">Finite-difference step (default 1e-2; keep inputs farther than 2h from any kink).</param>
    /// <param name="atol">Absolute tolerance.</param>
    /// <param name="rtol">Relative tolerance.</param>
    /// <param name="maxElementsPerInput">Checks at most this many elements per input (evenly spaced) to bound cost.</param>
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double h = 1e-2, double atol = 2e-3, double rtol = 2e-3, int maxElementsPerInput = 64)
    {
        var xs = inputs.Select(x => x.Clone().RequiresGrad_()).ToArray();
        var y = f(xs);
        var w = Tensor.Randn(y.Shape.ToArray(), new Generator(99));
        y.Mul(w).Sum().Backward();

        for (int idx = 0; idx < xs.Length; idx++)
        {
            var x = xs[idx];
            var analytic = x.Grad?.ToArray() ?? new float[x.NumElements];
            int n = x.NumElements;
            int step = Math.Max(1, n / maxElementsPerInput);
            for (int j = 0; j < n; j += step)
            {
                double d1 = Central(f, xs, idx, j, h, w);
                double d2 = Central(f, xs, idx, j, h / 2, w);
                double numeric = ((4 * d2) - d1) / 3;
                double a = analytic[j];
                if (Math.Abs(a - numeric) > atol + (rtol * Math.Abs(numeric)))
                {
                    throw new XunitException($"Gradient mismatch for input {idx} (shape {x.Shape}) at element {j}: autograd {a:G7}, finite difference {numeric:G7} (h {h}).");
                }
            }
        }
    }

    private static double Central(Func<Tensor[], Tensor> f, Tensor[] xs, int idx, int j, double h, Tensor w)
    {
        var span = xs[idx].Span;
        float orig = span[j];
        float plus = (float)(orig + h);
        float minus = (float)(orig - h);
        double lp, lm;
        using (Grad.NoGrad())
        {
            span[j] = plus;
            lp = Objective(f(xs), w);
            span[j] = minus;
            lm = Objective(f(xs), w);
        }

        span[j] = orig;
        return (lp - lm) / ((double)plus - minus);
    }

    private static double Objective(Tensor y, Tensor w)
    {
        var ys = y.AsReadOnlySpan();
        var ws = w.AsReadOnlySpan();
        double s = 0;
        for (int i = 0; i < ys.Length; i++)
        {
            s += (double)ys[i] * ws[i];
        }

        return s;
    }
}
