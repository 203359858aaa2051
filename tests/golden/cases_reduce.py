"""Golden cases for reductions (max/min over a dim and over all, argmax/argmin, var, std, logsumexp) and
softmax/log-softmax over every kind of dim (last, middle, first with more columns than one tile)."""
import torch
import torch.nn.functional as F


def build(g):
    # Max/min over a dim: values and first-occurrence indices; continuous data has no ties.
    t3 = g.randn(3, 7, 5)
    g.case("max.dim1", lambda x: x.max(1), [t3])
    g.case("min.dim1keep", lambda x: x.min(1, keepdim=True), [t3])
    g.case("max.dimlast", lambda x: x.max(-1), [g.randn(4, 17)])
    g.case("min.dim0", lambda x: x.min(0), [g.randn(6, 33)])
    g.case("max.vector", lambda x: x.max(0), [g.randn(19)])
    # Over all elements with ties at the extremum: the gradient is split evenly.
    ties = torch.round(g.randn(4, 9) * 2) / 2
    ties[0, 1] = ties[2, 3] = ties[3, 8] = ties.max() + 0.5
    ties[1, 2] = ties[3, 0] = ties.min() - 0.5
    g.case("max.all.ties", lambda x: x.max(), [ties])
    g.case("min.all.ties", lambda x: x.min(), [ties])
    g.case("max.all", lambda x: x.max(), [g.randn(7, 33)])
    # Arg-extrema with ties resolved to the first occurrence.
    tied = torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, -1.0, -1.0], [0.5, 0.5, 0.5, 0.5]])
    g.case("argmax.ties", lambda x: x.argmax(1), [tied])
    g.case("argmin.ties", lambda x: x.argmin(1), [tied])
    g.case("argmax.dim0keep", lambda x: x.argmax(0, keepdim=True), [t3])
    g.case("argmin.dim2", lambda x: x.argmin(2), [t3])
    # Variance and standard deviation.
    t4 = g.randn(3, 4, 5) * 2 + 1
    g.case("var.dim1", lambda x: x.var(1), [t4])
    g.case("var.dims02.biased.keep", lambda x: x.var((0, 2), unbiased=False, keepdim=True), [t4])
    # x.var(dim=[]) reduces everything but its backward in torch 1.13 divides by zero; x.var() is the same op.
    g.case("var.all", lambda x: x.var(), [t4])
    g.case("var.dimlast.odd", lambda x: x.var(-1), [g.randn(5, 33)])
    g.case("std.dim1", lambda x: x.std(1), [t4])
    g.case("std.dims12.biased", lambda x: x.std((1, 2), unbiased=False), [t4])
    const = g.randn(3, 7)
    const[1] = 0.75
    g.case("std.constrow", lambda x: x.std(1), [const])
    # Log-sum-exp, including large values that overflow a naive exp.
    g.case("logsumexp.last", lambda x: torch.logsumexp(x, -1), [g.randn(5, 17)])
    g.case("logsumexp.dim1keep", lambda x: torch.logsumexp(x, 1, keepdim=True), [t3])
    g.case("logsumexp.large", lambda x: torch.logsumexp(x, 0), [g.randn(6, 9) * 100])
    # Softmax and log-softmax over the last, a middle and the first dimension.
    for fn, name in ((F.softmax, "softmax"), (F.log_softmax, "log_softmax")):
        g.case(f"{name}.last", lambda x, fn=fn: fn(x, -1), [g.randn(4, 33) * 3])
        g.case(f"{name}.mid", lambda x, fn=fn: fn(x, 1), [g.randn(3, 5, 7) * 3])
        g.case(f"{name}.first.wide", lambda x, fn=fn: fn(x, 0), [g.randn(6, 300) * 3])
        g.case(f"{name}.large", lambda x, fn=fn: fn(x, -1), [g.randn(3, 9) * 200])
        g.case(f"{name}.vector", lambda x, fn=fn: fn(x, 0), [g.randn(17)])
    masked = g.randn(4, 9)
    masked[0, :4] = float("-inf")
    masked[2, 8] = float("-inf")
    g.case("softmax.partmasked", lambda x: F.softmax(x, -1), [masked])
    masked_cols = g.randn(5, 6)
    masked_cols[:3, 1] = float("-inf")
    g.case("softmax.partmasked.dim0", lambda x: F.softmax(x, 0), [masked_cols])
