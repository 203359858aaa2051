using ParamGen.Tensors.Serialization;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ParamGen.Data;

/// <summary>
/// Writes the generator-specific files of a synthetic dataset: the RecBole <c>.item</c> file with the ground-truth
/// clusters and the JSON summary (the interaction files go through <see cref="DatasetWriter"/>). UTF-8 without BOM,
/// <c>\n</c> line ends, invariant number formats, so the bytes depend only on the data.
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

    /// <summary>The options and the realised statistics, as indented JSON with camelCase names.</summary>
    public static void WriteJson(SyntheticDataset synthetic, string path) => WriteAtomically(path, w =>
    {
        w.Write(JsonSerializer.Serialize(new { options = synthetic.Options, statistics = synthetic.Statistics }, JsonOptions));
        w.Write('\n');
    });

    /// <summary>Writes through a temporary file moved into place (<see cref="AtomicFile"/>), so no half-written file is left.</summary>
    private static void WriteAtomically(string path, Action<TextWriter> write) => AtomicFile.Write(path, temporary =>
    {
        using var writer = new StreamWriter(temporary, append: false, Utf8, bufferSize: 1 << 16) { NewLine = "\n" };
        write(writer);
    });

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
