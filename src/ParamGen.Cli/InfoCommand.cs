using System.CommandLine;
using System.Diagnostics;
using ParamGen.Data;
using Spectre.Console;

namespace ParamGen.Cli;

/// <summary><c>paramgen info</c>: counts, sequence-length statistics, domains and what the filters removed.</summary>
internal static class InfoCommand
{
    public static Command Create(CliIO io)
    {
        var data = new DataArguments();
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables." };
        var command = new Command("info", "Describe an interaction dataset: users, items, interactions, sequence lengths, domains, filters.");
        data.AddTo(command);
        command.Options.Add(json);
        command.SetAction(parsed =>
        {
            var sw = Stopwatch.StartNew();
            var loaded = data.Load(parsed);
            var summary = Summarize(loaded, sw.Elapsed.TotalSeconds);
            if (parsed.GetValue(json))
            {
                io.WriteJson(summary);
            }
            else
            {
                Print(io.Console, summary, loaded);
            }

            return 0;
        });
        return command;
    }

    private static InfoSummary Summarize(LoadedData loaded, double seconds)
    {
        var ds = loaded.Dataset;
        var lengths = new int[ds.NumUsers];
        for (int u = 1; u <= ds.NumUsers; u++)
        {
            lengths[u - 1] = ds.SequenceLength(u);
        }

        Array.Sort(lengths);
        var domains = new List<DomainSummary>();
        for (int d = 0; d < ds.NumDomains; d++)
        {
            int users = 0, interactions = 0;
            var items = new HashSet<int>();
            for (int u = 1; u <= ds.NumUsers; u++)
            {
                var userDomains = ds.GetDomains(u);
                var seq = ds.GetSequence(u);
                bool any = false;
                for (int k = 0; k < seq.Length; k++)
                {
                    if (userDomains.IsEmpty || userDomains[k] == d)
                    {
                        any = true;
                        interactions++;
                        items.Add(seq[k]);
                    }
                }

                users += any ? 1 : 0;
            }

            domains.Add(new DomainSummary(ds.DomainNames[d], users, items.Count, interactions));
        }

        return new InfoSummary(
            ds.Name,
            [.. loaded.LoadReport.Files.Select(f => new FileSummary(f.Path, f.Domain, f.Format.ToString(), f.LinesRead, f.Rows))],
            ds.NumUsers,
            ds.NumItems,
            ds.NumInteractions,
            ds.NumInteractions / ((double)ds.NumUsers * ds.NumItems),
            new LengthSummary(lengths[0], Quantile(lengths, 0.5), lengths.Average(), Quantile(lengths, 0.9), lengths[^1]),
            ds.HasTimestamps,
            ds.HasRatings,
            ds.ItemFeatures is { } f ? f.Categories.Count - 1 : null,
            domains,
            [.. loaded.FilterReport.Steps.Select(s => new FilterSummary(s.Name, s.Rounds, s.InteractionsRemoved, s.UsersRemoved, s.ItemsRemoved))],
            [.. loaded.LoadReport.Notes],
            Math.Round(seconds, 3));
    }

    private static double Quantile(int[] sorted, double q) => sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * (sorted.Length - 1) + 0.5))];

    private static void Print(IAnsiConsole console, InfoSummary s, LoadedData loaded)
    {
        var table = new Table().AddColumns("", "value").HideHeaders();
        table.AddRow("dataset", Markup.Escape(s.Dataset));
        foreach (var f in s.Files)
        {
            table.AddRow("file", Markup.Escape($"{f.Path} [{f.Domain}]: {f.Format}, {f.Lines:N0} lines, {f.Rows:N0} rows"));
        }

        table.AddRow("users", $"{s.Users:N0}");
        table.AddRow("items", $"{s.Items:N0}");
        table.AddRow("interactions", $"{s.Interactions:N0}");
        table.AddRow("density", $"{s.Density:P3}");
        table.AddRow("sequence length", $"min {s.SequenceLength.Min}, median {s.SequenceLength.Median}, mean {s.SequenceLength.Mean:F2}, p90 {s.SequenceLength.P90}, max {s.SequenceLength.Max}");
        table.AddRow("timestamps / ratings", $"{(s.HasTimestamps ? "yes" : "no")} / {(s.HasRatings ? "yes" : "no")}");
        if (s.Categories is int c)
        {
            table.AddRow("item categories", $"{c:N0}");
        }

        console.Write(table);
        if (s.Domains.Count > 1)
        {
            var domains = new Table().AddColumns("domain", "users", "items", "interactions");
            foreach (var d in s.Domains)
            {
                domains.AddRow(Markup.Escape(d.Name), $"{d.Users:N0}", $"{d.Items:N0}", $"{d.Interactions:N0}");
            }

            console.Write(domains);
        }

        if (loaded.FilterReport.Steps.Count > 0)
        {
            console.WriteLine(loaded.FilterReport.ToString());
        }

        foreach (var note in s.Notes)
        {
            console.MarkupLine($"[yellow]note[/]: {Markup.Escape(note)}");
        }
    }

    internal sealed record InfoSummary(string Dataset, IReadOnlyList<FileSummary> Files, int Users, int Items, int Interactions, double Density,
        LengthSummary SequenceLength, bool HasTimestamps, bool HasRatings, int? Categories, IReadOnlyList<DomainSummary> Domains,
        IReadOnlyList<FilterSummary> Filters, IReadOnlyList<string> Notes, double Seconds);

    internal sealed record FileSummary(string Path, string Domain, string Format, long Lines, long Rows);

    internal sealed record LengthSummary(int Min, double Median, double Mean, double P90, int Max);

    internal sealed record DomainSummary(string Name, int Users, int Items, int Interactions);

    internal sealed record FilterSummary(string Step, int Rounds, int InteractionsRemoved, int UsersRemoved, int ItemsRemoved);
}
