using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Running;
using ParamGen.Benchmarks;
using ParamGen.Tensors;

// Usage (from the repository root):
//   dotnet run -c Release --project benchmarks/ParamGen.Benchmarks -- compare [--threads 2] [--only a,b] [--reps 15]
//   dotnet run -c Release --project benchmarks/ParamGen.Benchmarks -- bdn [BenchmarkDotNet args, e.g. --filter *Gemm*]
//   dotnet run -c Release --project benchmarks/ParamGen.Benchmarks -- mem <workload>      (one workload's peak memory; used by compare)
//   dotnet run -c Release --project benchmarks/ParamGen.Benchmarks -- profile-block [--threads 2] [--reps 15]   (per-op times of the transformer block)
//   dotnet run -c Release --project benchmarks/ParamGen.Benchmarks -- hamur [--threads 2] [--reps 15]   (HAMUR generation vs the backbone's forward)
string mode = args.Length > 0 ? args[0] : "compare";
switch (mode)
{
    case "bdn":
        BenchmarkSwitcher.FromAssembly(typeof(Workload).Assembly).Run(args[1..]);
        return 0;
    case "mem":
        Console.WriteLine(JsonSerializer.Serialize(new { workload = args[1], peak_mb = Measure.PeakMemoryMb(Find(args[1]), Opt("--threads", 2)) }));
        return 0;
    case "profile-block":
        BlockProfile.Run(Opt("--threads", 2), Opt("--reps", 15));
        return 0;
    case "dataload": return DataLoadBenchmark.Run(args[1..]);
    case "evalspeed": return EvalSpeedBenchmark.Run(args[1..]); // [--data FILE] [--threads 2] [--reps 3] [--dim 64]
    case "hamur":
        return HamurBenchmark.Run(Opt("--threads", 2), Opt("--reps", 15));
    case "compare":
        return Compare.Run(Opt("--threads", 2), Opt("--reps", 15), OptList("--only"));
    default:
        Console.Error.WriteLine($"unknown mode '{mode}': use compare, bdn, mem, profile-block, dataload, evalspeed or hamur");
        return 2;
}

Workload Find(string name) => Workload.All().FirstOrDefault(w => w.Name == name) ?? throw new ArgumentException($"no workload '{name}'");

int Opt(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

string[]? OptList(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1].Split(',') : null;
}
