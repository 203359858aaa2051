namespace ParamGen.Tensors.Kernels;

/// <summary>Which GEMM algorithm runs a call.</summary>
internal enum GemmPath
{
    /// <summary>Chosen from the shape (<see cref="Gemm.PrefersDirect"/>).</summary>
    Auto,

    /// <summary>Always the packed, cache-blocked kernel.</summary>
    Packed,

    /// <summary>Always the unpacked kernel.</summary>
    Direct,
}
