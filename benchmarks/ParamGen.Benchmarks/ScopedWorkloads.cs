using ParamGen.Tensors.Memory;

namespace ParamGen.Benchmarks;

/// <summary>
/// Another workload's step run inside a <see cref="TensorScope"/>, as a training loop with a scope per step
/// would: tensor storage comes from the pool and goes back at the end of the step. Same computation and
/// PyTorch counterpart as the plain workload, so the table shows time and managed MB allocated per run
/// with and without the scope side by side.
/// </summary>
public abstract class ScopedWorkload(Workload inner) : Workload
{
    public override string Name => inner.Name + "_scoped";

    public override string? TorchName => inner.TorchName;

    public override double Flops => inner.Flops;

    public override void Setup() => inner.Setup();

    public override void Run()
    {
        using var scope = TensorScope.Begin();
        inner.Run();
    }
}

/// <summary>
/// sgemm_N with a scope around each product: the n x n output comes from the pool (the same array every run)
/// instead of a fresh allocation (on the large-object heap from 1024^2), so the time is the GEMM's alone.
/// </summary>
public sealed class SgemmScopedWorkload(int n) : ScopedWorkload(new SgemmWorkload(n));

/// <summary>gemm_12800x64x192 with a scope: its 9.4 MB output comes from the pool.</summary>
public sealed class GemmTall64x192ScopedWorkload() : ScopedWorkload(new GemmTall64x192Workload());

/// <summary>gemm_12800x256x64 with a scope: its 3.1 MB output comes from the pool.</summary>
public sealed class GemmTall256x64ScopedWorkload() : ScopedWorkload(new GemmTall256x64Workload());

/// <summary>gemm_12800x64x192_nt with a scope: its 9.4 MB output comes from the pool.</summary>
public sealed class GemmTallLinearScopedWorkload() : ScopedWorkload(new GemmTallLinearWorkload());

/// <summary>bmm_512x50x32x50 with a scope: its 4.9 MB output comes from the pool.</summary>
public sealed class GemmAttentionBmmScopedWorkload() : ScopedWorkload(new GemmAttentionBmmWorkload());

/// <summary>linear_12800x64x192_fwd_bwd with a scope: output, upstream gradient and input gradient come from the pool.</summary>
public sealed class LinearFwdBwdScopedWorkload() : ScopedWorkload(new LinearFwdBwdWorkload());

/// <summary>transformer_block_fwd_bwd with a scope around each step.</summary>
public sealed class TransformerBlockScopedWorkload() : ScopedWorkload(new TransformerBlockWorkload());

/// <summary>gru_fwd_bwd with a scope around each step.</summary>
public sealed class GruScopedWorkload() : ScopedWorkload(new GruWorkload());

/// <summary>catalogue_ce_fwd_bwd with a scope around each step.</summary>
public sealed class CatalogueCrossEntropyScopedWorkload() : ScopedWorkload(new CatalogueCrossEntropyWorkload());

/// <summary>linear_64x32_fwd_bwd with a scope: output, upstream gradient and input gradient come from the pool.</summary>
public sealed class StaticLinearScopedWorkload() : ScopedWorkload(new StaticLinearWorkload());

/// <summary>packed_matmul_fwd_bwd with a scope around each step, as the Trainer runs a HAMUR step.</summary>
public sealed class PackedMatMulScopedWorkload() : ScopedWorkload(new PackedMatMulWorkload());

/// <summary>packed_matmul_rows3_fwd_bwd with a scope around each step, as the Trainer runs a HAMUR step.</summary>
public sealed class PackedMatMulRowsScopedWorkload() : ScopedWorkload(new PackedMatMulRowsWorkload());
