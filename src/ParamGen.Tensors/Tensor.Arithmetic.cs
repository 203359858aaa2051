using System.Numerics.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

public partial class Tensor
{
    private static Tensor BinaryForward<TOp>(Tensor a, Tensor b)
        where TOp : struct, IBinaryOp
    {
        Shape outShape;
        try
        {
            outShape = a.Shape == b.Shape ? a.Shape : Shape.Broadcast(a.Shape, b.Shape);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{TOp.Name}: {e.Message}", e);
        }

        var y = TOp.Exact && a.Shape == b.Shape ? Uninitialized(outShape) : Empty(outShape);
        if (TOp.Exact && a.Shape == b.Shape)
        {
            // Same shapes: one span op, split over threads when large (exact ops give the same bits for any split).
            var (ab, ao, bb, bo, yb) = (a.Buffer, a.Offset, b.Buffer, b.Offset, y.Buffer);
            Elementwise.ParallelChunks(y.NumElements, 1, (s, n) => TOp.Apply(ab.AsSpan(ao + s, n), bb.AsSpan(bo + s, n), yb.AsSpan(s, n)));
            return y;
        }

        Broadcast.Binary<TOp>(a.AsReadOnlySpan(), a.Shape, b.AsReadOnlySpan(), b.Shape, y.Span, outShape);
        return y;
    }

    private static Tensor ScalarForward<TOp>(Tensor a, float s)
        where TOp : struct, IBinaryOp
    {
        var y = TOp.Exact ? Uninitialized(a.Shape) : Empty(a.Shape);
        if (TOp.Exact)
        {
            var (ab, ao, yb) = (a.Buffer, a.Offset, y.Buffer);
            Elementwise.ParallelChunks(y.NumElements, 1, (start, n) => TOp.Apply(ab.AsSpan(ao + start, n), s, yb.AsSpan(start, n)));
            return y;
        }

        TOp.Apply(a.AsReadOnlySpan(), s, y.Span);
        return y;
    }

    /// <summary>Elementwise <c>this + other</c> with broadcasting.</summary>
    public Tensor Add(Tensor other)
    {
        var y = BinaryForward<AddOp>(this, other);
        if (AutogradEngine.NeedsGrad(this, other))
        {
            AutogradEngine.Record(y, "Add", [this, other], g =>
            {
                AutogradEngine.Accumulate(this, g);
                AutogradEngine.Accumulate(other, g);
            });
        }

        return y;
    }

    /// <summary>Elementwise <c>this + alpha * other</c> with broadcasting, as <c>torch.add(alpha=)</c>.</summary>
    public Tensor Add(Tensor other, float alpha) => alpha == 1f ? Add(other) : Add(other.Mul(alpha));

    /// <summary>Elementwise <c>this - other</c> with broadcasting.</summary>
    public Tensor Sub(Tensor other)
    {
        var y = BinaryForward<SubOp>(this, other);
        if (AutogradEngine.NeedsGrad(this, other))
        {
            AutogradEngine.Record(y, "Sub", [this, other], g =>
            {
                AutogradEngine.Accumulate(this, g);
                if (other.RequiresGrad)
                {
                    AutogradEngine.Accumulate(other, g.Neg());
                }
            });
        }

        return y;
    }

    /// <summary>Elementwise <c>this * other</c> with broadcasting.</summary>
    public Tensor Mul(Tensor other)
    {
        var y = BinaryForward<MulOp>(this, other);
        if (AutogradEngine.NeedsGrad(this, other))
        {
            AutogradEngine.Record(y, "Mul", [this, other], g =>
            {
                if (RequiresGrad)
                {
                    AutogradEngine.Accumulate(this, g.Mul(other));
                }

                if (other.RequiresGrad)
                {
                    AutogradEngine.Accumulate(other, g.Mul(this));
                }
            });
        }

        return y;
    }

    /// <summary>Elementwise <c>this / other</c> with broadcasting.</summary>
    public Tensor Div(Tensor other)
    {
        var y = BinaryForward<DivOp>(this, other);
        if (AutogradEngine.NeedsGrad(this, other))
        {
            AutogradEngine.Record(y, "Div", [this, other], g =>
            {
                var gOverB = g.Div(other);
                AutogradEngine.Accumulate(this, gOverB);
                if (other.RequiresGrad)
                {
                    AutogradEngine.Accumulate(other, gOverB.Mul(y).Neg());
                }
            });
        }

        return y;
    }

    /// <summary>Elementwise <c>this ^ exponent</c> with broadcasting.</summary>
    public Tensor Pow(Tensor exponent)
    {
        var y = BinaryForward<PowOp>(this, exponent);
        if (AutogradEngine.NeedsGrad(this, exponent))
        {
            AutogradEngine.Record(y, "Pow", [this, exponent], g =>
            {
                if (RequiresGrad)
                {
                    // d/da a^b = b a^(b-1)
                    AutogradEngine.Accumulate(this, g.Mul(exponent).Mul(Pow(exponent.Sub(Scalar(1f)))));
                }

                if (exponent.RequiresGrad)
                {
                    // d/db a^b = a^b ln a
                    AutogradEngine.Accumulate(exponent, g.Mul(y).Mul(Log()));
                }
            });
        }

        return y;
    }

    /// <summary>Elementwise maximum with broadcasting; at ties the gradient is split evenly, as PyTorch does.</summary>
    public Tensor Maximum(Tensor other) => MinMax<MaxOp>(other, "Maximum", 1f);

    /// <summary>Elementwise minimum with broadcasting; at ties the gradient is split evenly, as PyTorch does.</summary>
    public Tensor Minimum(Tensor other) => MinMax<MinOp>(other, "Minimum", -1f);

    private Tensor MinMax<TOp>(Tensor other, string name, float sign)
        where TOp : struct, IBinaryOp
    {
        var y = BinaryForward<TOp>(this, other);
        if (AutogradEngine.NeedsGrad(this, other))
        {
            AutogradEngine.Record(y, name, [this, other], g =>
            {
                // Share of the gradient each side wins: 1, 0 or 1/2 at ties.
                var diff = Sub(other).Mul(sign);
                var share = Empty(diff.Shape);
                var d = diff.AsReadOnlySpan();
                var s = share.Span;
                for (int i = 0; i < s.Length; i++)
                {
                    s[i] = d[i] > 0 ? 1f : d[i] < 0 ? 0f : 0.5f;
                }

                AutogradEngine.Accumulate(this, g.Mul(share));
                if (other.RequiresGrad)
                {
                    AutogradEngine.Accumulate(other, g.Mul(OnesLike(share).Sub(share)));
                }
            });
        }

        return y;
    }

    /// <summary>Elementwise <c>this + s</c>.</summary>
    public Tensor Add(float s)
    {
        var y = ScalarForward<AddOp>(this, s);
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, "AddScalar", [this], g => AutogradEngine.Accumulate(this, g));
        }

        return y;
    }

    /// <summary>Elementwise <c>this - s</c>.</summary>
    public Tensor Sub(float s) => Add(-s);

    /// <summary>Elementwise <c>this * s</c>.</summary>
    public Tensor Mul(float s)
    {
        var y = ScalarForward<MulOp>(this, s);
        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, "MulScalar", [this], g => AutogradEngine.Accumulate(this, g.Mul(s)));
        }

        return y;
    }

    /// <summary>Elementwise <c>this / s</c>.</summary>
    public Tensor Div(float s) => Mul(1f / s);

    /// <summary>Elementwise <c>s - this</c>.</summary>
    public Tensor RSub(float s) => Neg().Add(s);

    /// <summary>Elementwise <c>s / this</c>.</summary>
    public Tensor RDiv(float s)
    {
        var y = Empty(Shape);
        TensorPrimitives.Divide(s, AsReadOnlySpan(), y.Span);
        if (AutogradEngine.NeedsGrad(this))
        {
            // d/dx s/x = -s/x^2 = -y/x
            AutogradEngine.Record(y, "RDiv", [this], g => AutogradEngine.Accumulate(this, g.Mul(y).Div(this).Neg()));
        }

        return y;
    }

    /// <summary>Elementwise <c>this ^ exponent</c> for a constant exponent.</summary>
    public Tensor Pow(float exponent)
    {
        Tensor y;
        if (exponent == 2f)
        {
            y = Empty(Shape);
            TensorPrimitives.Multiply(AsReadOnlySpan(), AsReadOnlySpan(), y.Span);
        }
        else
        {
            y = ScalarForward<PowOp>(this, exponent);
        }

        if (AutogradEngine.NeedsGrad(this))
        {
            AutogradEngine.Record(y, "PowScalar", [this], g => AutogradEngine.Accumulate(this, g.Mul(Pow(exponent - 1f)).Mul(exponent)));
        }

        return y;
    }

    /// <summary>Elementwise sum.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);

    /// <summary>Elementwise difference.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);

    /// <summary>Elementwise product.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);

    /// <summary>Elementwise quotient.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);

    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, float s) => a.Add(s);

    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(float s, Tensor a) => a.Add(s);

    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, float s) => a.Add(-s);

    /// <summary>Subtracts from a scalar.</summary>
    public static Tensor operator -(float s, Tensor a) => a.RSub(s);

    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor a, float s) => a.Mul(s);

    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(float s, Tensor a) => a.Mul(s);

    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, float s) => a.Div(s);

    /// <summary>Divides a scalar.</summary>
    public static Tensor operator /(float s, Tensor a) => a.RDiv(s);

    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
}
