using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Memory;

namespace ParamGen.Tensors;

/// <summary>
/// A dense float32 tensor: row-major, contiguous storage, with define-by-run autograd.
/// </summary>
/// <remarks>
/// <para>Storage is always contiguous. <see cref="Reshape(int[])"/> and slicing along the first
/// dimension return views that share storage; transpose and permute materialise a copy.</para>
/// <para>When <see cref="RequiresGrad"/> is set on a leaf, every op applied to it records one backward
/// rule; <see cref="Backward(Tensor?)"/> runs those rules in reverse topological order and
/// accumulates into the leaves' <see cref="Grad"/>.</para>
/// <para>A tensor created while a <see cref="TensorScope"/> is active on its thread belongs to that scope and
/// is disposed with it (see <see cref="IsDisposed"/>); other tensors live as long as they are referenced.</para>
/// </remarks>
public partial class Tensor
{
    private float[] _buffer;
    private bool _requiresGrad;

    /// <summary>
    /// Wraps <paramref name="buffer"/> (not copied). Used for new storage and for views alike: a view of
    /// pooled storage finds and shares that storage, and the tensor joins the thread's current scope.
    /// </summary>
    internal Tensor(float[] buffer, int offset, Shape shape)
    {
        _buffer = buffer;
        Offset = offset;
        Shape = shape;
        if (this is Nn.Parameter)
        {
            // Parameters outlive every training step: never scoped, and storage shared with a tensor
            // created in a scope leaves the pool for good.
            PooledStorage.Find(buffer)?.Escape();
            return;
        }

        Owner = TensorScope.Current;
        Storage = PooledStorage.Find(buffer);
    }

    /// <summary>A tensor over new storage with its scope bookkeeping already known (no lookups).</summary>
    private Tensor(float[] buffer, Shape shape, TensorScope? owner, PooledStorage? storage)
    {
        _buffer = buffer;
        Shape = shape;
        Owner = owner;
        Storage = storage;
    }

    /// <summary>Creates a tensor that takes over (does not copy) <paramref name="data"/> with the given shape.</summary>
    /// <exception cref="ArgumentException">The element count of the shape differs from the data length.</exception>
    public Tensor(float[] data, params int[] shape)
        : this(data, 0, CheckedShape(data, shape))
    {
    }

    /// <summary>
    /// The backing array. Elements live at [Offset, Offset + NumElements); the array may be longer (pooled
    /// storage comes in size classes), so never use its length.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The tensor was disposed with its scope.</exception>
    internal float[] Buffer
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (Owner is not null || Storage is not null)
            {
                ThrowIfDisposed();
            }

            return _buffer;
        }
    }

    /// <summary>Index of the first element in <see cref="Buffer"/>.</summary>
    internal int Offset { get; private set; }

    /// <summary>The tensor's shape.</summary>
    public Shape Shape { get; private set; }

    /// <summary>The device holding this tensor (always <see cref="Device.Cpu"/> today).</summary>
    public Device Device => Device.Cpu;

    /// <summary>The element type name, as in safetensors headers (always <c>F32</c>).</summary>
    public string DType => "F32";

    /// <summary>The number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>The total number of elements.</summary>
    public int NumElements => Shape.NumElements;

    /// <summary>The elements as a writable span. Writing through it bypasses autograd.</summary>
    public Span<float> Span => Buffer.AsSpan(Offset, Shape.NumElements);

    /// <summary>The elements as a read-only span.</summary>
    public ReadOnlySpan<float> AsReadOnlySpan() => Buffer.AsSpan(Offset, Shape.NumElements);

    /// <summary>
    /// Whether operations on this tensor are recorded for gradient computation. Only leaves (tensors not
    /// produced by a recorded op) may have it set, as in PyTorch.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set on a non-leaf tensor.</exception>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn is not null)
            {
                throw new InvalidOperationException($"RequiresGrad can only be changed on leaf tensors; this tensor of shape {Shape} was produced by '{GradFn.Name}'. Use Detach() for a new leaf.");
            }

            _requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient of a leaf after <see cref="Backward(Tensor?)"/>, or null.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The rule that produced this tensor, or null for a leaf.</summary>
    internal GradNode? GradFn { get; set; }

    /// <summary>The name of the op that produced this tensor (e.g. <c>MatMul</c>), or null for a leaf.</summary>
    public string? GradFnName => GradFn?.Name;

    /// <summary>Whether this tensor is a leaf of the graph (not produced by a recorded op).</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>A human label used in error messages (e.g. a parameter's dotted name).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Whether this tensor was disposed with the <see cref="TensorScope"/> it was created in (or its storage
    /// was recycled). A disposed tensor keeps its <see cref="Shape"/>, but reading or writing its elements
    /// throws <see cref="ObjectDisposedException"/>. Always false for tensors created outside scopes.
    /// </summary>
    public bool IsDisposed => (Owner?.IsReleased ?? false) || (Storage?.Released ?? false);

    /// <summary>The scope this tensor belongs to, or null.</summary>
    internal TensorScope? Owner { get; set; }

    /// <summary>The pooled storage under this tensor (shared by its views), or null for a plain array.</summary>
    internal PooledStorage? Storage { get; private set; }

    /// <summary>
    /// Makes this tensor outlive the scope it belongs to, as <c>MoveToOuterDisposeScope</c> in TorchSharp:
    /// same as <see cref="TensorScope.Keep(Tensor)"/> on that scope. A no-op for a tensor created outside scopes.
    /// </summary>
    /// <returns>This tensor, for chaining.</returns>
    /// <exception cref="ObjectDisposedException">The tensor is already disposed.</exception>
    public Tensor MoveToOuterScope()
    {
        ThrowIfDisposed();
        var scope = (Owner ?? Storage?.Owner)?.Active;
        return scope is null ? this : scope.Keep(this);
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> naming the shape when this tensor is disposed.</summary>
    internal void ThrowIfDisposed()
    {
        if (IsDisposed)
        {
            ThrowDisposed();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowDisposed() =>
        throw new ObjectDisposedException(
            nameof(Tensor),
            $"The tensor{(Name is null ? string.Empty : $" '{Name}'")} of shape {Shape}{(GradFn is null ? string.Empty : $" (from {GradFn.Name})")} belongs to a TensorScope that has been disposed, and its storage was recycled. Keep it with scope.Keep(t) or t.MoveToOuterScope() to use it after the scope.");

    private static Shape CheckedShape(float[] data, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        var s = new Shape(shape);
        if (s.NumElements != data.Length)
        {
            throw new ArgumentException($"Data of length {data.Length} cannot have shape {s} ({s.NumElements} elements).", nameof(shape));
        }

        return s;
    }

    /// <summary>Marks a tensor produced by a recorded op as requiring a gradient.</summary>
    internal void MarkRequiresGrad() => _requiresGrad = true;

    /// <summary>Replaces this tensor's storage (used by in-place loading).</summary>
    internal void SetStorage(float[] buffer, int offset, Shape shape)
    {
        _buffer = buffer;
        Offset = offset;
        Shape = shape;
        if (this is Nn.Parameter)
        {
            PooledStorage.Find(buffer)?.Escape();
        }
        else
        {
            Storage = PooledStorage.Find(buffer);
        }
    }

    /// <summary>The value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor does not have exactly one element.</exception>
    public float Item()
    {
        if (NumElements != 1)
        {
            throw new InvalidOperationException($"Item() needs a tensor with one element; this one has shape {Shape}.");
        }

        return Buffer[Offset];
    }

    /// <summary>The element at the given multi-index (negative indices count from the end).</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public float this[params int[] index]
    {
        get => Buffer[Offset + FlatIndex(index)];
        set => Buffer[Offset + FlatIndex(index)] = value;
    }

    private int FlatIndex(int[] index)
    {
        if (index.Length != Rank)
        {
            throw new ArgumentException($"Index of rank {index.Length} used on a tensor of shape {Shape}.", nameof(index));
        }

        int flat = 0;
        for (int d = 0; d < index.Length; d++)
        {
            int size = Shape.Dims[d];
            int i = index[d] < 0 ? index[d] + size : index[d];
            if (i < 0 || i >= size)
            {
                throw new IndexOutOfRangeException($"Index {index[d]} is out of range for dimension {d} of size {size} (shape {Shape}).");
            }

            flat = (flat * size) + i;
        }

        return flat;
    }

    /// <summary>A copy of the elements in row-major order.</summary>
    public float[] ToArray() => AsReadOnlySpan().ToArray();

    /// <summary>
    /// A new leaf sharing this tensor's storage, cut off from the graph (stop-gradient), as <c>detach()</c>.
    /// </summary>
    public Tensor Detach() => new(Buffer, Offset, Shape);

    /// <summary>A new leaf with a copy of this tensor's elements and no graph history.</summary>
    public Tensor Clone()
    {
        var y = Uninitialized(Shape);
        AsReadOnlySpan().CopyTo(y.Span);
        return y;
    }

    /// <summary>A copy that belongs to no scope and is never pooled, whatever scope is active (leaf gradients).</summary>
    internal Tensor CloneUnscoped() => new(ToArray(), Shape, owner: null, storage: null);

    /// <summary>Zeros that belong to no scope and are never pooled, whatever scope is active (leaf gradients).</summary>
    internal static Tensor ZerosUnscoped(Shape shape) => new(new float[shape.NumElements], shape, owner: null, storage: null);

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor, for fluent construction.</summary>
    public Tensor RequiresGrad_(bool requiresGrad = true)
    {
        RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>
    /// Computes gradients of this tensor with respect to every leaf that requires them and accumulates
    /// them into the leaves' <see cref="Grad"/>.
    /// </summary>
    /// <param name="gradient">The gradient of the final objective with respect to this tensor; may be
    /// omitted only when this tensor has one element (then 1 is used).</param>
    /// <exception cref="InvalidOperationException">This tensor does not require a gradient, or it has more
    /// than one element and no <paramref name="gradient"/> is given.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradient"/>'s shape differs from this tensor's.</exception>
    public void Backward(Tensor? gradient = null) => AutogradEngine.Backward(this, gradient);

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor(shape=").Append(Shape);
        if (IsDisposed)
        {
            return sb.Append(", disposed)").ToString();
        }

        if (GradFn is not null)
        {
            sb.Append(", grad_fn=").Append(GradFn.Name);
        }
        else if (RequiresGrad)
        {
            sb.Append(", requires_grad=True");
        }

        sb.Append(", data=[");
        var span = AsReadOnlySpan();
        int shown = Math.Min(span.Length, 8);
        for (int i = 0; i < shown; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(span[i].ToString("G6", CultureInfo.InvariantCulture));
        }

        if (span.Length > shown)
        {
            sb.Append(", ...");
        }

        return sb.Append("])").ToString();
    }
}
