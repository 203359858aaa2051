"""Golden cases for the core ops: broadcasting arithmetic, unary maths and activations, sums, matmul, linear."""
import torch
import torch.nn.functional as F


def build(g):
    # Broadcasting binary ops over shapes with size-1 dims and odd lengths.
    pairs = {"same": ((3, 17), (3, 17)), "row": ((4, 5, 19), (19,)), "col": ((4, 5, 19), (4, 5, 1)),
             "mixed": ((2, 1, 7), (3, 1)), "scalar": ((6, 33), ())}
    for tag, (sa, sb) in pairs.items():
        a, b = g.randn(*sa), g.randn(*sb)
        g.case(f"add.{tag}", lambda x, y: x + y, [a, b])
        g.case(f"sub.{tag}", lambda x, y: x - y, [a, b])
        g.case(f"mul.{tag}", lambda x, y: x * y, [a, b])
        g.case(f"div.{tag}", lambda x, y: x / y, [a, g.away_from(b, (0.0,), 0.5)])
        g.case(f"maximum.{tag}", torch.maximum, [a, b])
        g.case(f"minimum.{tag}", torch.minimum, [a, b])
    g.case("pow.tensor", torch.pow, [g.rand(5, 7, low=0.5, high=2.0), g.randn(7)])
    x = g.randn(5, 37)
    g.case("scalar.ops", lambda t: (t + 1.5) * 2.5 - 0.75 / (t.abs() + 1) + t ** 3, [x])
    pos = g.rand(5, 37, low=0.1, high=3.0)
    g.case("exp", torch.exp, [x])
    g.case("log", torch.log, [pos])
    g.case("sqrt", torch.sqrt, [pos])
    g.case("rsqrt", torch.rsqrt, [pos])
    kinky = g.away_from(g.randn(5, 37), (0.0, -0.5, 0.5), 0.03)
    g.case("abs", torch.abs, [kinky])
    g.case("neg", torch.neg, [x])
    g.case("clamp", lambda t: torch.clamp(t, -0.5, 0.5), [kinky])
    g.case("relu", F.relu, [kinky])
    g.case("leaky_relu", lambda t: F.leaky_relu(t, 0.2), [kinky])
    g.case("gelu", F.gelu, [x * 2])
    g.case("gelu_tanh", lambda t: F.gelu(t, approximate="tanh"), [x * 2])
    g.case("sigmoid", torch.sigmoid, [x * 3])
    g.case("tanh", torch.tanh, [x * 2])
    g.case("silu", F.silu, [x * 2])
    g.case("softplus", F.softplus, [x * 3])
    g.case("softplus_beta", lambda t: F.softplus(t, beta=2.0, threshold=4.0), [g.away_from(x * 3, (2.0,), 0.05)])
    # Reductions that are part of the core.
    t = g.randn(3, 4, 5)
    g.case("sum.all", lambda u: u.sum(), [t])
    g.case("sum.dim1", lambda u: u.sum(1), [t])
    g.case("sum.dims02keep", lambda u: u.sum((0, 2), keepdim=True), [t])
    g.case("mean.dimneg", lambda u: u.mean(-1), [t])
    g.case("mean.all", lambda u: u.mean(), [t])
    # Matrix products.
    g.case("matmul.2d", torch.matmul, [g.randn(13, 21), g.randn(21, 35)])
    g.case("matmul.nd2d", torch.matmul, [g.randn(3, 7, 21), g.randn(21, 9)])
    g.case("matmul.batched", torch.matmul, [g.randn(4, 6, 8), g.randn(4, 8, 3)])
    g.case("matmul.broadcast", torch.matmul, [g.randn(2, 1, 5, 8), g.randn(3, 8, 4)])
    g.case("matmul.vec", torch.matmul, [g.randn(8), g.randn(8, 3)])
    g.case("matmul.dot", torch.matmul, [g.randn(19), g.randn(19)])
    g.case("bmm.persample", torch.bmm, [g.randn(5, 50, 16), g.randn(5, 16, 4)])
    g.case("linear", F.linear, [g.randn(2, 3, 20), g.randn(33, 20), g.randn(33)])
    g.case("linear.nobias", F.linear, [g.randn(7, 20), g.randn(33, 20)])
