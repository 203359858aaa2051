namespace ParamGen.Generators;

/// <summary>The library's generator kinds, registered when <see cref="GeneratorRegistry"/> is first used.</summary>
internal static class BuiltInGenerators
{
    /// <summary>Registers every built-in kind.</summary>
    public static void Register()
    {
        GeneratorRegistry.Register<HamurGenerator, HamurOptions>("hamur", g => g.Options, (backbone, options, domains, rng) => new HamurGenerator(backbone, options, domains, rng));
        GeneratorRegistry.Register<DomainAdapterGenerator, DomainAdapterOptions>("domain_adapter", g => g.Options, (backbone, options, domains, rng) => new DomainAdapterGenerator(backbone, options, domains, rng));
    }
}
