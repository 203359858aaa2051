namespace ParamGen.Generators;

/// <summary>The library's generator kinds, registered when <see cref="GeneratorRegistry"/> is first used.</summary>
internal static class BuiltInGenerators
{
    /// <summary>Registers every built-in kind.</summary>
    public static void Register()
    {
        // HAMUR and its baselines register here (see Generators/Hamur).
    }
}
