using System.Text.Json.Nodes;

namespace ParamGen.Tensors.Optim;

/// <summary>Hyper-parameters of <see cref="Sgd"/>, with <c>torch.optim.SGD</c>'s meaning.</summary>
public sealed record SgdOptions : OptimizerOptions
{
    /// <summary>The momentum factor (default 0: plain SGD). Must be finite and non-negative.</summary>
    public double Momentum { get; init; }

    /// <summary>Dampening applied to the gradient in the momentum buffer (default 0). Must be finite and non-negative.</summary>
    public double Dampening { get; init; }

    /// <summary>Whether to use Nesterov momentum (default false); needs <see cref="Momentum"/> &gt; 0 and <see cref="Dampening"/> = 0.</summary>
    public bool Nesterov { get; init; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><see cref="Nesterov"/> is set without momentum or with dampening.</exception>
    public override void Validate()
    {
        base.Validate();
        if (!(Momentum >= 0) || double.IsInfinity(Momentum))
        {
            throw Bad(nameof(Momentum), Momentum, "must be finite and non-negative");
        }

        if (!(Dampening >= 0) || double.IsInfinity(Dampening))
        {
            throw Bad(nameof(Dampening), Dampening, "must be finite and non-negative");
        }

        if (Nesterov && (Momentum <= 0 || Dampening != 0))
        {
            throw new ArgumentException($"SgdOptions.Nesterov needs Momentum > 0 and Dampening = 0; got Momentum = {Momentum}, Dampening = {Dampening}.", nameof(Nesterov));
        }
    }

    internal override void WriteJson(JsonObject json)
    {
        base.WriteJson(json);
        json["momentum"] = Momentum;
        json["dampening"] = Dampening;
        json["nesterov"] = Nesterov;
    }

    internal static SgdOptions FromJson(JsonObject json, string where) => new()
    {
        LearningRate = ReadDouble(json, "lr", where),
        WeightDecay = ReadDouble(json, "weight_decay", where),
        Momentum = ReadDouble(json, "momentum", where),
        Dampening = ReadDouble(json, "dampening", where),
        Nesterov = ReadBool(json, "nesterov", where),
    };
}
