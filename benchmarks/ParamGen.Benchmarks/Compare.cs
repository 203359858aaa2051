using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ParamGen.Benchmarks;

/// <summary>
/// Runs every workload in ParamGen and, in the same run, the same shapes in PyTorch (Debian's python3-torch,
/// /usr/bin/python3), then prints a markdown table of times, ratios (ParamGen / PyTorch) and GFLOP/s.
/// </summary>
public static class Compare
{
    private const string Python = "/usr/bin/python3";

    /// <summary>Workloads whose peak memory is compared too (each in a fresh process on both sides).</summary>
    private static readonly string[] MemoryWorkloads = ["catalogue_ce_fwd_bwd", "catalogue_ce_fused_fwd_bwd"];

    public static int Run(int threads, int reps, string[]? only)
    {
        var workloads = Workload.All().Where(w => only is null || only.Contains(w.Name)).ToList();
        string script = Path.Combine(AppContext.BaseDirectory, "torch_bench.py");
        var torch = new Dictionary<string, JsonElement>();
        foreach (var line in RunProcess(Python, $"\"{script}\" --threads {threads} --reps {reps} --only {string.Join(',', workloads.Select(w => w.TorchName).OfType<string>().Distinct())}"))
        {
            var e = JsonDocument.Parse(line).RootElement;
            torch[e.GetProperty("workload").GetString()!] = e;
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"threads {threads}, median of {reps} runs after 3 warm-up runs; {Environment.ProcessorCount} logical CPUs; {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}; PyTorch {(torch.Values.FirstOrDefault() is { ValueKind: JsonValueKind.Object } t0 ? t0.GetProperty("torch").GetString() : "n/a")}");
        Console.WriteLine();
        Console.WriteLine("| workload | ParamGen ms | PyTorch ms | ratio (PG/PT) | ParamGen GFLOP/s | PyTorch GFLOP/s | ParamGen MB allocated/run |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var w in workloads)
        {
            var (ms, alloc) = Measure.Time(w, threads, reps: reps);
            double tms = w.TorchName is { } tn && torch.TryGetValue(tn, out var te) ? te.GetProperty("ms").GetDouble() : double.NaN;
            string gf(double m) => w.Flops > 0 ? (w.Flops / m / 1e6).ToString("F1", inv) : "";
            Console.WriteLine(string.Create(inv, $"| {w.Name} | {ms:F2} | {tms:F2} | {ms / tms:F2} | {gf(ms)} | {gf(tms)} | {alloc:F1} |"));
        }

        var mem = workloads.Where(w => MemoryWorkloads.Contains(w.Name)).ToList();
        if (mem.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("| workload | ParamGen peak MB | PyTorch peak MB | ratio (PG/PT) |");
            Console.WriteLine("|---|---:|---:|---:|");
            string self = Environment.ProcessPath!;
            foreach (var w in mem)
            {
                double pg = Peak(RunProcess(self, $"mem {w.Name} --threads {threads}"));
                double pt = Peak(RunProcess(Python, $"\"{script}\" --threads {threads} --mem {w.TorchName}"));
                Console.WriteLine(string.Create(inv, $"| {w.Name} | {pg:F0} | {pt:F0} | {pg / pt:F2} |"));
            }
        }

        return 0;
    }

    private static double Peak(IEnumerable<string> lines) =>
        JsonDocument.Parse(lines.Last()).RootElement.GetProperty("peak_mb").GetDouble();

    private static List<string> RunProcess(string file, string arguments)
    {
        var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var lines = new List<string>();
        while (p.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith('{'))
            {
                lines.Add(line);
            }
        }

        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} exited with {p.ExitCode}");
        }

        return lines;
    }
}
