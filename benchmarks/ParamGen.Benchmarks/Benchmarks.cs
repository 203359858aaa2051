using BenchmarkDotNet.Attributes;
using ParamGen.Tensors;

namespace ParamGen.Benchmarks;

/// <summary>BenchmarkDotNet view of the same workloads the comparison runs (2 threads).</summary>
[MemoryDiagnoser]
[WarmupCount(3)]
[IterationCount(10)]
public class WorkloadBenchmarks
{
    private Workload _w = null!;

    [ParamsSource(nameof(Names))]
    public string Name { get; set; } = "";

    public static IEnumerable<string> Names => Workload.All().Select(w => w.Name);

    [GlobalSetup]
    public void Setup()
    {
        Engine.NumThreads = 2;
        _w = Workload.All().First(w => w.Name == Name);
        _w.Setup();
    }

    [Benchmark]
    public void Run() => _w.Run();
}
