"""Golden cases for the losses: fused cross-entropy (ignore index, label smoothing, every reduction, classes last
over [*, C]), NLL, BCE with logits (weight, pos_weight), MSE and KL divergence (batchmean, log_target)."""
import torch
import torch.nn.functional as F


def targets(g, n, classes, ignore=None, ignore_every=3):
    t = torch.randint(0, classes, (n,), generator=g.gen).to(torch.float64)
    if ignore is not None:
        t[::ignore_every] = ignore
    return t


def build(g):
    def ce(**kw):
        return lambda x, t: F.cross_entropy(x, t.long(), **kw)

    x = g.randn(7, 11) * 2
    t_ign = targets(g, 7, 11, ignore=-100)
    t_all = targets(g, 7, 11)
    g.case("ce.mean", ce(), [x], aux=(t_all,))
    g.case("ce.mean.ignore", ce(), [x], aux=(t_ign,))
    g.case("ce.sum.ignore", ce(reduction="sum"), [x], aux=(t_ign,))
    g.case("ce.none.ignore", ce(reduction="none"), [x], aux=(t_ign,))
    g.case("ce.smooth.mean.ignore", ce(label_smoothing=0.1), [x], aux=(t_ign,))
    g.case("ce.smooth.sum", ce(label_smoothing=0.25, reduction="sum"), [x], aux=(t_all,))
    g.case("ce.smooth.none.ignore", ce(label_smoothing=0.3, reduction="none"), [x], aux=(t_ign,))
    # ignore_index inside [0, C): a padding id.
    t_pad = targets(g, 7, 11)
    t_pad[1] = t_pad[4] = 0
    g.case("ce.ignore0", ce(ignore_index=0), [x], aux=(t_pad,))
    g.case("ce.large", ce(), [g.randn(5, 13) * 60], aux=(targets(g, 5, 13),))
    g.case("ce.wide", ce(label_smoothing=0.05), [g.randn(4, 1000)], aux=(targets(g, 4, 1000),))
    # [B, L, C] logits with [B, L] targets: PyTorch wants classes at dim 1, ParamGen keeps them last.
    t_bl = targets(g, 6, 9, ignore=-100, ignore_every=4).reshape(2, 3)
    g.case("ce.nd.none", lambda x, t: F.cross_entropy(x.permute(0, 2, 1), t.long(), reduction="none", label_smoothing=0.1),
           [g.randn(2, 3, 9)], aux=(t_bl,))
    g.case("ce.nd.mean", lambda x, t: F.cross_entropy(x.permute(0, 2, 1), t.long()), [g.randn(2, 3, 9)], aux=(t_bl,))
    g.case("ce.unbatched", lambda x, t: F.cross_entropy(x, t.long()), [g.randn(8)], aux=(torch.tensor(5.0),))

    lp = F.log_softmax(g.randn(7, 11), -1)
    g.case("nll.mean.ignore", lambda x, t: F.nll_loss(x, t.long()), [lp], aux=(t_ign,))
    g.case("nll.sum", lambda x, t: F.nll_loss(x, t.long(), reduction="sum"), [lp], aux=(t_all,))
    g.case("nll.none.ignore", lambda x, t: F.nll_loss(x, t.long(), reduction="none"), [lp], aux=(t_ign,))

    # BCE with logits: soft and hard targets (differentiable), weights as constants (PyTorch has no weight gradient).
    bx = g.randn(5, 7) * 3
    soft = g.rand(5, 7)
    hard = (g.rand(5, 7) > 0.5).to(torch.float64)
    w_full = g.rand(5, 7, low=0.5, high=2.0)
    w_row = g.rand(7, low=0.5, high=2.0)
    pw = g.rand(7, low=0.5, high=4.0)
    bce = F.binary_cross_entropy_with_logits
    g.case("bce.mean", lambda x, t: bce(x, t), [bx, soft])
    g.case("bce.sum.hard", lambda x, t: bce(x, t, reduction="sum"), [bx, hard])
    g.case("bce.none", lambda x, t: bce(x, t, reduction="none"), [bx, soft])
    g.case("bce.weight", lambda x, t, w: bce(x, t, weight=w), [bx, soft], aux=(w_full,))
    g.case("bce.weight.bcast", lambda x, t, w: bce(x, t, weight=w, reduction="sum"), [bx, soft], aux=(w_row,))
    g.case("bce.posweight", lambda x, t, p: bce(x, t, pos_weight=p), [bx, soft], aux=(pw,))
    g.case("bce.both.none", lambda x, t, w, p: bce(x, t, weight=w, pos_weight=p, reduction="none"), [bx, hard], aux=(w_row, pw))
    g.case("bce.large", lambda x, t: bce(x, t), [g.randn(3, 6) * 80, g.rand(3, 6)])

    mx, my = g.randn(4, 17), g.randn(4, 17)
    g.case("mse.mean", F.mse_loss, [mx, my])
    g.case("mse.sum", lambda x, y: F.mse_loss(x, y, reduction="sum"), [mx, my])
    g.case("mse.none", lambda x, y: F.mse_loss(x, y, reduction="none"), [mx, my])

    kin = F.log_softmax(g.randn(4, 9), -1)
    kt = F.softmax(g.randn(4, 9), -1)
    g.case("kl.batchmean", lambda x, t: F.kl_div(x, t, reduction="batchmean"), [kin, kt])
    g.case("kl.mean", lambda x, t: F.kl_div(x, t, reduction="mean"), [kin, kt])
    g.case("kl.sum", lambda x, t: F.kl_div(x, t, reduction="sum"), [kin, kt])
    g.case("kl.none", lambda x, t: F.kl_div(x, t, reduction="none"), [kin, kt])
    g.case("kl.batchmean.logtarget", lambda x, t: F.kl_div(x, t, reduction="batchmean", log_target=True), [kin, kt.log()])
    g.case("kl.none.logtarget", lambda x, t: F.kl_div(x, t, reduction="none", log_target=True), [kin, kt.log()])
