using System.Globalization;
using ParamGen.Data;
using Spectre.Console;

// SyntheticData: generates the synthetic dataset with planted structure and writes it as RecBole atomic files
// (.inter, .item), one line per user (.txt) and a JSON summary. The same options give the same bytes:
//   dotnet run -c Release --project samples/SyntheticData -- --out data/synthetic
// Options: --out DIR (default data/synthetic), --seed N, --users N, --items N, --ratings.
var defaults = new SyntheticOptions();
string outDir = Arg("--out") ?? Path.Combine("data", "synthetic");
var options = defaults with
{
    Seed = Arg("--seed") is string seed ? ulong.Parse(seed, CultureInfo.InvariantCulture) : defaults.Seed,
    Users = Arg("--users") is string users ? int.Parse(users, CultureInfo.InvariantCulture) : defaults.Users,
    Items = Arg("--items") is string items ? int.Parse(items, CultureInfo.InvariantCulture) : defaults.Items,
    IncludeRatings = args.Contains("--ratings"),
};

var synthetic = SyntheticDataGenerator.Generate(options);
var paths = synthetic.WriteFiles(outDir);
var s = synthetic.Statistics;

AnsiConsole.MarkupLine($"[bold]ParamGen synthetic data[/] (seed {options.Seed}): {s.Users:N0} users, {s.Items:N0} items, {s.Interactions:N0} interactions, mean length {s.MeanLength:F1}");
AnsiConsole.MarkupLine($"{synthetic.NumClusters} clusters x {synthetic.NumSubClusters} sub-clusters = {s.SemanticIds} semantic ids; {synthetic.NumCategories} categories, {s.PrimaryCategoryShare:P0} of items in their cluster's primary category; {s.ColdItems} items with < {SyntheticStatistics.ColdThreshold} interactions");

var table = new Table().AddColumn("domain");
foreach (var d in s.Domains)
{
    table.AddColumn(new TableColumn(d.Name).RightAligned());
}

AddRow("users", d => d.Users.ToString("N0", CultureInfo.InvariantCulture));
AddRow("mean length", d => d.MeanLength.ToString("F1", CultureInfo.InvariantCulture));
AddRow("within-cluster share (asked)", d => Share(d.WithinClusterShare) + $" ({options.Domains.First(o => o.Name == d.Name).WithinClusterShare:F2})");
AddRow("within-sub-cluster share", d => Share(d.WithinSubClusterShare));
AddRow("cross moves to successor", d => Share(d.SuccessorShare));
AddRow("popularity Gini (Zipf exp.)", d => Share(d.PopularityGini) + $" ({options.Domains.First(o => o.Name == d.Name).ZipfExponent:F2})");
AddRow("top-10% items' share", d => Share(d.Top10PercentShare));
AddRow("same category as last (chance)", d => Share(d.SameCategoryShare) + $" ({d.SameCategoryShareByChance:F2})");
AddRow("HR@10 user-aware law", d => Share(d.UserHitRate10));
AddRow("HR@10 domain-aware law", d => Share(d.DomainHitRate10));
AddRow("HR@10 pooled law", d => Share(d.PooledHitRate10));
AddRow("HR@10 / categories, accurate list", d => $"{Share(d.DomainHitRate10)} / {d.DomainListCategories10:F1}");
AddRow("HR@10 / categories, diverse list", d => $"{Share(d.DiverseHitRate10)} / {d.DiverseListCategories10:F1}");
AnsiConsole.Write(table);

foreach (var path in paths)
{
    AnsiConsole.MarkupLine($"wrote [green]{Markup.Escape(path)}[/] ({new FileInfo(path).Length:N0} bytes)");
}

return 0;

void AddRow(string label, Func<SyntheticDomainStatistics, string> cell) =>
    table.AddRow([label, .. s.Domains.Select(cell)]);

static string Share(double x) => x.ToString("F3", CultureInfo.InvariantCulture);

string? Arg(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
