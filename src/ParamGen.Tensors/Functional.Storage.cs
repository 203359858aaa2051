namespace ParamGen.Tensors;

// Owner: fused ops. Where their outputs and saved state come from.
public static partial class Functional
{
    /// <summary>
    /// A tensor for an op output that the op overwrites entirely, so its storage is not zeroed first: zeroing
    /// the large arrays of a training step costs as much as several of its elementwise ops.
    /// </summary>
    /// <remarks>Every op that uses it writes each element before anything reads it; the tests run with
    /// <see cref="PoisonUninitialized"/>, so a missed element shows up as NaN.</remarks>
    internal static Tensor Uninitialized(Shape shape) => new(SavedArray(shape.NumElements), 0, shape);

    /// <summary>State an op saves for its backward rule (probabilities, activation derivatives), written in full by the op.</summary>
    internal static float[] SavedArray(int length)
    {
        var array = GC.AllocateUninitializedArray<float>(length);
        if (PoisonUninitialized)
        {
            array.AsSpan().Fill(float.NaN);
        }

        return array;
    }

    /// <summary>Fill uninitialised storage with NaN (the tests set it), so an op that reads an element before writing it fails.</summary>
    internal static bool PoisonUninitialized { get; set; }
}
