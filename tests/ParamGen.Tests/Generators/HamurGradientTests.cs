using ParamGen.Data;
using ParamGen.Generators;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using ParamGen.Tests.Adapters;

namespace ParamGen.Tests.Generators;

/// <summary>Gradients reach the hypernetwork and the factors through the generated weights, and never cross domains.</summary>
public class HamurGradientTests
{
    [Fact]
    public void FiniteDifferencesAgreeWithAutogradForTheHypernetworkTheFactorsAndTheItemEmbeddings()
    {
        // Training mode (batch statistics in the hypernetwork's batch norm and the domain norms), no dropout; the objective
        // is a random projection of the final states at the real positions (padding states are not an output).
        var model = HamurTestKit.Tiny("hamur");
        var hamur = (HamurGenerator)model.Generator;
        var batch = HamurTestKit.MixedBatch();
        var w = RealPositionWeights(batch, 8, 7);
        model.Module.Train();
        Tensor Run() => model.Encode(batch);
        Run().Mul(w).Sum().Backward();

        var own = hamur.NamedParameters().ToDictionary(p => p.Name, p => (Tensor)p.Parameter);
        var checkedTensors = new (string Name, Tensor Tensor)[]
        {
            ("hidden.0.weight", own["hidden.0.weight"]),
            ("output.weight", own["output.weight"]),
            ("output.bias", own["output.bias"]),
            ("domain_embedding.weight", own["domain_embedding.weight"]),
            ("block0.u1", hamur.Adapters[0].U1),
            ("block0.gamma", hamur.Adapters[0].Gamma),
            ("block1.v1", hamur.Adapters[1].V1),
            ("block1.b1", hamur.Adapters[1].B1),
            ("block1.v2", hamur.Adapters[1].V2),
            ("item embeddings", model.Backbone.ItemEmbeddings),
        };
        foreach (var (name, tensor) in checkedTensors)
        {
            Assert.True(tensor.Grad is not null && tensor.Grad.ToArray().Max(Math.Abs) > 1e-3f, $"{name} got no gradient");
            AdapterTestKit.CheckGradient(Run, tensor, w);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheHistorySummaryTrainsTheItemEmbeddingsUnlessDetached_AndTheHypernetworkLearnsEitherWay(bool detach)
    {
        var backbone = HamurTestKit.TinySasRec();
        var hamur = new HamurGenerator(backbone, HamurTestKit.TinyHamur() with { DetachHistory = detach }, HamurTestKit.Domains, new Generator(7));
        var batch = HamurTestKit.MixedBatch();
        hamur.Module.Train();
        var weights = hamur.Generate(new GeneratorContext(batch, backbone, HamurTestKit.Domains));
        weights.Mul(Tensor.Randn([.. weights.Shape], new Generator(9))).Sum().Backward();

        float itemGradient = backbone.ItemEmbeddings.Grad?.ToArray().Max(Math.Abs) ?? 0f;
        Assert.Equal(detach, itemGradient == 0f);
        Assert.True(hamur.Module.NamedParameters().Single(p => p.Name == "hidden.0.weight").Parameter.Grad!.ToArray().Max(Math.Abs) > 1e-3f);
    }

    [Theory]
    [MemberData(nameof(HamurTestKit.Kinds), MemberType = typeof(HamurTestKit))]
    public void PerturbingDomainOnesFactorsLeavesDomainZerosOutputsBitwiseUnchanged(string kind)
    {
        foreach (bool training in new[] { false, true })
        {
            var model = HamurTestKit.Tiny(kind);
            model.Module.Train(training);
            var batch = HamurTestKit.MixedBatch();
            float[] before, after;
            using (Grad.NoGrad())
            {
                before = model.Encode(batch).ToArray();
                foreach (var factor in DomainFactors(model, 1))
                {
                    HamurTestKit.Perturb(factor.Span, 0.3f);
                }

                after = model.Encode(batch).ToArray();
            }

            var y0 = new Tensor(before, 6, 5, 8);
            var y1 = new Tensor(after, 6, 5, 8);
            for (int b = 0; b < batch.Size; b++)
            {
                if (batch.DomainIds[b] == 0)
                {
                    Assert.Equal(HamurTestKit.Row(y0, b), HamurTestKit.Row(y1, b));
                }
                else
                {
                    Assert.NotEqual(HamurTestKit.Row(y0, b), HamurTestKit.Row(y1, b));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(HamurTestKit.Kinds), MemberType = typeof(HamurTestKit))]
    public void ABatchOfDomainZeroGivesDomainOnesFactorsNoGradientAndLeavesItsStatistics(string kind)
    {
        var model = HamurTestKit.Tiny(kind);
        var batch = HamurTestKit.Batch(4, [0, 0, 0, 0, 0]);
        var statistics = model.Backbone.Slots.All.Where(s => s.Adapter is not null)
            .SelectMany(s => s.Adapter!.NamedBuffers().Select(b => b.Buffer)).ToArray();
        var domainOneStatistics = statistics.Select(t => HamurTestKit.DomainSlice(t, 1).ToArray()).ToArray();
        model.Module.Train();
        model.Encode(batch).Mul(RealPositionWeights(batch, 8, 5)).Sum().Backward();

        foreach (var (zero, one) in DomainFactors(model, 0).Zip(DomainFactors(model, 1)))
        {
            Assert.True(zero.Gradient.ToArray().Max(Math.Abs) > 0f, "domain 0's factors must learn from a domain-0 batch");
            Assert.All(one.Gradient.ToArray(), g => Assert.Equal(0f, g));
        }

        for (int i = 0; i < statistics.Length; i++)
        {
            Assert.Equal(domainOneStatistics[i], HamurTestKit.DomainSlice(statistics[i], 1).ToArray());
            Assert.NotEqual(new float[4], HamurTestKit.DomainSlice(statistics[i], 0).ToArray());
        }
    }

    [Fact]
    public void SharedFactorsServeAndLearnFromEveryDomainWhileTheCoreStillDependsOnTheDomain()
    {
        var model = HamurTestKit.Tiny("hamur_shared");
        var hamur = (HamurGenerator)model.Generator;
        var history = new[] { 3, 7, 5, 2 };
        var twins = SequenceBatch.FromHistories([history, history, history, history], 5, [0, 1, 0, 1], HamurTestKit.Items);
        model.Module.Eval();
        float[] before, after;
        using (Grad.NoGrad())
        {
            before = model.EncodeLast(twins).ToArray();
            HamurTestKit.Perturb(hamur.Adapters[0].U1.Span, 0.3f);
            after = model.EncodeLast(twins).ToArray();
        }

        var y0 = new Tensor(before, 4, 8);
        var y1 = new Tensor(after, 4, 8);
        Assert.NotEqual(HamurTestKit.Row(y0, 0), HamurTestKit.Row(y0, 1));   // same history, other domain: other core
        Assert.NotEqual(HamurTestKit.Row(y0, 0), HamurTestKit.Row(y1, 0));   // the shared factor serves domain 0 ...
        Assert.NotEqual(HamurTestKit.Row(y0, 1), HamurTestKit.Row(y1, 1));   // ... and domain 1

        model.Module.Train();
        var batch = HamurTestKit.Batch(4, [0, 0, 0, 0]);
        model.Encode(batch).Mul(RealPositionWeights(batch, 8, 5)).Sum().Backward();
        foreach (var adapter in hamur.Adapters)
        {
            foreach (var p in new[] { adapter.U1, adapter.V1, adapter.B1, adapter.U2, adapter.V2, adapter.B2, adapter.Gamma })
            {
                Assert.True(p.Grad!.ToArray().Max(Math.Abs) > 0f);
            }
        }
    }

    /// <summary>Weights [B, L, d] that are random at real positions and 0 at padding.</summary>
    internal static Tensor RealPositionWeights(SequenceBatch batch, int width, ulong seed)
    {
        int l = batch.MaxLength;
        var w = Tensor.Randn([batch.Size, l, width], new Generator(seed));
        for (int b = 0; b < batch.Size; b++)
        {
            w.Span.Slice(b * l * width, (l - batch.Lengths[b]) * width).Clear();
        }

        return w;
    }

    /// <summary>Domain d's share of every factor: HAMUR's per-domain U, V, biases, gamma and beta (all cells), or the row of the per-domain table.</summary>
    private static List<DomainFactor> DomainFactors(GeneratedRecommender model, int d)
    {
        var list = new List<DomainFactor>();
        switch (model.Generator)
        {
            case HamurGenerator hamur:
                foreach (var a in hamur.Adapters)
                {
                    foreach (var p in new[] { a.U1, a.V1, a.B1, a.U2, a.V2, a.B2, a.Gamma, a.Beta })
                    {
                        list.Add(new DomainFactor(p, d));
                    }
                }

                break;
            case DomainAdapterGenerator table:
                list.Add(new DomainFactor(table.Weights, d));
                break;
        }

        return list;
    }

    /// <summary>Domain d's slice of a parameter with a leading domain dimension, and of its gradient.</summary>
    private sealed record DomainFactor(Parameter Parameter, int Domain)
    {
        public Span<float> Span => HamurTestKit.DomainSlice(Parameter, Domain);

        public Tensor Gradient
        {
            get
            {
                var grad = Parameter.Grad ?? Tensor.Zeros(Parameter.Shape.ToArray());
                return Tensor.FromSpan(HamurTestKit.DomainSlice(grad, Domain), HamurTestKit.DomainSlice(grad, Domain).Length);
            }
        }
    }
}
