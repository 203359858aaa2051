using System.CommandLine;
using System.Globalization;
using ParamGen.Evaluation;

namespace ParamGen.Cli;

/// <summary>The evaluation options shared by <c>train</c> and <c>evaluate</c>.</summary>
internal sealed class EvaluationArguments
{
    public Option<EvaluationProtocol> Protocol { get; } = new("--protocol")
    {
        Description = "full (rank every item; default) or sampled (100 fixed negatives per user).",
        DefaultValueFactory = _ => EvaluationProtocol.Full,
    };

    public Option<bool> MaskHistory { get; } = new("--mask-history") { Description = "Exclude the user's earlier items from the ranking (reported with the result)." };

    public Option<string> Candidates { get; } = CandidatesOption();

    public Option<string> Ks { get; } = new("--k") { Description = "Cut-offs, comma-separated (default 10,20).", DefaultValueFactory = _ => "10,20" };

    public void AddTo(Command command)
    {
        command.Options.Add(Protocol);
        command.Options.Add(MaskHistory);
        command.Options.Add(Candidates);
        command.Options.Add(Ks);
    }

    public EvaluationOptions Create(ParseResult parsed)
    {
        string text = parsed.GetValue(Ks) ?? "10,20";
        var ks = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k < 1)
            {
                throw new CliUsageException($"--k '{text}': '{part}' is not a positive whole number.");
            }

            ks.Add(k);
        }

        if (ks.Count == 0)
        {
            throw new CliUsageException("--k needs at least one cut-off, e.g. --k 10,20.");
        }

        return new EvaluationOptions
        {
            Protocol = parsed.GetValue(Protocol),
            MaskHistory = parsed.GetValue(MaskHistory),
            CandidateScope = Scope(parsed.GetValue(Candidates)),
            Ks = ks,
        };
    }

    /// <summary>The <c>--candidates all|domain</c> option (evaluation and recommend share it).</summary>
    public static Option<string> CandidatesOption() => new Option<string>("--candidates")
    {
        Description = "On multi-domain data, rank all items (default) or only the items of the domain the user acts in (reported with the result).",
        DefaultValueFactory = _ => "all",
    }.AcceptOnlyFromAmong("all", "domain");

    /// <summary>The scope an <c>--candidates</c> value names.</summary>
    public static CandidateScope Scope(string? value) => value == "domain" ? CandidateScope.UserDomain : CandidateScope.AllItems;
}
