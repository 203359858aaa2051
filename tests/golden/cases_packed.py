"""Golden cases for the packed per-sample ops (F.PackedMatMul, F.PackedAddBias): PyTorch slices the packed [N, P]
tensor, gathers the rows samples use (index_select), reshapes each slice to its weight and runs bmm; gradients
flow back into x and into only the sliced columns of packed (summed over samples sharing a row)."""
import torch


def weights(packed, rows, offset, k, n):
    """[B, k, n] per-sample weights: columns [offset, offset + k n) of the rows samples use."""
    sel = packed if rows is None else packed.index_select(0, rows.long())
    return sel[:, offset:offset + k * n].reshape(-1, k, n)


def bias(packed, rows, offset, n):
    sel = packed if rows is None else packed.index_select(0, rows.long())
    return sel[:, offset:offset + n]


def matmul(k, n, w_off, b_off=None):
    def f(x, packed, rows=None):
        seq = x.dim() == 3
        x3 = x if seq else x.unsqueeze(1)
        y = torch.bmm(x3, weights(packed, rows, w_off, k, n))
        if b_off is not None:
            y = y + bias(packed, rows, b_off, n).unsqueeze(1)
        return y if seq else y.squeeze(1)
    return f


def add_bias(n, off):
    def f(x, packed, rows=None):
        b = bias(packed, rows, off, n)
        return x + (b.unsqueeze(1) if x.dim() == 3 else b)
    return f


def build(g):
    # [B, L, k] with a fused bias; weight block not at column 0 and padding columns around it.
    g.case("mm.seq.bias", matmul(5, 3, 2, b_off=19), [g.randn(3, 4, 5), g.randn(3, 24)])
    # [B, k] without bias.
    g.case("mm.vec", matmul(6, 4, 1), [g.randn(4, 6), g.randn(4, 26)])
    # A row per group: 5 samples over 2 rows (rows shared, one row used by three samples).
    rows = torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0])
    g.case("mm.rows.bias", matmul(4, 3, 3, b_off=0), [g.randn(5, 2, 4), g.randn(2, 16)], aux=(rows,))
    g.case("mm.rows.vec", matmul(4, 3, 3), [g.randn(5, 4), g.randn(2, 16)], aux=(rows,))
    # Shapes of the adapters: [B, L, d] x [d, r], then [B, L, r] x [r, d].
    g.case("mm.adapter", matmul(8, 4, 4, b_off=0), [g.randn(2, 7, 8), g.randn(2, 40)])
    g.case("bias.seq", add_bias(5, 2), [g.randn(3, 4, 5), g.randn(3, 9)])
    g.case("bias.rows.vec", add_bias(5, 1), [g.randn(5, 5), g.randn(2, 7)], aux=(rows,))
