namespace ParamGen.Samples;

/// <summary>What every sample needs from its command line and the repository: a few options and the bundled data.</summary>
internal static class SampleArgs
{
    /// <summary>The integer after <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public static int Int(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out int v) ? v : fallback;
    }

    /// <summary>The number after <paramref name="name"/> (invariant culture), or <paramref name="fallback"/>.</summary>
    public static double Double(string[] args, string name, double fallback) =>
        String(args, name) is { } text && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) ? v : fallback;

    /// <summary>The text after <paramref name="name"/>, or null.</summary>
    public static string? String(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Every text given after <paramref name="name"/>, in order (the option may be repeated: <c>--data A --data B</c>).</summary>
    public static IReadOnlyList<string> Strings(string[] args, string name)
    {
        var values = new List<string>();
        for (int i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == name)
            {
                values.Add(args[++i]);
            }
        }

        return values;
    }

    /// <summary>The comma-separated list after <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public static IReadOnlyList<string> List(string[] args, string name, IReadOnlyList<string> fallback) =>
        String(args, name) is { } text ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : fallback;

    /// <summary>The bundled data sits in the repository's data/ folder; look upwards from here and from the program.</summary>
    public static string FindBundledData(string relative)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException($"Could not find {relative} above {Directory.GetCurrentDirectory()}; pass --data FILE.");
    }
}
