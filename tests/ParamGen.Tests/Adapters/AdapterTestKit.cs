using ParamGen.Adapters;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Nn;
using Xunit.Sdk;

namespace ParamGen.Tests.Adapters;

/// <summary>A tiny module with adapter slots (an encoder layer, then <c>block0</c> and <c>user_state</c>), and numeric helpers.</summary>
internal sealed class SlottedModel : Module
{
    public SlottedModel(int width, ParamGen.Tensors.Random.Generator generator)
    {
        Encoder = RegisterModule("encoder", new Linear(width, width, generator: generator));
        Slots = RegisterModule("adapters", new AdapterSlots());
        Slots.Declare("block0", width, "after the encoder");
        Slots.Declare("user_state", width, "on the output");
    }

    public Linear Encoder { get; }

    public AdapterSlots Slots { get; }

    public Tensor Forward(Tensor x, GeneratedWeights? weights = null)
    {
        var h = Slots.Apply("block0", Encoder.Forward(x), weights); // [B, L, d]
        return Slots.Apply("user_state", h, weights);               // [B, L, d]
    }
}

internal static class AdapterTestKit
{
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > tolerance * (1 + Math.Abs(expected[i])))
            {
                throw new XunitException($"{what}: element {i} is {actual[i]:G7}, expected {expected[i]:G7}.");
            }
        }
    }

    /// <summary>
    /// Central differences (h and h/2, Richardson) of L = Σ f() · w, in double, for every element of <paramref name="x"/>,
    /// compared with the gradient autograd left in x.Grad.
    /// </summary>
    public static void CheckGradient(Func<Tensor> f, Tensor x, Tensor w, double h = 1e-2, double tolerance = 2e-3)
    {
        var analytic = x.Grad?.ToArray() ?? new float[x.NumElements];
        var span = x.Span;
        for (int j = 0; j < x.NumElements; j++)
        {
            double d1 = Central(f, span, j, h, w), d2 = Central(f, x.Span, j, h / 2, w);
            double numeric = ((4 * d2) - d1) / 3;
            if (Math.Abs(analytic[j] - numeric) > tolerance * (1 + Math.Abs(numeric)))
            {
                throw new XunitException($"Gradient of element {j} of {x.Shape}: autograd {analytic[j]:G7}, finite difference {numeric:G7}.");
            }
        }
    }

    private static double Central(Func<Tensor> f, Span<float> span, int j, double h, Tensor w)
    {
        float orig = span[j];
        float plus = (float)(orig + h), minus = (float)(orig - h);
        double lp, lm;
        using (Grad.NoGrad())
        {
            span[j] = plus;
            lp = Objective(f(), w);
            span[j] = minus;
            lm = Objective(f(), w);
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
