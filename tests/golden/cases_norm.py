"""Golden cases for layer norm (with and without affine, one or two normalised dims) and batch norm ([N, C] and
[N, C, L]; training with the in-place running-statistics update recorded as extra outputs; evaluation)."""
import torch
import torch.nn.functional as F


def build(g):
    x3 = g.randn(4, 7, 17) * 2 + 0.5
    g.case("ln.affine", lambda x, w, b: F.layer_norm(x, (17,), w, b), [x3, g.randn(17), g.randn(17)])
    g.case("ln.plain", lambda x: F.layer_norm(x, (17,)), [x3])
    g.case("ln.two.dims", lambda x, w, b: F.layer_norm(x, (7, 17), w, b), [x3, g.randn(7, 17), g.randn(7, 17)])
    g.case("ln.weight.only.eps", lambda x, w: F.layer_norm(x, (33,), w, None, 1e-3), [g.randn(5, 33), g.randn(33)])
    g.case("ln.one", lambda x, w, b: F.layer_norm(x, (1,), w, b), [g.randn(3, 1), g.randn(1), g.randn(1)])

    def bn_train(momentum, affine):
        def f(x, *rest):
            if affine:
                w, b, rm, rv = rest
            else:
                w = b = None
                rm, rv = rest
            rm, rv = rm.clone(), rv.clone()  # aux are recorded after the call: keep them unmodified
            y = F.batch_norm(x, rm, rv, w, b, training=True, momentum=momentum)
            return y, rm, rv
        return f

    rm5, rv5 = g.randn(5) * 0.1, g.rand(5, low=0.5, high=1.5)
    g.case("bn.train.2d", bn_train(0.1, True), [g.randn(8, 5) * 3 + 1, g.randn(5), g.randn(5)], aux=(rm5, rv5))
    rm4, rv4 = g.randn(4), g.rand(4, low=0.5, high=2.0)
    g.case("bn.train.3d.plain", bn_train(0.3, False), [g.randn(6, 4, 9) * 2 - 1], aux=(rm4, rv4))
    g.case("bn.train.3d.affine", bn_train(0.1, True), [g.randn(3, 4, 7), g.randn(4), g.randn(4)], aux=(rm4, rv4))
    g.case("bn.train.nostats", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
           [g.randn(7, 3, 5), g.randn(3), g.randn(3)])
    g.case("bn.eval.3d", lambda x, w, b, rm, rv: F.batch_norm(x, rm, rv, w, b, training=False),
           [g.randn(5, 3, 7), g.randn(3), g.randn(3)], aux=(g.randn(3), g.rand(3, low=0.5, high=2.0)))
    g.case("bn.eval.2d.plain", lambda x, rm, rv: F.batch_norm(x, rm, rv, training=False, eps=1e-3),
           [g.randn(6, 5)], aux=(g.randn(5), g.rand(5, low=0.5, high=2.0)))
