using System.Numerics.Tensors;

namespace ParamGen.Tensors.Optim;

/// <summary>
/// The update shared by <see cref="Adam"/> and <see cref="AdamW"/>; they differ only in how weight decay
/// enters (added to the gradient, or applied to the parameter directly).
/// </summary>
public abstract class AdamBase : Optimizer
{
    private static readonly string[] Moments = ["exp_avg", "exp_avg_sq"];
    private static readonly string[] MomentsAmsgrad = ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"];

    private protected AdamBase(IEnumerable<ParamGroup> groups, AdamOptions defaults)
        : base(groups, defaults)
    {
    }

    /// <summary>Whether weight decay is decoupled from the gradient (AdamW) rather than added to it as L2 (Adam).</summary>
    private protected abstract bool DecoupledWeightDecay { get; }

    private protected override string[] BufferNames(OptimizerOptions options) =>
        ((AdamOptions)options).Amsgrad ? MomentsAmsgrad : Moments;

    private protected override void Update(OptimizerOptions options, double learningRate, Span<float> param, ReadOnlySpan<float> grad, ParameterState state, Span<float> scratchA, Span<float> scratchB)
    {
        var o = (AdamOptions)options;
        int n = param.Length;
        ReadOnlySpan<float> g = grad;
        if (o.WeightDecay != 0)
        {
            if (DecoupledWeightDecay)
            {
                TensorPrimitives.Multiply(param, (float)(1 - (learningRate * o.WeightDecay)), param);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(param, (float)o.WeightDecay, grad, scratchA); // g + wd * p
                g = scratchA;
            }
        }

        var m = state.Buffers[0] ??= new float[n];
        var v = state.Buffers[1] ??= new float[n];
        float beta1 = (float)o.Beta1, beta2 = (float)o.Beta2;
        TensorPrimitives.Multiply(m, beta1, m);
        TensorPrimitives.MultiplyAdd(g, (float)(1 - o.Beta1), m, m); // m = beta1 m + (1 - beta1) g
        TensorPrimitives.Multiply(v, beta2, v);
        TensorPrimitives.Multiply(g, g, scratchB);
        TensorPrimitives.MultiplyAdd(scratchB, (float)(1 - o.Beta2), v, v); // v = beta2 v + (1 - beta2) g^2

        // Bias corrections in double from the integer step, as PyTorch computes them in Python floats.
        double step = state.Step;
        double biasCorrection1 = 1 - Math.Pow(o.Beta1, step);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(o.Beta2, step));
        double stepSize = learningRate / biasCorrection1;

        Span<float> second = v;
        if (o.Amsgrad)
        {
            var vMax = state.Buffers[2] ??= new float[n];
            TensorPrimitives.Max(vMax, v, vMax);
            second = vMax;
        }

        var denom = scratchB;
        TensorPrimitives.Sqrt(second, denom);
        TensorPrimitives.Divide(denom, (float)biasCorrection2Sqrt, denom);
        TensorPrimitives.Add(denom, (float)o.Eps, denom); // sqrt(v) / sqrt(bc2) + eps
        TensorPrimitives.Divide(m, denom, denom);
        TensorPrimitives.MultiplyAdd(denom, (float)-stepSize, param, param);
    }
}
