using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ParamGen.Data;

/// <summary>
/// Writes a synthetic dataset's files: RecBole atomic <c>.inter</c> and <c>.item</c> (tab-separated, typed
/// header), one line per user (<c>user i1 i2 ...</c>), and a JSON summary. UTF-8 without BOM, <c>\n</c> line ends,
/// invariant number formats, so the bytes depend only on the data. Kept small and local to the generator; the
/// general <c>DatasetWriter</c> can take over the interaction formats.
/// </summary>
internal static class SyntheticFileWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NewLine = "\n",
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>
    /// <c>user_id:token item_id:token [rating:float] timestamp:float [domain:token]</c>, one row per interaction,
    /// grouped by user in time order. Optional columns appear when the dataset has them.
    /// </summary>
    public static void WriteInter(InteractionDataset data, string path) => WriteAtomically(path, w =>
    {
        w.Write("user_id:token\titem_id:token");
        w.Write(data.HasRatings ? "\trating:float" : string.Empty);
        w.Write(data.HasTimestamps ? "\ttimestamp:float" : string.Empty);
        w.Write(data.HasDomains ? "\tdomain:token\n" : "\n");
        var items = data.ItemColumn;
        var times = data.TimestampColumn;
        var ratings = data.RatingColumn;
        var domains = data.DomainColumn;
        var offsets = data.UserOffsets;
        for (int u = 1; u <= data.NumUsers; u++)
        {
            string user = data.Users.GetToken(u);
            for (int r = offsets[u]; r < offsets[u + 1]; r++)
            {
                w.Write(user);
                w.Write('\t');
                w.Write(data.Items.GetToken(items[r]));
                if (data.HasRatings)
                {
                    w.Write('\t');
                    WriteNumber(w, ratings[r]);
                }

                if (data.HasTimestamps)
                {
                    w.Write('\t');
                    WriteNumber(w, times[r]);
                }

                if (data.HasDomains)
                {
                    w.Write('\t');
                    w.Write(data.DomainNames[domains[r]]);
                }

                w.Write('\n');
            }
        }
    });

    /// <summary><c>item_id:token category:token cluster:token sub_cluster:token</c>, one row per item id.</summary>
    public static void WriteItems(SyntheticDataset synthetic, string path) => WriteAtomically(path, w =>
    {
        var data = synthetic.Dataset;
        var categories = data.ItemFeatures!.Categories;
        w.Write("item_id:token\tcategory:token\tcluster:token\tsub_cluster:token\n");
        for (int i = 1; i <= data.NumItems; i++)
        {
            w.Write(data.Items.GetToken(i));
            w.Write('\t');
            w.Write(categories.GetToken(synthetic.ItemCategory[i]));
            w.Write('\t');
            WriteNumber(w, synthetic.ItemCluster[i]);
            w.Write('\t');
            WriteNumber(w, synthetic.ItemSubCluster[i]);
            w.Write('\n');
        }
    });

    /// <summary><c>user item item ...</c> (space-separated, time order), one line per user with interactions.</summary>
    public static void WriteSequences(InteractionDataset data, string path) => WriteAtomically(path, w =>
    {
        for (int u = 1; u <= data.NumUsers; u++)
        {
            var sequence = data.GetSequence(u);
            if (sequence.IsEmpty)
            {
                continue;
            }

            w.Write(data.Users.GetToken(u));
            foreach (int item in sequence)
            {
                w.Write(' ');
                w.Write(data.Items.GetToken(item));
            }

            w.Write('\n');
        }
    });

    /// <summary>The options and the realised statistics, as indented JSON with camelCase names.</summary>
    public static void WriteJson(SyntheticDataset synthetic, string path) => WriteAtomically(path, w =>
    {
        w.Write(JsonSerializer.Serialize(new { options = synthetic.Options, statistics = synthetic.Statistics }, JsonOptions));
        w.Write('\n');
    });

    /// <summary>Writes to <c>path.tmp</c> and moves it over <paramref name="path"/>, so no half-written file is left.</summary>
    private static void WriteAtomically(string path, Action<TextWriter> write)
    {
        string temporary = path + ".tmp";
        try
        {
            using (var writer = new StreamWriter(temporary, append: false, Utf8, bufferSize: 1 << 16) { NewLine = "\n" })
            {
                write(writer);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes a number in the invariant culture; integral values without a decimal point.</summary>
    private static void WriteNumber(TextWriter w, double value)
    {
        Span<char> buffer = stackalloc char[32];
        bool ok = value == Math.Floor(value) && Math.Abs(value) < 9e15
            ? ((long)value).TryFormat(buffer, out int written, default, CultureInfo.InvariantCulture)
            : value.TryFormat(buffer, out written, "R", CultureInfo.InvariantCulture);
        w.Write(ok ? buffer[..written] : value.ToString("R", CultureInfo.InvariantCulture));
    }
}
