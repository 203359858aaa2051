using System.Diagnostics;
using System.Globalization;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Benchmarks;

/// <summary>
/// Per-op time breakdown of <see cref="TransformerBlockWorkload"/>: each op of the post-norm block runs alone on
/// inputs of the block's shapes, its forward and its backward (to every input) timed separately, then the whole
/// block for comparison. Run with <c>-- profile-block [--threads 2] [--reps 15]</c>. Op times are the fastest of
/// the isolated runs, so their sum is close to, not equal to, the block's time (an isolated backward also copies
/// the gradient into the leaf). With <c>--threads 1</c> the table shows the calling thread's CPU time, which other
/// processes competing for the cores disturb far less than wall time; otherwise wall time.
/// </summary>
public static partial class BlockProfile
{
    private const int B = TransformerBlockWorkload.B, L = TransformerBlockWorkload.L, D = TransformerBlockWorkload.D;
    private const int H = TransformerBlockWorkload.Heads, Ffn = TransformerBlockWorkload.Ffn, Dh = D / H;
    private const float P = 0.2f;

    /// <summary>Prints the breakdown as a markdown table.</summary>
    public static void Run(int threads, int reps)
    {
        Engine.NumThreads = threads;
        var g = new Generator(0);
        var block = new TransformerBlock(D, H, Ffn, P, TransformerActivation.Gelu, generator: g);
        var attn = block.SelfAttn;
        var gen = new Generator(1);

        Tensor Leaf(params int[] shape) => Tensor.Randn(shape, g).RequiresGrad_();

        // The ops of TransformerBlock.Forward (post-norm, training), in order, each on inputs of its shape.
        var rows = new List<(string Name, double Fwd, double Bwd)>
        {
            Op("in_proj linear [N,64]->[N,192]", [Leaf(B, L, D)], x => F.Linear(x[0], attn.InProjWeight, attn.InProjBias), reps),
            Op("fused attention (causal, dropout)", [Leaf(B, L, 3 * D)],
                x => F.MultiHeadAttentionCore(x[0], 0, x[0], D, x[0], 2 * D, D, H, null, null, true, P, gen), reps),
            Op("out_proj linear [N,64]->[N,64]", [Leaf(B, L, D)], x => attn.OutProj.Forward(x[0]), reps),
            Op("dropout1 + residual + norm1", [Leaf(B, L, D), Leaf(B, L, D)],
                x => F.AddDropoutLayerNorm(x[0], x[1], P, gen, block.Norm1.Weight, block.Norm1.Bias, block.Norm1.Eps), reps),
            Op("linear1 + gelu + dropout [N,64]->[N,256]", [Leaf(B, L, D)],
                x => F.LinearActivationDropout(x[0], block.Linear1.Weight, block.Linear1.Bias, TransformerActivation.Gelu, P, gen), reps),
            Op("linear2 [N,256]->[N,64]", [Leaf(B, L, Ffn)], x => block.Linear2.Forward(x[0]), reps),
            Op("dropout2 + residual + norm2", [Leaf(B, L, D), Leaf(B, L, D)],
                x => F.AddDropoutLayerNorm(x[0], x[1], P, gen, block.Norm2.Weight, block.Norm2.Bias, block.Norm2.Eps), reps),
        };

        double sumF = rows.Sum(r => r.Fwd), sumB = rows.Sum(r => r.Bwd);
        var x = Leaf(B, L, D);
        var whole = Op("whole block (one graph)", [x], t => block.Forward(t[0], isCausal: true), reps);
        var workload = new TransformerBlockWorkload();
        var (median, alloc, _) = Measure.Time(workload, threads, reps: reps);

        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine($"threads {threads}, fastest of {reps} isolated runs per op, {(threads == 1 ? "thread CPU" : "wall")} ms");
        Console.WriteLine();
        Console.WriteLine("| op | forward | backward | total |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, fwd, bwd) in rows.Append(("sum of ops", sumF, sumB)).Append(whole))
        {
            Console.WriteLine(string.Format(ci, "| {0} | {1:F2} | {2:F2} | {3:F2} |", name, fwd, bwd, fwd + bwd));
        }

        Console.WriteLine(string.Format(ci, "| transformer_block_fwd_bwd workload | | | {0:F2} ({1:F1} MB allocated/run) |", median, alloc));
    }

    private static (string Name, double Fwd, double Bwd) Op(string name, Tensor[] inputs, Func<Tensor[], Tensor> op, int reps)
    {
        var upstream = Tensor.Randn(op(inputs).Shape.ToArray(), new Generator(2));
        var fwd = new double[reps];
        var bwd = new double[reps];
        for (int i = -3; i < reps; i++)
        {
            foreach (var t in inputs)
            {
                t.Grad = null;
            }

            double t0 = Now();
            var y = op(inputs);
            double t1 = Now();
            y.Backward(upstream);
            double t2 = Now();
            if (i >= 0)
            {
                fwd[i] = t1 - t0;
                bwd[i] = t2 - t1;
            }
        }

        // The fastest run: the op's own cost, least disturbed by other processes and by collections other ops caused.
        return (name, fwd.Min(), bwd.Min());
    }

    /// <summary>Milliseconds: this thread's CPU time when the engine runs on one thread, else wall time.</summary>
    private static double Now()
    {
        if (Engine.NumThreads == 1 && OperatingSystem.IsLinux() && ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var ts) == 0)
        {
            return (ts.Seconds * 1e3) + (ts.Nanoseconds / 1e6);
        }

        return Stopwatch.GetTimestamp() * 1e3 / Stopwatch.Frequency;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec ts);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
