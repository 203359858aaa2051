using System.Collections;
using System.Globalization;

namespace ParamGen.Tensors.Nn;

/// <summary>
/// Applies its children in order, each to the previous one's output, as <c>torch.nn.Sequential</c>. Children are
/// keyed <c>"0"</c>, <c>"1"</c>, ..., so state keys read <c>0.weight</c>, <c>2.bias</c>, as in PyTorch.
/// </summary>
public sealed class Sequential : Module<Tensor, Tensor>, IReadOnlyList<Module<Tensor, Tensor>>
{
    private readonly List<Module<Tensor, Tensor>> _items = [];

    /// <summary>Creates the chain from <paramref name="modules"/>, in order.</summary>
    /// <param name="modules">The stages.</param>
    public Sequential(params Module<Tensor, Tensor>[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules)
        {
            Append(m);
        }
    }

    /// <summary>The number of stages.</summary>
    public int Count => _items.Count;

    /// <summary>The stage at <paramref name="index"/> (negative values count from the end).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [-Count, Count).</exception>
    public Module<Tensor, Tensor> this[int index]
    {
        get
        {
            int i = index < 0 ? index + _items.Count : index;
            if (i < 0 || i >= _items.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"Index {index} is out of range for a Sequential of {_items.Count} stages.");
            }

            return _items[i];
        }
    }

    /// <summary>Appends a stage under the next index key.</summary>
    /// <returns>This module, for chaining.</returns>
    public Sequential Append(Module<Tensor, Tensor> module)
    {
        ArgumentNullException.ThrowIfNull(module);
        RegisterModule(_items.Count.ToString(CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return this;
    }

    /// <summary>Runs the stages in order; an empty chain returns its input.</summary>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var m in _items)
        {
            x = m.Forward(x);
        }

        return x;
    }

    /// <inheritdoc />
    public IEnumerator<Module<Tensor, Tensor>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
