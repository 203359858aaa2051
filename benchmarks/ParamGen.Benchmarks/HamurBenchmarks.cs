using BenchmarkDotNet.Attributes;
using ParamGen.Generators;
using ParamGen.Tensors;

namespace ParamGen.Benchmarks;

/// <summary>
/// BenchmarkDotNet view of the HAMUR cost (<see cref="HamurCase"/>, 2 threads): generation against the backbone's
/// forward with and without adapters, in evaluation and training mode. <c>-- bdn --filter *Hamur*</c>.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(3)]
[IterationCount(10)]
public class HamurBenchmarks
{
    private HamurCase _case = null!;

    [Params(false, true)]
    public bool Training { get; set; }

    /// <summary>What the hypernetwork reads besides the domain.</summary>
    [Params(HamurHistory.None, HamurHistory.Mean)]
    public HamurHistory History { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Engine.NumThreads = 2;
        _case = new HamurCase(Training, History);
    }

    [Benchmark]
    public void Generate() => _case.Generate();

    [Benchmark(Baseline = true)]
    public void EncodeWithAdapters() => _case.EncodeWithAdapters();

    [Benchmark]
    public void EncodeWithoutAdapters() => _case.EncodePlain();
}
