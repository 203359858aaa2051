namespace ParamGen.Tensors;

/// <summary>The kind of device that holds a tensor's storage and runs its kernels.</summary>
public enum DeviceType
{
    /// <summary>Managed memory and the CPU kernels (SIMD, multi-threaded). The only backend built today.</summary>
    Cpu,
}

/// <summary>
/// Where a tensor lives. Only <see cref="Cpu"/> exists now; the type is the seam through which a GPU
/// backend can be added without touching model code.
/// </summary>
/// <param name="Type">The device kind.</param>
/// <param name="Index">The device ordinal (always 0 for the CPU).</param>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    /// <summary>The CPU device.</summary>
    public static Device Cpu { get; } = new(DeviceType.Cpu);

    /// <inheritdoc />
    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"{Type.ToString().ToLowerInvariant()}:{Index}";
}
