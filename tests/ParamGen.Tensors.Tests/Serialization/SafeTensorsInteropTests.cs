using System.Text;
using ParamGen.Tensors;
using ParamGen.Tensors.Serialization;
using ParamGen.Tensors.Tests.Infrastructure;

namespace ParamGen.Tensors.Tests.Serialization;

/// <summary>Safetensors files move both ways between PyTorch and ParamGen (see tests/golden/safetensors_interop.py).</summary>
public class SafeTensorsInteropTests
{
    private static string GoldenPath(string name) => Path.Combine(AppContext.BaseDirectory, "Golden", name);

    /// <summary>Keep in sync with expected_paramgen_tensors() in safetensors_interop.py.</summary>
    internal static List<KeyValuePair<string, Tensor>> ExpectedTensors() =>
    [
        new("layer.weight", (Tensor.Arange(12) * 0.25f - 1f).Reshape(3, 4)),
        new("layer.bias", Tensor.FromSpan([1.5f, -2f, 3.25f], 3)),
        new("step", Tensor.Scalar(7f)),
    ];

    [Fact]
    public void ReadsAFileWrittenByPyTorch()
    {
        var file = SafeTensors.Load(GoldenPath("interop_from_torch.safetensors"), convertDtypes: true);
        Assert.Equal(["f32.matrix", "f64.vector", "i64.ids", "f32.scalar"], file.Tensors.Select(t => t.Key));
        Assert.Equal("pytorch", file.Metadata["producer"]);
        Assert.Equal(new Shape(3, 5), file["f32.matrix"].Shape);
        TensorAssert.Close(Tensor.FromSpan([-1f, -2f / 3, -1f / 3, 0f, 1f / 3, 2f / 3, 1f], 7), file["f64.vector"], 1e-6, 1e-7);
        Assert.Equal([0f, 5f, 12f, 7f, 7f, 1f], file["i64.ids"].ToArray());
        Assert.Equal(new Shape(2, 3), file["i64.ids"].Shape);
        Assert.Equal(0, file["f32.scalar"].Rank);
        Assert.Equal(2.5f, file["f32.scalar"].Item());
    }

    [Fact]
    public void NonF32TensorsAreRejectedUnlessConversionIsAsked()
    {
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(GoldenPath("interop_from_torch.safetensors")));
        Assert.Contains("f64.vector", e.Message);
        Assert.Contains("F64", e.Message);
    }

    [Fact]
    public void WritesAFilePyTorchCanRead()
    {
        string dir = Environment.GetEnvironmentVariable("PARAMGEN_INTEROP_DIR") ?? Directory.CreateTempSubdirectory("pg-interop").FullName;
        string path = Path.Combine(dir, "from_paramgen.safetensors");
        var tensors = ExpectedTensors();
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["producer"] = "ParamGen" });

        var back = SafeTensors.Load(path);
        Assert.Equal(tensors.Select(t => t.Key), back.Tensors.Select(t => t.Key));
        foreach (var (k, v) in tensors)
        {
            TensorAssert.Equal(v, back[k]);
        }

        // The header is padded so data starts 8-byte aligned, as the reference implementation does.
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0UL, BitConverter.ToUInt64(bytes, 0) % 8);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void TruncatedFileIsRejectedNamingTheTensor()
    {
        var bytes = SafeTensors.Serialize(ExpectedTensors());
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Deserialize(bytes.AsSpan(0, bytes.Length - 4), "cut.safetensors"));
        Assert.Contains("cut.safetensors", e.Message);
        Assert.Contains("step", e.Message);
    }

    [Fact]
    public void MalformedHeadersAreRejected()
    {
        Assert.Throws<InvalidDataException>(() => SafeTensors.Deserialize(new byte[3]));
        Assert.Throws<InvalidDataException>(() => SafeTensors.Deserialize(Image("{not json")));
        Assert.Throws<InvalidDataException>(() => SafeTensors.Deserialize(Image("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", 8)));
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Deserialize(Image("""{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}""", 4)));
        Assert.Contains("Q7", e.Message);
        var huge = new byte[16];
        BitConverter.GetBytes(1UL << 40).CopyTo(huge, 0);
        Assert.Throws<InvalidDataException>(() => SafeTensors.Deserialize(huge));
    }

    [Fact]
    public void DuplicateOrReservedNamesAreRejectedOnWrite()
    {
        Assert.Throws<ArgumentException>(() => SafeTensors.Serialize([new("a", Tensor.Ones(1)), new("a", Tensor.Ones(1))]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Serialize([new("__metadata__", Tensor.Ones(1))]));
    }

    [Fact]
    public void FailedSaveLeavesThePreviousFileIntact()
    {
        var dir = Directory.CreateTempSubdirectory("pg-atomic").FullName;
        string path = Path.Combine(dir, "w.safetensors");
        SafeTensors.Save(path, ExpectedTensors());
        var before = File.ReadAllBytes(path);
        Assert.ThrowsAny<Exception>(() => SafeTensors.Save(path, [new("x", Tensor.Ones(1)), new("x", Tensor.Ones(1))]));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    private static byte[] Image(string header, int dataBytes = 0)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BitConverter.GetBytes((ulong)h.Length).CopyTo(bytes, 0);
        h.CopyTo(bytes, 8);
        return bytes;
    }
}
