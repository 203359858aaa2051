using System.Numerics.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

public partial class Tensor
{
    /// <summary>Span form of a unary backward rule: dx = f(g, x, y).</summary>
    private delegate void UnaryBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx);

    private delegate void UnaryKernel(ReadOnlySpan<float> x, Span<float> y);

    private Tensor Unary(string name, UnaryKernel forward, UnaryBackward backward)
    {
        var y = Empty(Shape);
        forward(AsReadOnlySpan(), y.Span);
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, name, [this], g =>
            {
                var dx = Empty(Shape);
                backward(g.AsReadOnlySpan(), AsReadOnlySpan(), y.AsReadOnlySpan(), dx.Span);
                AutogradEngine.Accumulate(this, dx);
            });
        }

        return y;
    }

    /// <summary>Elementwise negation.</summary>
    public Tensor Neg() => Unary("Neg", TensorPrimitives.Negate, (g, _, _, dx) => TensorPrimitives.Negate(g, dx));

    /// <summary>Elementwise exponential.</summary>
    public Tensor Exp() => Unary("Exp", TensorPrimitives.Exp, (g, _, y, dx) => TensorPrimitives.Multiply(g, y, dx));

    /// <summary>Elementwise natural logarithm.</summary>
    public Tensor Log() => Unary("Log", TensorPrimitives.Log, (g, x, _, dx) => TensorPrimitives.Divide(g, x, dx));

    /// <summary>Elementwise square root.</summary>
    public Tensor Sqrt() => Unary("Sqrt", TensorPrimitives.Sqrt, (g, _, y, dx) =>
    {
        // d sqrt(x) = 1 / (2 sqrt(x))
        TensorPrimitives.Divide(g, y, dx);
        TensorPrimitives.Multiply(dx, 0.5f, dx);
    });

    /// <summary>Elementwise reciprocal square root.</summary>
    public Tensor Rsqrt() => Unary("Rsqrt", (x, y) => TensorPrimitives.ReciprocalSqrt(x, y), (g, x, y, dx) =>
    {
        // d x^-1/2 = -1/2 x^-3/2 = -1/2 y^3
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] = -0.5f * g[i] * y[i] * y[i] * y[i];
        }
    });

    /// <summary>Elementwise absolute value (gradient 0 at 0, as PyTorch).</summary>
    public Tensor Abs() => Unary("Abs", TensorPrimitives.Abs, (g, x, _, dx) =>
    {
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] = x[i] > 0 ? g[i] : x[i] < 0 ? -g[i] : 0f;
        }
    });

    /// <summary>Elementwise square.</summary>
    public Tensor Square() => Pow(2f);

    /// <summary>
    /// Clamps every element into [min, max] (either bound may be null). The gradient passes where the
    /// input is inside the bounds (inclusive), as PyTorch.
    /// </summary>
    /// <exception cref="ArgumentException">Both bounds are null, or min exceeds max.</exception>
    public Tensor Clamp(float? min = null, float? max = null)
    {
        if (min is null && max is null)
        {
            throw new ArgumentException("Clamp needs at least one of min and max.");
        }

        float lo = min ?? float.NegativeInfinity;
        float hi = max ?? float.PositiveInfinity;
        if (lo > hi)
        {
            throw new ArgumentException($"Clamp min {lo} exceeds max {hi}.");
        }

        return Unary("Clamp", (x, y) => TensorPrimitives.Clamp(x, lo, hi, y), (g, x, _, dx) =>
        {
            for (int i = 0; i < dx.Length; i++)
            {
                dx[i] = x[i] >= lo && x[i] <= hi ? g[i] : 0f;
            }
        });
    }

    /// <summary>Rectified linear unit, max(x, 0).</summary>
    public Tensor Relu() => Unary("Relu", (x, y) => TensorPrimitives.Max(x, 0f, y), (g, x, _, dx) =>
    {
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] = x[i] > 0 ? g[i] : 0f;
        }
    });

    /// <summary>Leaky ReLU: x for x &gt; 0, else <paramref name="negativeSlope"/> * x (default 0.01, as PyTorch).</summary>
    public Tensor LeakyRelu(float negativeSlope = 0.01f) => Unary("LeakyRelu", (x, y) =>
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = x[i] > 0 ? x[i] : negativeSlope * x[i];
        }
    }, (g, x, _, dx) =>
    {
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] = x[i] > 0 ? g[i] : negativeSlope * g[i];
        }
    });

    /// <summary>
    /// Gaussian error linear unit. Exact (erf) form by default, as <c>F.gelu</c>, computed to within 5e-7 relative
    /// error; <paramref name="tanhApproximation"/> selects PyTorch's <c>approximate='tanh'</c> form.
    /// </summary>
    public Tensor Gelu(bool tanhApproximation = false) => tanhApproximation
        ? Unary("GeluTanh", GeluTanhForward, GeluTanhBackward)
        : ParallelUnary("Gelu", Kernels.Gelu.Forward, Kernels.Gelu.Backward, costPerElement: 40);

    /// <summary>
    /// <see cref="Unary"/> split over threads, for kernels whose result for an element does not depend on where
    /// the element sits in the span (so any chunking gives the same bits).
    /// </summary>
    private Tensor ParallelUnary(string name, UnaryKernel forward, Action<ReadOnlySpan<float>, ReadOnlySpan<float>, Span<float>> backward, int costPerElement)
    {
        var y = Uninitialized(Shape);
        var xb = Buffer;
        int xo = Offset;
        var yb = y.Buffer;
        Elementwise.ParallelChunks(NumElements, costPerElement, (s, n) => forward(xb.AsSpan(xo + s, n), yb.AsSpan(s, n)));
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, name, [this], g =>
            {
                var dx = Uninitialized(Shape);
                var gb = g.Buffer;
                int go = g.Offset;
                var db = dx.Buffer;
                Elementwise.ParallelChunks(NumElements, costPerElement, (s, n) => backward(gb.AsSpan(go + s, n), xb.AsSpan(xo + s, n), db.AsSpan(s, n)));
                AutogradEngine.Accumulate(this, dx);
            });
        }

        return y;
    }

    private static void GeluTanhForward(ReadOnlySpan<float> x, Span<float> y)
    {
        const double C = 0.79788456080286536; // sqrt(2/pi)
        for (int i = 0; i < y.Length; i++)
        {
            double v = x[i];
            y[i] = (float)(0.5 * v * (1.0 + Math.Tanh(C * (v + (0.044715 * v * v * v)))));
        }
    }

    private static void GeluTanhBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx)
    {
        const double C = 0.79788456080286536;
        for (int i = 0; i < dx.Length; i++)
        {
            double v = x[i];
            double inner = C * (v + (0.044715 * v * v * v));
            double t = Math.Tanh(inner);
            double dInner = C * (1.0 + (3 * 0.044715 * v * v));
            dx[i] = (float)(g[i] * ((0.5 * (1.0 + t)) + (0.5 * v * (1 - (t * t)) * dInner)));
        }
    }

    /// <summary>Logistic sigmoid, 1 / (1 + e^-x).</summary>
    public Tensor Sigmoid() => Unary("Sigmoid", TensorPrimitives.Sigmoid, (g, _, y, dx) =>
    {
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] = g[i] * y[i] * (1f - y[i]);
        }
    });

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Unary("Tanh", TensorPrimitives.Tanh, (g, _, y, dx) =>
    {
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] = g[i] * (1f - (y[i] * y[i]));
        }
    });

    /// <summary>SiLU (swish): x * sigmoid(x).</summary>
    public Tensor Silu() => Unary("Silu", (x, y) =>
    {
        TensorPrimitives.Sigmoid(x, y);
        TensorPrimitives.Multiply(x, y, y);
    }, (g, x, _, dx) =>
    {
        for (int i = 0; i < dx.Length; i++)
        {
            float s = 1f / (1f + MathF.Exp(-x[i]));
            dx[i] = g[i] * s * (1f + (x[i] * (1f - s)));
        }
    });

    /// <summary>
    /// Softplus, log(1 + e^(beta x)) / beta, linear above <paramref name="threshold"/> (defaults 1 and 20, as PyTorch).
    /// </summary>
    public Tensor Softplus(float beta = 1f, float threshold = 20f) => Unary("Softplus", (x, y) =>
    {
        for (int i = 0; i < y.Length; i++)
        {
            float bx = beta * x[i];
            y[i] = bx > threshold ? x[i] : (float)(Math.Log(1.0 + Math.Exp(bx)) / beta);
        }
    }, (g, x, _, dx) =>
    {
        for (int i = 0; i < dx.Length; i++)
        {
            float bx = beta * x[i];
            dx[i] = bx > threshold ? g[i] : g[i] / (1f + MathF.Exp(-bx));
        }
    });
}
