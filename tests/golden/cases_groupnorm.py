"""Golden cases for group batch normalisation (Functional.GroupBatchNorm, HAMUR's domain norm): channels-last input
[B, C] or [B, L, C], one set of statistics per group of samples, an include mask over the flattened rows.

The reference applies F.batch_norm to each group's included rows (updating that group's row of the running
statistics), normalises the group's excluded rows with the same batch statistics, normalises a group with fewer than
two included rows with its running statistics (or copies it through when there are none), and uses the running
statistics for every group in evaluation. Aux tensors: groups [B], include [B * L] (1 = counts), and the running
statistics [G, C] before the call; outputs: y, then the running mean and variance after it."""
import torch
import torch.nn.functional as F


def group_batch_norm(x, groups, include, rm, rv, group_count, training, momentum, eps):
    b, c = x.shape[0], x.shape[-1]
    l = x.shape[1] if x.dim() == 3 else 1
    flat = x.reshape(b * l, c)
    row_group = groups.long().repeat_interleave(l)
    inc = include.bool()
    y = torch.zeros_like(flat)
    for g in range(group_count):
        rows = (row_group == g).nonzero().flatten()
        if len(rows) == 0:
            continue
        ins, outs = rows[inc[rows]], rows[~inc[rows]]
        if training and len(ins) >= 2:
            xs = flat[ins]
            if rm is not None:
                rmg, rvg = rm[g].clone(), rv[g].clone()
                y = y.index_put((ins,), F.batch_norm(xs, rmg, rvg, training=True, momentum=momentum, eps=eps))
                rm[g], rv[g] = rmg, rvg
            else:
                y = y.index_put((ins,), F.batch_norm(xs, None, None, training=True, eps=eps))
            mean, var = xs.mean(0), xs.var(0, unbiased=False)
            y = y.index_put((outs,), (flat[outs] - mean) / torch.sqrt(var + eps))
        elif rm is not None:
            y = y.index_put((rows,), (flat[rows] - rm[g]) / torch.sqrt(rv[g] + eps))
        else:
            y = y.index_put((rows,), flat[rows])
    return y.reshape(x.shape)


def mask_from_lengths(lengths, l):
    return torch.tensor([[1.0 if t < n else 0.0 for t in range(l)] for n in lengths]).flatten()


def build(g):
    def with_stats(group_count, training, momentum, eps):
        def f(x, groups, include, rm, rv):
            rm, rv = rm.clone(), rv.clone()  # aux are recorded after the call: keep them unmodified
            y = group_batch_norm(x, groups, include, rm, rv, group_count, training, momentum, eps)
            return y, rm, rv
        return f

    # [B, C], no mask; group 2 has one row, so it uses (and keeps) its running statistics.
    groups = torch.tensor([0, 1, 1, 0, 2, 0, 1, 0, 1, 0], dtype=torch.float64)
    g.case("gbn.train.2d", with_stats(3, True, 0.1, 1e-5), [g.randn(10, 3) * 2 + 1],
           aux=(groups, torch.ones(10), g.randn(3, 3) * 0.1, g.rand(3, 3, low=0.5, high=1.5)))

    # [B, L, C] with padding at the end of each sample; group 2 has one included row (running statistics), group 3 is
    # absent (running statistics untouched).
    groups = torch.tensor([0, 1, 0, 2, 1, 0], dtype=torch.float64)
    g.case("gbn.train.3d.mask", with_stats(4, True, 0.3, 1e-3), [g.randn(6, 4, 5) * 1.5 - 0.5],
           aux=(groups, mask_from_lengths([4, 2, 3, 1, 4, 3], 4), g.randn(4, 5), g.rand(4, 5, low=0.5, high=2.0)))

    # No running statistics: group 2 has one included row and is copied through; group 0 has exactly two.
    groups = torch.tensor([1, 0, 1, 2, 0], dtype=torch.float64)
    g.case("gbn.train.3d.nostats",
           lambda x, groups, include: group_batch_norm(x, groups, include, None, None, 3, True, 0.1, 1e-5),
           [g.randn(5, 3, 4) + 2], aux=(groups, mask_from_lengths([3, 1, 2, 1, 1], 3)))

    # Evaluation: every group on its running statistics, the mask changes nothing.
    groups = torch.tensor([2, 0, 1, 2], dtype=torch.float64)
    g.case("gbn.eval.3d", with_stats(3, False, 0.1, 1e-5), [g.randn(4, 3, 6)],
           aux=(groups, mask_from_lengths([3, 1, 2, 3], 3), g.randn(3, 6), g.rand(3, 6, low=0.5, high=2.0)))
