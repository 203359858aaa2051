using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace ParamGen.Tensors.Serialization;

/// <summary>
/// Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header, then
/// raw little-endian tensor data), the format PyTorch and Hugging Face use, so weights move both ways.
/// </summary>
/// <remarks>
/// Files are validated whole before anything is returned: header bounds, offsets, byte lengths against
/// shapes, and dtypes. Writing goes to a temporary file in the same folder and is then moved over the
/// target, so a crash never leaves a half-written file.
/// </remarks>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    /// <summary>Writes tensors (in the given order) and optional string metadata to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or <c>__metadata__</c>.</exception>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = Serialize(tensors, metadata);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Serialises tensors and metadata to safetensors bytes.</summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or reserved.</exception>
    public static byte[] Serialize(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, t) in list)
        {
            if (string.IsNullOrEmpty(name) || name == "__metadata__")
            {
                throw new ArgumentException($"Tensor name '{name}' is empty or reserved.", nameof(tensors));
            }

            if (!seen.Add(name))
            {
                throw new ArgumentException($"Tensor name '{name}' appears twice.", nameof(tensors));
            }

            ArgumentNullException.ThrowIfNull(t, name);
        }

        using var headerStream = new MemoryStream();
        using (var w = new Utf8JsonWriter(headerStream))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WritePropertyName("__metadata__");
                w.WriteStartObject();
                foreach (var (k, v) in metadata)
                {
                    w.WriteString(k, v);
                }

                w.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, t) in list)
            {
                w.WritePropertyName(name);
                w.WriteStartObject();
                w.WriteString("dtype", "F32");
                w.WritePropertyName("shape");
                w.WriteStartArray();
                foreach (int d in t.Shape.AsSpan())
                {
                    w.WriteNumberValue(d);
                }

                w.WriteEndArray();
                w.WritePropertyName("data_offsets");
                w.WriteStartArray();
                w.WriteNumberValue(offset);
                offset += 4L * t.NumElements;
                w.WriteNumberValue(offset);
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        int headerLen = (int)headerStream.Length;
        int padded = (headerLen + 7) / 8 * 8;
        long dataLen = list.Sum(kv => 4L * kv.Value.NumElements);
        var bytes = new byte[8 + padded + dataLen];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        headerStream.GetBuffer().AsSpan(0, headerLen).CopyTo(bytes.AsSpan(8));
        bytes.AsSpan(8 + headerLen, padded - headerLen).Fill((byte)' ');
        int pos = 8 + padded;
        foreach (var (_, t) in list)
        {
            var src = t.AsReadOnlySpan();
            var dst = bytes.AsSpan(pos, src.Length * 4);
            if (BitConverter.IsLittleEndian)
            {
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(src).CopyTo(dst);
            }
            else
            {
                for (int i = 0; i < src.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(dst[(i * 4)..], src[i]);
                }
            }

            pos += src.Length * 4;
        }

        return bytes;
    }

    /// <summary>Loads every tensor of a safetensors file, in file order.</summary>
    /// <param name="path">The file.</param>
    /// <param name="convertDtypes">Convert F64, F16, BF16 and integer/bool tensors to float32; when false (the
    /// default) any non-F32 tensor is an error, since ParamGen computes in float32 only.</param>
    /// <exception cref="InvalidDataException">The file is malformed or holds an unsupported dtype; the message names the file and tensor.</exception>
    public static SafeTensorsFile Load(string path, bool convertDtypes = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Deserialize(File.ReadAllBytes(path), path, convertDtypes);
    }

    /// <summary>Parses safetensors bytes; <paramref name="source"/> names the origin in error messages.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid safetensors image.</exception>
    public static SafeTensorsFile Deserialize(ReadOnlySpan<byte> bytes, string source = "<memory>", bool convertDtypes = false)
    {
        if (bytes.Length < 8)
        {
            throw new InvalidDataException($"{source}: not a safetensors file ({bytes.Length} bytes; the 8-byte header length is missing).");
        }

        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLen > MaxHeaderBytes || (long)headerLen > bytes.Length - 8)
        {
            throw new InvalidDataException($"{source}: header length {headerLen} exceeds the file ({bytes.Length} bytes).");
        }

        var headerBytes = bytes.Slice(8, (int)headerLen);
        var data = bytes[(8 + (int)headerLen)..];
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes.ToArray());
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: the JSON header is malformed: {e.Message}", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{source}: the JSON header is not an object.");
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<(string Name, string DType, int[] Shape, long Begin, long End)>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    }

                    continue;
                }

                entries.Add(ParseEntry(prop, source, data.Length));
            }

            var tensors = new List<KeyValuePair<string, Tensor>>(entries.Count);
            foreach (var (name, dtype, shape, begin, end) in entries)
            {
                var raw = data.Slice((int)begin, (int)(end - begin));
                tensors.Add(new(name, Decode(raw, dtype, shape, name, source, convertDtypes)));
            }

            return new SafeTensorsFile(tensors, metadata);
        }
    }

    private static (string, string, int[], long, long) ParseEntry(JsonProperty prop, string source, int dataLength)
    {
        string name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object
            || !v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String
            || !v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array
            || !v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
        {
            throw new InvalidDataException($"{source}: tensor '{name}' has a malformed header entry (needs dtype, shape, data_offsets).");
        }

        string dtype = dt.GetString()!;
        int elemSize = ElementSize(dtype) ?? throw new InvalidDataException($"{source}: tensor '{name}' has unknown dtype '{dtype}'.");
        var shape = new int[sh.GetArrayLength()];
        long count = 1;
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (!d.TryGetInt32(out shape[i]) || shape[i] < 0)
            {
                throw new InvalidDataException($"{source}: tensor '{name}' has an invalid shape {sh.GetRawText()}.");
            }

            count *= shape[i++];
        }

        if (!off[0].TryGetInt64(out long begin) || !off[1].TryGetInt64(out long end) || begin < 0 || end < begin || end > dataLength)
        {
            throw new InvalidDataException($"{source}: tensor '{name}' has data_offsets {off.GetRawText()} outside the data section ({dataLength} bytes).");
        }

        if (end - begin != count * elemSize)
        {
            throw new InvalidDataException($"{source}: tensor '{name}' of dtype {dtype} and shape [{string.Join(", ", shape)}] needs {count * elemSize} bytes but its data_offsets span {end - begin}.");
        }

        return (name, dtype, shape, begin, end);
    }

    private static int? ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => null,
    };

    private static Tensor Decode(ReadOnlySpan<byte> raw, string dtype, int[] shape, string name, string source, bool convert)
    {
        if (dtype != "F32" && !convert)
        {
            throw new InvalidDataException($"{source}: tensor '{name}' has dtype {dtype}; ParamGen tensors are F32. Pass convertDtypes: true to convert.");
        }

        int n = raw.Length / ElementSize(dtype)!.Value;
        var dst = new float[n];
        for (int i = 0; i < n; i++)
        {
            dst[i] = dtype switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]),
                "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(i * 8)..]),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(i * 2)..]),
                "BF16" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(i * 2)..]) << 16),
                "I64" => BinaryPrimitives.ReadInt64LittleEndian(raw[(i * 8)..]),
                "U64" => BinaryPrimitives.ReadUInt64LittleEndian(raw[(i * 8)..]),
                "I32" => BinaryPrimitives.ReadInt32LittleEndian(raw[(i * 4)..]),
                "U32" => BinaryPrimitives.ReadUInt32LittleEndian(raw[(i * 4)..]),
                "I16" => BinaryPrimitives.ReadInt16LittleEndian(raw[(i * 2)..]),
                "U16" => BinaryPrimitives.ReadUInt16LittleEndian(raw[(i * 2)..]),
                "I8" => (sbyte)raw[i],
                _ => raw[i], // U8, BOOL
            };
        }

        return new Tensor(dst, shape);
    }
}

/// <summary>The contents of a safetensors file: tensors in file order, and the string metadata.</summary>
public sealed class SafeTensorsFile
{
    private readonly Dictionary<string, Tensor> _byName;

    internal SafeTensorsFile(List<KeyValuePair<string, Tensor>> tensors, Dictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
        _byName = tensors.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }

    /// <summary>The tensors in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Tensors { get; }

    /// <summary>The <c>__metadata__</c> entries (empty if none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name; the message lists a few that exist.</exception>
    public Tensor this[string name] => _byName.TryGetValue(name, out var t)
        ? t
        : throw new KeyNotFoundException($"No tensor named '{name}' in the file (it has {_byName.Count}: {string.Join(", ", _byName.Keys.Take(8))}{(_byName.Count > 8 ? ", ..." : string.Empty)}).");

    /// <summary>Whether a tensor named <paramref name="name"/> exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The tensors as a name-to-tensor dictionary.</summary>
    public IReadOnlyDictionary<string, Tensor> ToDictionary() => _byName;
}
