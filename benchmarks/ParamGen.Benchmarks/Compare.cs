using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ParamGen.Benchmarks;

/// <summary>
/// Runs every workload in ParamGen and, in the same run, the same shapes in PyTorch (Debian's python3-torch,
/// /usr/bin/python3, or the interpreter named by the PARAMGEN_BENCH_PYTHON environment variable), then prints a markdown table of times, ratios (ParamGen / PyTorch) and GFLOP/s. Without
/// Python or torch, or when no selected workload has a PyTorch counterpart, it prints the ParamGen side alone
/// with a note saying why.
/// </summary>
public static class Compare
{
    private static readonly string Python = Environment.GetEnvironmentVariable("PARAMGEN_BENCH_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    /// <summary>Workloads whose peak memory is compared too (each in a fresh process on both sides).</summary>
    private static readonly string[] MemoryWorkloads = ["catalogue_ce_fwd_bwd", "catalogue_ce_fused_fwd_bwd"];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(int threads, int reps, string[]? only)
    {
        var all = Workload.All();
        if (only is not null && only.Except(all.Select(w => w.Name)).ToList() is { Count: > 0 } unknown)
        {
            Console.Error.WriteLine($"unknown workload(s) {string.Join(", ", unknown)}; known: {string.Join(", ", all.Select(w => w.Name))}");
            return 2;
        }

        var workloads = all.Where(w => only is null || only.Contains(w.Name)).ToList();
        string script = Path.Combine(AppContext.BaseDirectory, "torch_bench.py");
        var torchNames = workloads.Select(w => w.TorchName).OfType<string>().Distinct().ToList();
        var torch = new Dictionary<string, JsonElement>();
        string? note = null;
        if (torchNames.Count == 0)
        {
            note = "none of the selected workloads has a PyTorch counterpart";
        }
        else
        {
            // One process per workload: PyTorch's OpenMP pool keeps spinning after the elementwise ops of one workload
            // and then competes with OpenBLAS's threads in the next (measured: sgemm_256 took 2.6 ms after the GRU and
            // catalogue workloads in one process, 0.2 ms in a fresh one), so a shared process would flatter ParamGen.
            var lines = new List<string>();
            string? error = null;
            foreach (var name in torchNames)
            {
                var (own, failed) = RunProcess(Python, $"\"{script}\" --threads {threads} --reps {reps} --only {name}", threads);
                lines.AddRange(own);
                if (failed is not null)
                {
                    error = failed;
                    break;
                }
            }

            foreach (var line in lines)
            {
                var e = JsonDocument.Parse(line).RootElement;
                torch[e.GetProperty("workload").GetString()!] = e;
            }

            note = error is null ? null : lines.Count == 0 ? $"the PyTorch side did not run: {error}" : $"the PyTorch side stopped early: {error}";
        }

        string torchVersion = torch.Values.FirstOrDefault() is { ValueKind: JsonValueKind.Object } t0 ? t0.GetProperty("torch").GetString()! : "n/a";
        Console.WriteLine($"threads {threads}, median of {reps} runs after a warm-up of 3 runs and at least 1 s; {Environment.ProcessorCount} logical CPUs; {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}; PyTorch {torchVersion}");
        if (note is not null)
        {
            Console.WriteLine();
            Console.WriteLine($"Note: {note}. PyTorch cells are empty where it has no result.");
        }

        Console.WriteLine();
        Console.WriteLine("| workload | ParamGen ms | PyTorch ms | ratio (PG/PT) | ParamGen GFLOP/s | PyTorch GFLOP/s | ParamGen MB allocated/run | ParamGen page faults/run |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var w in workloads)
        {
            var (ms, alloc, faults) = Measure.Time(w, threads, reps: reps);
            double? tms = w.TorchName is { } tn && torch.TryGetValue(tn, out var te) ? te.GetProperty("ms").GetDouble() : null;
            string gf(double? m) => w.Flops > 0 && m is { } v ? (w.Flops / v / 1e6).ToString("F1", Inv) : "";
            Console.WriteLine(string.Create(Inv, $"| {w.Name} | {Ms(ms)} | {(tms is { } t ? Ms(t) : "")} | {Num(ms / tms, "F2")} | {gf(ms)} | {gf(tms)} | {alloc:F1} | {Num(faults, "F0")} |"));
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
                double pg = Peak(RunProcess(self, $"mem {w.Name} --threads {threads}", threads).Lines) ?? throw new InvalidOperationException($"no peak memory from 'mem {w.Name}'");
                double? pt = note is null && w.TorchName is { } tn ? Peak(RunProcess(Python, $"\"{script}\" --threads {threads} --mem {tn}", threads).Lines) : null;
                Console.WriteLine(string.Create(Inv, $"| {w.Name} | {pg:F0} | {Num(pt, "F0")} | {Num(pg / pt, "F2")} |"));
            }
        }

        return 0;
    }

    private static string Num(double? x, string format) => x is { } v ? v.ToString(format, Inv) : "";

    /// <summary>Milliseconds with three significant decimals below 1 ms (a 20 µs product), two above.</summary>
    private static string Ms(double ms) => ms.ToString(ms < 1 ? "F3" : "F2", Inv);

    private static double? Peak(List<string> lines) =>
        lines.Count == 0 ? null : JsonDocument.Parse(lines[^1]).RootElement.GetProperty("peak_mb").GetDouble();

    /// <summary>
    /// Runs a child with OPENBLAS_NUM_THREADS and OMP_NUM_THREADS set to <paramref name="threads"/> (OpenBLAS and
    /// OpenMP size their pools from them when torch is imported) and returns its JSON lines, plus why it failed
    /// (missing program, non-zero exit with the last line of its error output) or null.
    /// </summary>
    private static (List<string> Lines, string? Error) RunProcess(string file, string arguments, int threads)
    {
        var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(Inv);
        psi.Environment["OMP_NUM_THREADS"] = threads.ToString(Inv);
        var lines = new List<string>();
        Process? p;
        try
        {
            p = Process.Start(psi);
        }
        catch (Win32Exception e)
        {
            return (lines, $"could not start {file} ({e.Message})");
        }

        if (p is null)
        {
            return (lines, $"could not start {file}");
        }

        using (p)
        {
            var stderr = p.StandardError.ReadToEndAsync();
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
                string last = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
                return (lines, $"{Path.GetFileName(file)} exited with {p.ExitCode}{(last.Length > 0 ? $": {last}" : "")}");
            }
        }

        return (lines, null);
    }
}
