using System.Diagnostics;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Generators;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Memory;

namespace ParamGen.Samples.MultiDomain;

/// <summary>
/// An indicative timing of HAMUR's generation against the backbone's forward on one batch (evaluation mode, no
/// gradient, median of a few runs after a warm-up). The benchmark (<c>benchmarks/ParamGen.Benchmarks -- hamur</c>)
/// is the real measurement: it also times training mode and runs on a quiet, fixed-size problem.
/// </summary>
internal static class GenerationCost
{
    /// <param name="model">A trained HAMUR model.</param>
    /// <param name="plain">A backbone of the same shape without adapters.</param>
    /// <param name="batch">The batch.</param>
    /// <param name="reps">Timed runs of each part.</param>
    /// <returns>Median milliseconds of Generate, of Encode with the generated weights, and of the plain backbone's Encode.</returns>
    public static (double GenerateMs, double EncodeMs, double PlainEncodeMs) Measure(GeneratedRecommender model, ISequentialBackbone plain, SequenceBatch batch, int reps = 7)
    {
        model.Module.Eval();
        plain.Module.Eval();
        using var noGrad = Grad.NoGrad();
        var context = new GeneratorContext(batch, model.Backbone, model.GroupCount);
        var packed = model.Generator.Generate(context); // [B, P]
        var weights = model.Generator.Layout.Bind(packed, model.Generator.RowIndex(context), context.Samples);
        return (
            Median(reps, () => model.Generator.Generate(context)),
            Median(reps, () => model.Backbone.Encode(batch, weights)),
            Median(reps, () => plain.Encode(batch)));
    }

    private static double Median(int reps, Action run)
    {
        var times = new double[reps];
        for (int i = -2; i < reps; i++)
        {
            using var scope = TensorScope.Begin();
            long start = Stopwatch.GetTimestamp();
            run();
            if (i >= 0)
            {
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        Array.Sort(times);
        return times[reps / 2];
    }
}
