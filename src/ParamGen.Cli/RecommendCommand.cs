using System.CommandLine;
using System.Globalization;
using ParamGen.Evaluation;
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
        var threads = CliOptions.Threads();
        var json = CliOptions.Json();
        var command = new Command("recommend", "Recommend the top-K items for a history of item tokens.");
        foreach (var option in new Option[] { checkpoint, history, k, includeSeen, threads, json })
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

            var trained = TrainingCheckpoint.Load(parsed.GetValue(checkpoint)!);
            var items = trained.Items ?? throw new InvalidOperationException($"{trained.Path}: the checkpoint has no item vocabulary ({TrainingCheckpoint.ItemsFileName}), so it cannot take tokens.");
            var unknown = tokens.Where(t => !items.Contains(t)).ToArray();
            if (unknown.Length > 0)
            {
                throw new KeyNotFoundException($"--history: item token(s) unknown to the checkpoint: {string.Join(", ", unknown.Take(5))}{(unknown.Length > 5 ? ", ..." : string.Empty)}.");
            }

            var list = Recommender.Recommend(trained.Recommender, items, tokens, top, excludeSeen: !parsed.GetValue(includeSeen));
            if (parsed.GetValue(json))
            {
                io.WriteJson(new
                {
                    Command = "recommend",
                    Checkpoint = trained.Path,
                    History = tokens,
                    K = top,
                    ExcludeSeen = !parsed.GetValue(includeSeen),
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
}
