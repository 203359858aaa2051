namespace ParamGen.Tensors.Kernels;

/// <summary>The instruction set a GEMM micro-kernel uses.</summary>
internal enum GemmIsa
{
    /// <summary>Scalar fused multiply-adds; runs anywhere.</summary>
    Scalar,

    /// <summary>256-bit vectors (AVX2 / Neon pairs).</summary>
    Vector256,

    /// <summary>512-bit vectors (AVX-512).</summary>
    Vector512,
}
