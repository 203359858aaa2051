using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Benchmarks;

/// <summary>
/// One timed piece of work with fixed shapes. The same shapes are run by benchmarks/torch_bench.py, so
/// the comparison is like for like. Setup is not timed; Run is.
/// </summary>
public abstract class Workload
{
    /// <summary>Stable name of this workload.</summary>
    public abstract string Name { get; }

    /// <summary>The torch_bench.py workload doing the same computation (defaults to <see cref="Name"/>); null when PyTorch has no counterpart.</summary>
    public virtual string? TorchName => Name;

    /// <summary>Floating-point operations of one Run (0 when not meaningful).</summary>
    public virtual double Flops => 0;

    public abstract void Setup();

    public abstract void Run();

    /// <summary>
    /// Every workload: the sgemm sizes (each plain and scoped), then one instance of each other Workload subclass
    /// in this assembly that has a public parameterless constructor (so a new workload needs only its class), by name.
    /// </summary>
    public static IReadOnlyList<Workload> All()
    {
        var list = new List<Workload>();
        foreach (int n in (int[])[256, 512, 1024])
        {
            list.Add(new SgemmWorkload(n));
            list.Add(new SgemmScopedWorkload(n));
        }

        list.AddRange(typeof(Workload).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Workload)) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (Workload)Activator.CreateInstance(t)!)
            .OrderBy(w => w.Name, StringComparer.Ordinal));
        return list;
    }
}

/// <summary>C = A B for square n x n matrices.</summary>
public sealed class SgemmWorkload(int n) : Workload
{
    private Tensor _a = null!, _b = null!;

    public override string Name => $"sgemm_{n}";

    public override double Flops => 2.0 * n * n * n;

    public override void Setup()
    {
        var g = new Generator(0);
        _a = Tensor.Randn([n, n], g);
        _b = Tensor.Randn([n, n], g);
    }

    public override void Run() => _a.MatMul(_b);
}

/// <summary>
/// One post-norm transformer encoder block (B 256, L 50, d 64, 2 heads, FFN 256, GELU, dropout 0.2,
/// causal mask), forward and backward to its input and every parameter.
/// </summary>
public sealed class TransformerBlockWorkload : Workload
{
    public const int B = 256, L = 50, D = 64, Heads = 2, Ffn = 256;
    private TransformerBlock _block = null!;
    private Tensor _x = null!;

    public override string Name => "transformer_block_fwd_bwd";

    public override void Setup()
    {
        var g = new Generator(0);
        _block = new TransformerBlock(D, Heads, Ffn, 0.2f, TransformerActivation.Gelu, generator: g);
        _x = Tensor.Randn([B, L, D], g).RequiresGrad_();
    }

    public override void Run()
    {
        _block.ZeroGrad();
        _x.Grad = null;
        var y = _block.Forward(_x, isCausal: true);
        y.Sum().Backward();
    }
}

/// <summary>One GRU layer (B 256, L 50, input 64, hidden 128), forward and backward.</summary>
public sealed class GruWorkload : Workload
{
    public const int B = 256, L = 50, In = 64, H = 128;
    private Gru _gru = null!;
    private Tensor _x = null!;

    public override string Name => "gru_fwd_bwd";

    public override void Setup()
    {
        var g = new Generator(0);
        _gru = new Gru(In, H, generator: g);
        _x = Tensor.Randn([B, L, In], g).RequiresGrad_();
    }

    public override void Run()
    {
        _gru.ZeroGrad();
        _x.Grad = null;
        var (y, _) = _gru.Forward(_x);
        y.Sum().Backward();
    }
}

/// <summary>
/// Cross-entropy over a 12,101-item catalogue at 256 x 50 positions: scores = H E^T from hidden states
/// H [12800, 64] and item embeddings E [12101, 64], then softmax cross-entropy, forward and backward to H and E.
/// </summary>
public sealed class CatalogueCrossEntropyWorkload : Workload
{
    public const int Positions = 256 * 50, Items = 12101, D = 64;
    private Tensor _h = null!, _e = null!, _target = null!;

    public override string Name => "catalogue_ce_fwd_bwd";

    public override double Flops => 3 * 2.0 * Positions * Items * D;

    public override void Setup()
    {
        var g = new Generator(0);
        _h = (Tensor.Randn([Positions, D], g) * 0.1f).Detach().RequiresGrad_();
        _e = (Tensor.Randn([Items, D], g) * 0.1f).Detach().RequiresGrad_();
        _target = Tensor.RandInt(0, Items, [Positions], g);
    }

    public override void Run()
    {
        _h.Grad = null;
        _e.Grad = null;
        var loss = F.CrossEntropy(F.Linear(_h, _e), _target);
        loss.Backward();
    }
}
