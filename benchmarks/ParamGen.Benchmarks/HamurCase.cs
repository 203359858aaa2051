using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Generators;
using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Memory;
using ParamGen.Tensors.Random;

namespace ParamGen.Benchmarks;

/// <summary>
/// The problem of the HAMUR cost target: a batch of 256 histories of length 50 (uniform ids, no padding) over the
/// Beauty-sized catalogue (12,101 items), spread over 2 domains (Beauty + Toys), SASRec d 64 with 2 blocks (the
/// shapes of <see cref="BackboneBench"/>) carrying HAMUR's default adapters (after each block, bottleneck 32, core
/// 32 x 32, hypernetwork 64, per-domain factors; the hypernetwork reads the domain alone or, with
/// <see cref="HamurHistory.Mean"/>, also the mean item embedding of the history), and the same backbone without adapters. In evaluation mode every
/// part runs under no-grad; in training mode dropout is on and the graph is recorded. Each timed call runs in its
/// own <see cref="TensorScope"/>, as the Trainer and the Evaluator run a step.
/// </summary>
internal sealed class HamurCase
{
    public const int Domains = 2;

    public HamurCase(bool training, HamurHistory history = HamurHistory.None)
    {
        Training = training;
        var g = new Generator(0);
        var backbone = BackboneBench.Create("sasrec", BackboneBench.ServeItems, g);
        Model = new GeneratedRecommender(backbone, new HamurGenerator(backbone, new HamurOptions { History = history }, Domains, g));
        Plain = BackboneBench.Create("sasrec", BackboneBench.ServeItems, new Generator(0));
        var domains = Enumerable.Range(0, BackboneBench.Batch).Select(b => b % Domains).ToArray();
        Batch = SequenceBatch.FromHistories(BackboneBench.Histories(BackboneBench.Batch, BackboneBench.ServeItems, g), BackboneBench.Length, domains, BackboneBench.ServeItems);
        if (training)
        {
            Model.Module.Train();
            Plain.Module.Train();
        }
        else
        {
            Model.Module.Eval();
            Plain.Module.Eval();
        }

        Context = new GeneratorContext(Batch, backbone, Domains);
        using (training ? default : Grad.NoGrad())
        {
            Weights = Model.Generator.Layout.Bind(Model.Generator.Generate(Context), Model.Generator.RowIndex(Context), Context.Samples); // [B, P]
        }
    }

    public bool Training { get; }

    public GeneratedRecommender Model { get; }

    public ISequentialBackbone Plain { get; }

    public SequenceBatch Batch { get; }

    public GeneratorContext Context { get; }

    /// <summary>Weights generated once, for timing the backbone's forward with adapters apart from the generation.</summary>
    public GeneratedWeights Weights { get; }

    public string Describe()
    {
        var hamur = (HamurGenerator)Model.Generator;
        var o = hamur.Options;
        return $"batch {BackboneBench.Batch} x {BackboneBench.Length}, {BackboneBench.ServeItems:N0} items, SASRec d 64, 2 blocks, {Domains} domains; " +
            $"HAMUR m {o.Bottleneck}, k {o.CoreRank}, hidden [{string.Join(", ", o.HiddenSizes)}], {o.Factors} factors, history {o.History}, {Model.Generator.Layout.Size:N0} generated floats per sample, {hamur.Module.ParameterCount():N0} generator parameters";
    }

    /// <summary>HamurGenerator.Generate: the [B, P] adapter weights.</summary>
    public void Generate() => Run(() => Model.Generator.Generate(Context));

    /// <summary>The backbone's forward (Encode, all positions) with the adapters reading the generated weights.</summary>
    public void EncodeWithAdapters() => Run(() => Model.Backbone.Encode(Batch, Weights));

    /// <summary>The same backbone without adapters.</summary>
    public void EncodePlain() => Run(() => Plain.Encode(Batch));

    /// <summary>Training only: generation, forward with the generated adapters and backward of the states' sum into backbone and generator.</summary>
    public void StepWithHamur() => Backward(() => Model.Encode(Batch));

    /// <summary>Training only: forward and backward of the plain backbone.</summary>
    public void StepPlain() => Backward(() => Plain.Encode(Batch));

    private void Run(Func<Tensor> forward)
    {
        using var scope = TensorScope.Begin();
        using (Training ? default : Grad.NoGrad())
        {
            forward();
        }
    }

    private static void Backward(Func<Tensor> forward)
    {
        using var scope = TensorScope.Begin();
        forward().Sum().Backward();
    }
}
