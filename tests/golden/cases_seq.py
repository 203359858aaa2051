"""Golden cases for the sequence ops: attention, GRU, conv1d, padding, pooling, top-k, nearest codeword.

PyTorch 1.13 has no F.scaled_dot_product_attention, so attention is written out as its definition
softmax(q k^T * scale + mask) v. Causal masking is aligned to the bottom right (query i sees keys
j <= i + Lk - Lq), the convention ParamGen documents.
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


def sdpa(q, k, v, mask=None, kpm=None, causal=False, scale=None):
    lq, lk = q.shape[-2], k.shape[-2]
    s = q @ k.transpose(-1, -2) * (scale if scale is not None else 1.0 / math.sqrt(q.shape[-1]))
    if mask is not None:
        s = s + mask
    if causal:
        i = torch.arange(lq)[:, None]
        j = torch.arange(lk)[None, :]
        s = s.masked_fill(j > i + lk - lq, float("-inf"))
    if kpm is not None:
        s = s.masked_fill(kpm.bool().view(kpm.shape[0], *([1] * (q.dim() - 2)), lk), float("-inf"))
    return torch.softmax(s, -1) @ v


def attention_cases(g):
    g.case("attn.plain", sdpa, [g.randn(2, 3, 5, 8), g.randn(2, 3, 5, 8), g.randn(2, 3, 5, 6)])
    g.case("attn.rank3", sdpa, [g.randn(3, 7, 4), g.randn(3, 7, 4), g.randn(3, 7, 5)])
    g.case("attn.causal", lambda q, k, v: sdpa(q, k, v, causal=True), [g.randn(2, 2, 6, 8), g.randn(2, 2, 6, 8), g.randn(2, 2, 6, 8)])
    g.case("attn.causal_rect", lambda q, k, v: sdpa(q, k, v, causal=True), [g.randn(2, 2, 3, 8), g.randn(2, 2, 7, 8), g.randn(2, 2, 7, 8)])
    g.case("attn.rect_scale", lambda q, k, v: sdpa(q, k, v, scale=0.3), [g.randn(2, 2, 4, 8), g.randn(2, 2, 9, 8), g.randn(2, 2, 9, 5)])
    kpm = torch.tensor([[0, 0, 0, 0, 1, 1], [0, 1, 0, 0, 0, 0]], dtype=torch.float64)
    g.case("attn.padding", lambda q, k, v, m: sdpa(q, k, v, kpm=m), [g.randn(2, 3, 6, 4), g.randn(2, 3, 6, 4), g.randn(2, 3, 6, 4)], aux=(kpm,))
    g.case("attn.additive", lambda q, k, v, m: sdpa(q, k, v, mask=m), [g.randn(2, 3, 5, 8), g.randn(2, 3, 5, 8), g.randn(2, 3, 5, 8), g.randn(5, 5)])
    blocked = torch.zeros(2, 1, 1, 5, dtype=torch.float64)
    blocked[0, 0, 0, 0] = float("-inf")
    blocked[1, 0, 0, 3:] = float("-inf")
    g.case("attn.additive_inf", lambda q, k, v, m: sdpa(q, k, v, mask=m), [g.randn(2, 2, 4, 8), g.randn(2, 2, 5, 8), g.randn(2, 2, 5, 8)], aux=(blocked,))
    fully_masked_case(g)


def fully_masked_case(g):
    """Causal attention where batch row 1 pads keys 0 and 1, so its queries 0 and 1 see no key.

    PyTorch returns NaN for those rows (recorded as out0), and NaN would poison every gradient, so the
    gradients come from the same function with those rows zeroed and an upstream gradient that is zero there.
    aux1 marks the rows PyTorch defines.
    """
    name = "attn.fully_masked"
    kpm = torch.tensor([[0, 0, 0, 0, 0], [1, 1, 0, 0, 0]], dtype=torch.float64)
    q, k, v = [g.randn(2, 2, 5, 4).requires_grad_(True) for _ in range(3)]
    raw = sdpa(q, k, v, kpm=kpm, causal=True)
    defined = ~torch.isnan(raw).any(-1)  # [B, H, Lq]
    assert not defined.all() and defined.any()

    lq = lk = 5
    s = q @ k.transpose(-1, -2) / math.sqrt(4)
    s = s.masked_fill(torch.arange(lk)[None, :] > torch.arange(lq)[:, None], float("-inf"))
    s = s.masked_fill(kpm.bool()[:, None, None, :], float("-inf"))
    s = torch.where(defined[..., None], s, torch.zeros_like(s))
    fixed = (torch.softmax(s, -1) * defined[..., None]) @ v
    assert torch.allclose(fixed[defined], raw[defined])
    gout = torch.randn(raw.shape, generator=g.gen, dtype=torch.float64) * defined[..., None]
    grads = torch.autograd.grad((fixed * gout).sum(), [q, k, v])
    for i, x in enumerate((q, k, v)):
        g.put(f"{name}.in{i}", x)
        g.put(f"{name}.grad{i}", grads[i])
    g.put(f"{name}.aux0", kpm)
    g.put(f"{name}.aux1", defined.to(torch.float64))
    g.put(f"{name}.out0", raw)
    g.put(f"{name}.gout0", gout)


def gru_case(g, name, b, l, inp, hid, bias=True, with_h0=True):
    """An nn.GRU(batch_first=True) with its weights set, recorded as a module case (p.*, pgrad.*)."""
    gru = nn.GRU(inp, hid, batch_first=True, bias=bias).double()
    with torch.no_grad():
        for p in gru.parameters():
            p.copy_(g.randn(*p.shape, scale=0.5))
    inputs = [g.randn(b, l, inp)] + ([g.randn(b, hid)] if with_h0 else [])

    def forward(x, h0=None):
        out, hn = gru(x, None if h0 is None else h0[None])
        return out, hn[0]
    g.module_case(name, gru, inputs, forward=forward)


def gru_cases(g):
    gru_case(g, "gru.full", 3, 6, 5, 7)
    gru_case(g, "gru.noh0", 2, 5, 4, 4, with_h0=False)
    gru_case(g, "gru.nobias", 2, 4, 3, 5, bias=False)
    gru_case(g, "gru.len1", 4, 1, 3, 2)


def conv_cases(g):
    g.case("conv.basic", F.conv1d, [g.randn(2, 3, 11), g.randn(4, 3, 3), g.randn(4)])
    g.case("conv.stride_pad", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=2), [g.randn(2, 3, 13), g.randn(5, 3, 4), g.randn(5)])
    g.case("conv.dilation", lambda x, w: F.conv1d(x, w, padding=1, dilation=3), [g.randn(2, 2, 17), g.randn(3, 2, 3)])
    g.case("conv.groups", lambda x, w, b: F.conv1d(x, w, b, groups=2), [g.randn(2, 6, 9), g.randn(4, 3, 2), g.randn(4)])
    g.case("conv.depthwise", lambda x, w, b: F.conv1d(x, w, b, padding=1, stride=3, groups=4), [g.randn(2, 4, 10), g.randn(8, 1, 3), g.randn(8)])
    g.case("conv.k1", F.conv1d, [g.randn(3, 5, 7), g.randn(2, 5, 1)])
    g.case("conv.causal", lambda x, w, b: F.conv1d(F.pad(x, (2 * 2, 0)), w, b, dilation=2), [g.randn(2, 3, 10), g.randn(4, 3, 3), g.randn(4)])
    g.case("conv.causal_k1", lambda x, w: F.conv1d(x, w), [g.randn(2, 3, 6), g.randn(2, 3, 1)])
    g.case("pad1d", lambda x: F.pad(x, (2, 3)), [g.randn(2, 3, 5)])


def pool_cases(g):
    # Distinct values (no ties) so the arg-max, and hence the gradient, is unambiguous.
    x = torch.randperm(2 * 3 * 11, generator=g.gen).double().view(2, 3, 11) / 10
    g.case("maxpool.default", lambda t: F.max_pool1d(t, 3), [x])
    g.case("maxpool.pad", lambda t: F.max_pool1d(t, 3, padding=1), [x])
    g.case("maxpool.overlap", lambda t: F.max_pool1d(t, 4, stride=1, padding=2), [x])
    x2 = torch.randperm(27, generator=g.gen).double().view(3, 9) - 13
    g.case("maxpool.rank2", lambda t: F.max_pool1d(t, 2, stride=2), [x2])
    y = g.randn(2, 3, 11)
    g.case("avgpool.default", lambda t: F.avg_pool1d(t, 3), [y])
    g.case("avgpool.pad", lambda t: F.avg_pool1d(t, 3, padding=1), [y])
    g.case("avgpool.overlap", lambda t: F.avg_pool1d(t, 4, stride=1, padding=2), [y])
    g.case("avgpool.rank2", lambda t: F.avg_pool1d(t, 2, stride=2), [g.randn(3, 9)])


def topk_cases(g):
    def topk(k, dim=-1, largest=True):
        return lambda t: tuple(torch.topk(t, k, dim=dim, largest=largest))
    g.case("topk.largest", topk(5), [g.randn(4, 17)])
    g.case("topk.smallest_dim1", topk(3, dim=1, largest=False), [g.randn(3, 9, 4)])
    g.case("topk.k1_dim0", topk(1, dim=0), [g.randn(6, 5)])
    g.case("topk.all", topk(33), [g.randn(2, 33)])


def codeword_cases(g):
    def nearest(x, c):
        d = ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1)
        idx = d.argmin(1)
        q = c[idx]
        return x + (q - x).detach(), q, idx
    g.case("codeword", nearest, [g.randn(10, 6), g.randn(7, 6)])


def build(g):
    attention_cases(g)
    gru_cases(g)
    conv_cases(g)
    pool_cases(g)
    topk_cases(g)
    codeword_cases(g)
