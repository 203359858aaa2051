using ParamGen.Adapters;
using ParamGen.Generators;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using ParamGen.Tests.Adapters;

namespace ParamGen.Tests.Generators;

/// <summary>The adapter cells compute HAMUR's formula with the sample's own domain's factors, and padding never enters the domain statistics.</summary>
public class HamurCellTests
{
    private const int B = 4, L = 3, H = 8, M = 4, K = 3;
    private static readonly int[] Groups = [0, 1, 1, 0];
    private static readonly int[] Lengths = [3, 1, 2, 3];

    [Theory]
    [InlineData(HamurFactors.PerDomain)]
    [InlineData(HamurFactors.Shared)]
    public void HamurCellIsXPlusNormedSigmoidDownTimesUpWithTheGeneratedCore(HamurFactors factors)
    {
        var backbone = HamurTestKit.TinySasRec();
        var hamur = new HamurGenerator(backbone, HamurTestKit.TinyHamur(factors), 2, new Generator(2));
        var cell = hamur.Adapters[1];
        var g = new Generator(9);
        foreach (var p in new[] { cell.B1, cell.B2, cell.Beta, cell.V2 })
        {
            g.FillNormal(p.Span, 0f, 0.5f);
        }

        g.FillUniform(cell.Gamma.Span, 0.5f, 1.5f);
        g.FillNormal(cell.RunningMean.Span, 0.5f, 0.1f);
        g.FillUniform(cell.RunningVar.Span, 0.02f, 0.1f);
        var packed = Tensor.Randn([B, hamur.Layout.Size], g);                   // [B, P]
        var x = Tensor.Randn([B, L, H], g);
        cell.Eval();
        var y = cell.Forward(x, hamur.Layout.Bind(packed, null, new SampleInfo(Groups, 2, Lengths)).ForSlot("block1"));

        int core = hamur.Layout["block1", "core"].Offset;
        var expected = new float[B * L * H];
        for (int b = 0; b < B; b++)
        {
            var z = packed.AsReadOnlySpan().Slice((b * hamur.Layout.Size) + core, K * K).ToArray();
            int d = Groups[b];
            var down = Product(Product(Factor(cell.U1, factors, d), z, H, K, K), Factor(cell.V1, factors, d), H, K, M);  // [h, m]
            var up = Product(Product(Factor(cell.U2, factors, d), z, M, K, K), Factor(cell.V2, factors, d), M, K, H);    // [m, h]
            Reference(x, b, down, up, Factor(cell.B1, factors, d), Factor(cell.B2, factors, d), Factor(cell.Gamma, factors, d), Factor(cell.Beta, factors, d),
                HamurTestKit.DomainSlice(cell.RunningMean, d).ToArray(), HamurTestKit.DomainSlice(cell.RunningVar, d).ToArray(), expected);
        }

        AdapterTestKit.Close(expected, y.AsReadOnlySpan(), 1e-4, $"HAMUR cell ({factors})");
    }

    [Fact]
    public void DomainAdapterCellIsTheSameFormulaWithItsDomainsRowOfTheTable()
    {
        var backbone = HamurTestKit.TinySasRec();
        var generator = new DomainAdapterGenerator(backbone, new DomainAdapterOptions { Bottleneck = M }, 2, new Generator(2));
        var cell = generator.Adapters[0];
        var g = new Generator(9);
        g.FillNormal(generator.Weights.Span, 0f, 0.5f);
        g.FillNormal(cell.RunningMean.Span, 0.5f, 0.1f);
        g.FillUniform(cell.RunningVar.Span, 0.02f, 0.1f);
        var x = Tensor.Randn([B, L, H], g);
        cell.Eval();
        var y = cell.Forward(x, generator.Layout.Bind(generator.Weights, Groups, new SampleInfo(Groups, 2, Lengths)).ForSlot("block0"));

        var expected = new float[B * L * H];
        int p = generator.Layout.Size;
        for (int b = 0; b < B; b++)
        {
            int d = Groups[b];
            var row = generator.Weights.AsReadOnlySpan().Slice(d * p, p).ToArray();
            float[] W(string name) => row.AsSpan(generator.Layout["block0", name].Offset, generator.Layout["block0", name].NumElements).ToArray();
            Reference(x, b, W("down"), W("up"), W("down_bias"), W("up_bias"), W("gamma"), W("beta"),
                HamurTestKit.DomainSlice(cell.RunningMean, d).ToArray(), HamurTestKit.DomainSlice(cell.RunningVar, d).ToArray(), expected);
        }

        AdapterTestKit.Close(expected, y.AsReadOnlySpan(), 1e-4, "per-domain adapter cell");
    }

    [Theory]
    [MemberData(nameof(HamurTestKit.Kinds), MemberType = typeof(HamurTestKit))]
    public void PaddingPositionsNeverEnterTheDomainStatistics(string kind)
    {
        // In training, states that differ only at padding positions give the same outputs at the real positions and the
        // same running statistics; the last position alone (L' = 1, as EncodeLast passes it) is always real.
        var model = HamurTestKit.Tiny(kind);
        var adapter = model.Backbone.Slots["block0"].Adapter!;
        var layout = model.Generator.Layout;
        var packed = Tensor.Randn(kind == "hamur" ? [B, layout.Size] : [2, layout.Size], new Generator(4));
        var bound = layout.Bind(packed, kind == "hamur" ? null : Groups, new SampleInfo(Groups, 2, Lengths)).ForSlot("block0");
        var running = Running(adapter);
        var start = running.Select(t => t.ToArray()).ToArray();
        var x1 = Tensor.Randn([B, L, H], new Generator(5));
        var x2 = x1.Clone();
        for (int b = 0; b < B; b++)
        {
            for (int j = 0; j < L - Lengths[b]; j++)
            {
                Tensor.Randn([H], new Generator((ulong)(50 + b + j))).Mul(10f).AsReadOnlySpan().CopyTo(x2.Span.Slice(((b * L) + j) * H, H));
            }
        }

        adapter.Train();
        Tensor y1, y2;
        using (Grad.NoGrad())
        {
            y1 = adapter.Forward(x1, bound);
            var after1 = running.Select(t => t.ToArray()).ToArray();
            Restore(running, start);
            y2 = adapter.Forward(x2, bound);
            Assert.Equal(after1, running.Select(t => t.ToArray()).ToArray());
            Assert.NotEqual(start[0], after1[0]);
        }

        for (int b = 0; b < B; b++)
        {
            int first = L - Lengths[b];
            Assert.Equal(y1.AsReadOnlySpan().Slice(((b * L) + first) * H, Lengths[b] * H).ToArray(), y2.AsReadOnlySpan().Slice(((b * L) + first) * H, Lengths[b] * H).ToArray());
        }

        // The last position only: every sample is real there, whatever its length.
        Restore(running, start);
        using (Grad.NoGrad())
        {
            _ = adapter.Forward(x1.Narrow(1, L - 1, 1), bound);
        }

        var lastOnly = running[0].ToArray();
        Restore(running, start);
        var full = new SampleInfo(Groups, 2, null);
        using (Grad.NoGrad())
        {
            _ = adapter.Forward(x1.Narrow(1, L - 1, 1), layout.Bind(packed, kind == "hamur" ? null : Groups, full).ForSlot("block0"));
        }

        Assert.Equal(running[0].ToArray(), lastOnly);
    }

    [Theory]
    [MemberData(nameof(HamurTestKit.Kinds), MemberType = typeof(HamurTestKit))]
    public void AOneSampleTrainingBatchIsNormalisedWithTheRunningStatistics(string kind)
    {
        // The trainer's last batch may hold one sample of one item: batch statistics are undefined there, so the
        // hypernetwork's batch norm and the domain norm use their running statistics, as in evaluation.
        var model = HamurTestKit.Tiny(kind);
        var single = ParamGen.Data.SequenceBatch.FromHistories([[5]], 5, [1], HamurTestKit.Items);
        using var noGrad = Grad.NoGrad();
        model.Module.Train();
        _ = model.Encode(HamurTestKit.MixedBatch());                 // running statistics off their start
        var training = model.EncodeLast(single).ToArray();
        model.Module.Eval();
        var evaluation = model.EncodeLast(single).ToArray();
        Assert.All(training, v => Assert.True(float.IsFinite(v)));
        AdapterTestKit.Close(evaluation, training, 1e-6, "one-sample training batch");
    }

    [Fact]
    public void WeightsWithoutSampleInfoOrForAnotherDomainCountAreRefused()
    {
        var model = HamurTestKit.Tiny("hamur");
        var adapter = model.Backbone.Slots["block0"].Adapter!;
        var packed = Tensor.Randn([B, model.Generator.Layout.Size], new Generator(4));
        var x = Tensor.Randn([B, L, H], new Generator(5));
        var none = Assert.Throws<ArgumentException>(() => adapter.Forward(x, model.Generator.Layout.Bind(packed).ForSlot("block0")));
        Assert.Contains("needs the domain of each sample", none.Message, StringComparison.Ordinal);
        var other = Assert.Throws<ArgumentException>(() => adapter.Forward(x, model.Generator.Layout.Bind(packed, null, new SampleInfo(Groups, 3, Lengths)).ForSlot("block0")));
        Assert.Contains("built for 2 domain(s)", other.Message, StringComparison.Ordinal);
    }

    private static Tensor[] Running(Adapter adapter) => [.. adapter.NamedBuffers().Select(b => b.Buffer)];

    private static void Restore(Tensor[] running, float[][] values)
    {
        for (int i = 0; i < running.Length; i++)
        {
            values[i].CopyTo(running[i].Span);
        }
    }

    private static float[] Factor(Parameter p, HamurFactors factors, int d) =>
        factors == HamurFactors.Shared ? p.ToArray() : HamurTestKit.DomainSlice(p, d).ToArray();

    /// <summary>[r, s] x [s, c] in double.</summary>
    private static float[] Product(float[] a, float[] b, int r, int s, int c)
    {
        var y = new float[r * c];
        for (int i = 0; i < r; i++)
        {
            for (int j = 0; j < c; j++)
            {
                double sum = 0;
                for (int t = 0; t < s; t++)
                {
                    sum += (double)a[(i * s) + t] * b[(t * c) + j];
                }

                y[(i * c) + j] = (float)sum;
            }
        }

        return y;
    }

    /// <summary>y = x + ((sigmoid(x down + b1) - mean) / sqrt(var + eps) * gamma + beta) up + b2 for every position of sample b.</summary>
    private static void Reference(Tensor x, int b, float[] down, float[] up, float[] b1, float[] b2, float[] gamma, float[] beta, float[] mean, float[] variance, float[] y)
    {
        var xs = x.AsReadOnlySpan();
        for (int j = 0; j < L; j++)
        {
            int at = ((b * L) + j) * H;
            var t = new double[M];
            for (int c = 0; c < M; c++)
            {
                double pre = b1[c];
                for (int i = 0; i < H; i++)
                {
                    pre += xs[at + i] * (double)down[(i * M) + c];
                }

                double s = 1 / (1 + Math.Exp(-pre));
                t[c] = ((s - mean[c]) / Math.Sqrt(variance[c] + 1e-5) * gamma[c]) + beta[c];
            }

            for (int i = 0; i < H; i++)
            {
                double sum = xs[at + i] + (double)b2[i];
                for (int c = 0; c < M; c++)
                {
                    sum += t[c] * up[(c * H) + i];
                }

                y[at + i] = (float)sum;
            }
        }
    }
}
