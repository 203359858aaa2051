using System.Globalization;
using System.Text;

namespace ParamGen.Data;

/// <summary>
/// What a run of filters did: the dataset's counts before, and per step the interactions, users and items it
/// removed and left. <see cref="ToString"/> renders it as a small table for logs.
/// </summary>
public sealed class FilterReport
{
    /// <summary>Creates a report.</summary>
    /// <param name="datasetName">The filtered dataset's name.</param>
    /// <param name="initialInteractions">Interactions before filtering.</param>
    /// <param name="initialUsers">Users before filtering.</param>
    /// <param name="initialItems">Items before filtering.</param>
    /// <param name="steps">The steps in the order they ran (may be empty).</param>
    public FilterReport(string datasetName, int initialInteractions, int initialUsers, int initialItems, IReadOnlyList<FilterStep> steps)
    {
        ArgumentNullException.ThrowIfNull(datasetName);
        ArgumentNullException.ThrowIfNull(steps);
        DatasetName = datasetName;
        InitialInteractions = initialInteractions;
        InitialUsers = initialUsers;
        InitialItems = initialItems;
        Steps = steps.ToArray();
    }

    /// <summary>The filtered dataset's name.</summary>
    public string DatasetName { get; }

    /// <summary>Interactions before filtering.</summary>
    public int InitialInteractions { get; }

    /// <summary>Users before filtering.</summary>
    public int InitialUsers { get; }

    /// <summary>Items before filtering.</summary>
    public int InitialItems { get; }

    /// <summary>The steps in the order they ran.</summary>
    public IReadOnlyList<FilterStep> Steps { get; }

    /// <summary>Interactions after the last step.</summary>
    public int FinalInteractions => Steps.Count == 0 ? InitialInteractions : Steps[^1].InteractionsRemaining;

    /// <summary>Users after the last step.</summary>
    public int FinalUsers => Steps.Count == 0 ? InitialUsers : Steps[^1].UsersRemaining;

    /// <summary>Items after the last step.</summary>
    public int FinalItems => Steps.Count == 0 ? InitialItems : Steps[^1].ItemsRemaining;

    /// <summary>The report as a table: one line per step with what it removed and what remained.</summary>
    /// <returns>Multi-line text, no trailing newline.</returns>
    public override string ToString()
    {
        var rows = new List<string[]>
        {
            new[] { "step", "rounds", "-interactions", "-users", "-items", "interactions", "users", "items" },
            new[] { "(input)", "", "", "", "", N(InitialInteractions), N(InitialUsers), N(InitialItems) },
        };
        foreach (var s in Steps)
        {
            rows.Add([s.Name, N(s.Rounds), N(s.InteractionsRemoved), N(s.UsersRemoved), N(s.ItemsRemoved),
                N(s.InteractionsRemaining), N(s.UsersRemaining), N(s.ItemsRemaining)]);
        }

        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (int c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Filters on '{DatasetName}': {N(InitialInteractions - FinalInteractions)} of {N(InitialInteractions)} interactions removed");
        foreach (var row in rows)
        {
            sb.AppendLine();
            sb.Append(row[0].PadRight(widths[0]));
            for (int c = 1; c < row.Length; c++)
            {
                sb.Append("  ").Append(row[c].PadLeft(widths[c]));
            }
        }

        return sb.ToString();
    }

    private static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
