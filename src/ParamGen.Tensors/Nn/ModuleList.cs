using System.Collections;
using System.Globalization;

namespace ParamGen.Tensors.Nn;

/// <summary>
/// An ordered list of child modules registered under the keys <c>"0"</c>, <c>"1"</c>, ..., as
/// <c>torch.nn.ModuleList</c>; it has no forward pass of its own. State keys read <c>blocks.0.weight</c>.
/// </summary>
/// <typeparam name="T">The type of the children.</typeparam>
public class ModuleList<T> : Module, IReadOnlyList<T>
    where T : Module
{
    private readonly List<T> _items = [];

    /// <summary>Creates a list holding <paramref name="modules"/> in order.</summary>
    /// <param name="modules">The initial children.</param>
    public ModuleList(params T[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules)
        {
            Add(m);
        }
    }

    /// <summary>The number of children.</summary>
    public int Count => _items.Count;

    /// <summary>The child at <paramref name="index"/> (negative values count from the end, as in Python).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [-Count, Count).</exception>
    public T this[int index]
    {
        get
        {
            int i = index < 0 ? index + _items.Count : index;
            if (i < 0 || i >= _items.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"Index {index} is out of range for a module list of {_items.Count} children.");
            }

            return _items[i];
        }
    }

    /// <summary>Appends <paramref name="module"/> under the next index key.</summary>
    /// <returns>This list, for chaining.</returns>
    public ModuleList<T> Add(T module)
    {
        ArgumentNullException.ThrowIfNull(module);
        RegisterModule(_items.Count.ToString(CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return this;
    }

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A <see cref="ModuleList{T}"/> of modules of any type.</summary>
public sealed class ModuleList : ModuleList<Module>
{
    /// <summary>Creates a list holding <paramref name="modules"/> in order.</summary>
    /// <param name="modules">The initial children.</param>
    public ModuleList(params Module[] modules)
        : base(modules)
    {
    }
}
