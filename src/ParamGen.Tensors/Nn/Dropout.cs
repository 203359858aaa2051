using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Nn;

/// <summary>
/// Inverted dropout, as <c>torch.nn.Dropout</c>: in training mode each element is zeroed with probability
/// <see cref="P"/> and the others scaled by 1/(1-p); in evaluation mode the input passes through unchanged. Holds no state.
/// </summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    private readonly Generator? _generator;

    /// <summary>Creates the layer.</summary>
    /// <param name="p">The probability of zeroing an element (default 0.5).</param>
    /// <param name="generator">The random source for the masks; <see cref="Generator.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1].</exception>
    public Dropout(float p = 0.5f, Generator? generator = null)
    {
        P = CheckProbability(p, nameof(Dropout));
        _generator = generator;
    }

    /// <summary>The probability of zeroing an element.</summary>
    public float P { get; }

    /// <summary>The generator the masks are drawn from (null: <see cref="Generator.Default"/>), for fused callers.</summary>
    internal Generator? Generator => _generator;

    /// <summary>The probability in effect now: <see cref="P"/> in training mode, 0 in evaluation.</summary>
    internal float ActiveP => Training ? P : 0f;

    /// <summary>Applies dropout when <see cref="Module.Training"/> is set; returns the input otherwise.</summary>
    public override Tensor Forward(Tensor input) => Functional.Dropout(input, P, Training, _generator);

    /// <summary>Validates a dropout probability for a module's constructor.</summary>
    internal static float CheckProbability(float p, string owner)
    {
        if (!(p >= 0f && p <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(p), $"{owner}: dropout probability has to be between 0 and 1; got {p}.");
        }

        return p;
    }
}
