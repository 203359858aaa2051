using System.CommandLine;
using System.Globalization;
using ParamGen.Data;
using ParamGen.Evaluation;
using ParamGen.Generators;
using ParamGen.Training;
using Spectre.Console;

namespace ParamGen.Cli;

/// <summary><c>paramgen recommend</c>: top-K items for any history (a new user included) from a checkpoint.</summary>
internal static class RecommendCommand
{
    public static Command Create(CliIO io)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint folder written by 'paramgen train'.", Required = true };
        var history = new Option<string>("--history") { Description = "Item tokens, oldest first, separated by spaces or commas.", Required = true };
        var k = new Option<int>("-k", "--top") { Description = "How many items (default 10).", DefaultValueFactory = _ => 10 };
        var includeSeen = new Option<bool>("--include-seen") { Description = "Allow items of the history in the list (default: excluded)." };
        var domain = new Option<string?>("--domain") { Description = "The domain the user acts in (a name from the training data; needed by a multi-domain generator model, e.g. --generator hamur)." };
        var candidates = EvaluationArguments.CandidatesOption();
        var threads = CliOptions.Threads();
        var json = CliOptions.Json();
        var command = new Command("recommend", "Recommend the top-K items for a history of item tokens.");
        foreach (var option in new Option[] { checkpoint, history, k, includeSeen, domain, candidates, threads, json })
        {
            command.Options.Add(option);
        }

        command.SetAction(parsed =>
        {
            CliOptions.ApplyThreads(parsed, threads);
            int top = parsed.GetValue(k);
            if (top < 1)
            {
                throw new CliUsageException($"-k {top}: needs at least 1.");
            }

            var tokens = (parsed.GetValue(history) ?? string.Empty).Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0)
            {
                throw new CliUsageException("--history needs at least one item token.");
            }

            string directory = parsed.GetValue(checkpoint)!;
            var trained = TrainingCheckpoint.Load(directory);
            var domains = CheckpointDomains.Read(directory, trained);
            var (domainId, domainName) = Domain(parsed.GetValue(domain), domains, trained);
            bool inDomain = parsed.GetValue(candidates) == "domain";
            if (inDomain && domains.Items is not null && domainName is null)
            {
                throw new CliUsageException($"--candidates domain needs --domain NAME (the checkpoint's domains: {string.Join(", ", domains.Names)}).");
            }
            var items = trained.Items ?? throw new InvalidOperationException($"{trained.Path}: the checkpoint has no item vocabulary ({TrainingCheckpoint.ItemsFileName}), so it cannot take tokens.");
            var unknown = tokens.Where(t => !items.Contains(t)).ToArray();
            if (unknown.Length > 0)
            {
                throw new KeyNotFoundException($"--history: item token(s) unknown to the checkpoint: {string.Join(", ", unknown.Take(5))}{(unknown.Length > 5 ? ", ..." : string.Empty)}.");
            }

            var list = inDomain && domains.Items is { } perDomain
                ? WithinDomain(trained, items, tokens, top, !parsed.GetValue(includeSeen), domainId, perDomain[domainId])
                : Recommender.Recommend(trained.Recommender, items, tokens, top, excludeSeen: !parsed.GetValue(includeSeen), domain: domainId);
            if (parsed.GetValue(json))
            {
                io.WriteJson(new
                {
                    Command = "recommend",
                    Checkpoint = trained.Path,
                    History = tokens,
                    K = top,
                    ExcludeSeen = !parsed.GetValue(includeSeen),
                    Domain = domainName,
                    Candidates = inDomain ? "domain" : "all",
                    Items = list.Select((r, i) => new { Rank = i + 1, Item = r.Token ?? items.GetToken(r.Item), r.Score }).ToArray(),
                });
            }
            else
            {
                var table = new Table().AddColumns("rank", "item", "score");
                for (int i = 0; i < list.Count; i++)
                {
                    table.AddRow((i + 1).ToString(CultureInfo.InvariantCulture), Markup.Escape(list[i].Token ?? items.GetToken(list[i].Item)),
                        list[i].Score.ToString("F4", CultureInfo.InvariantCulture));
                }

                io.Console.Write(table);
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// The domain id to serve: the named one, or 0 when none is named and the model does not depend on it. A model
    /// whose generator serves several domains needs a name; an unknown name is a usage error listing the known ones.
    /// </summary>
    private static (int Id, string? Name) Domain(string? name, CheckpointDomains domains, TrainedModel trained)
    {
        if (name is not null)
        {
            return (domains.IdOf(name), name);
        }

        if (trained.Recommender is GeneratedRecommender { GroupCount: > 1 } generated)
        {
            throw new CliUsageException($"The checkpoint's {generated.Generator.GetType().Name} serves {generated.GroupCount} domains ({string.Join(", ", domains.Names)}); pass --domain NAME.");
        }

        return (0, null);
    }

    /// <summary>
    /// The top-K among the domain's items: asks the recommender for enough items that K of them are in the domain
    /// (every item outside it could outrank them), then keeps those.
    /// </summary>
    private static IReadOnlyList<Recommendation> WithinDomain(TrainedModel trained, Vocabulary items, string[] tokens, int top, bool excludeSeen, int domain, int[] domainItems)
    {
        int outside = trained.Recommender.Backbone.NumItems - domainItems.Length;
        var wide = Recommender.Recommend(trained.Recommender, items, tokens, top + outside, excludeSeen, domain);
        var members = new HashSet<int>(domainItems);
        return [.. wide.Where(r => members.Contains(r.Item)).Take(top)];
    }
}
