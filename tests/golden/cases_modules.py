"""Golden cases for the nn modules: each records a PyTorch module's state (C.p.*, C.b.*), its outputs, and every
input and parameter gradient; the C# tests load the state with LoadStateDict (which also proves the keys match)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def randomize(module, g, scale=0.3):
    """Replaces every parameter with random float32-representable values (so zero default biases and unit
    norm weights do not hide mistakes); norm weights stay near 1."""
    with torch.no_grad():
        for m in module.modules():
            is_norm = isinstance(m, (nn.LayerNorm, nn.BatchNorm1d))
            for name, p in m.named_parameters(recurse=False):
                r = g.randn(*p.shape, scale=scale).to(torch.float32)
                p.copy_(1.0 + r if is_norm and name == "weight" else r)
    return module


def causal_mask(n):
    return torch.triu(torch.full((n, n), float("-inf"), dtype=torch.float64), diagonal=1)


def padding_mask(lengths, n):
    """Boolean [B, n] mask, True at positions >= length (PyTorch's key_padding_mask convention)."""
    return torch.arange(n)[None, :] >= torch.tensor(lengths)[:, None]


def build(g):
    torch.manual_seed(0)
    B, L, d, heads, ff = 3, 5, 8, 2, 16
    mask = causal_mask(L)
    kpm = padding_mask([5, 3, 4], L)

    # Transformer encoder layers, post-norm (gelu) and pre-norm (relu), with a causal mask and key padding.
    post = randomize(nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation="gelu", batch_first=True, norm_first=False), g)
    g.module_case("transformer.post", post, [g.randn(B, L, d)],
                  forward=lambda x, m, p: post(x, src_mask=m, src_key_padding_mask=p), aux=(mask, kpm))
    pre = randomize(nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation="relu", batch_first=True, norm_first=True), g)
    g.module_case("transformer.pre", pre, [g.randn(B, L, d)],
                  forward=lambda x, m, p: pre(x, src_mask=m, src_key_padding_mask=p), aux=(mask, kpm))

    # Multi-head attention: self-attention with key padding (packed projection), and cross-attention with a
    # per-head additive [B*heads, Lq, Lk] mask (separate projections).
    mha = randomize(nn.MultiheadAttention(d, heads, batch_first=True), g)
    g.module_case("mha.self", mha, [g.randn(B, L, d)],
                  forward=lambda x, p: mha(x, x, x, key_padding_mask=p, need_weights=False)[0], aux=(kpm,))
    cross = randomize(nn.MultiheadAttention(d, heads, batch_first=True), g)
    g.module_case("mha.cross", cross, [g.randn(2, 3, d), g.randn(2, 6, d), g.randn(2, 6, d)],
                  forward=lambda q, k, v, m: cross(q, k, v, attn_mask=m, need_weights=False)[0], aux=(g.randn(2 * heads, 3, 6, scale=0.5),))

    # Two-layer GRU with an initial state.
    gru = randomize(nn.GRU(5, 7, num_layers=2, batch_first=True), g, scale=0.4)
    g.module_case("gru.2layer", gru, [g.randn(3, 4, 5), g.randn(2, 3, 7, scale=0.5)])

    # Causal dilated convolution (left pad (K-1)*dilation), and a strided, padded, grouped one.
    conv = randomize(nn.Conv1d(4, 6, 3, dilation=2), g)
    g.module_case("conv.causal", conv, [g.randn(2, 4, 9)], forward=lambda x: conv(F.pad(x, (4, 0))))
    grouped = randomize(nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2), g)
    g.module_case("conv.grouped", grouped, [g.randn(2, 4, 9)])

    # Batch norm: one training step from non-default running statistics (the updated buffers are recorded as
    # C.post.*), and evaluation with the running statistics.
    bn = randomize(nn.BatchNorm1d(4), g)
    with torch.no_grad():
        bn.running_mean.copy_(g.randn(4, scale=0.5))
        bn.running_var.copy_(g.rand(4, low=0.5, high=2.0))
        bn.num_batches_tracked.fill_(3)
    bn.train()
    g.module_case("batchnorm.train", bn, [g.randn(5, 4, 3)])
    for name, b in bn.named_buffers():
        g.put(f"batchnorm.train.post.{name}", b)
    bn_eval = randomize(nn.BatchNorm1d(4), g)
    with torch.no_grad():
        bn_eval.running_mean.copy_(g.randn(4, scale=0.5))
        bn_eval.running_var.copy_(g.rand(4, low=0.5, high=2.0))
    bn_eval.eval()
    g.module_case("batchnorm.eval", bn_eval, [g.randn(6, 4)])

    # Embedding with a padding row: indices include the padding index, so its gradient row must stay zero.
    emb = nn.Embedding(10, 4, padding_idx=0)
    idx = torch.tensor([[1, 0, 3, 3, 9], [0, 0, 2, 5, 7], [4, 6, 8, 1, 0]])
    g.module_case("embedding.pad", emb, [], forward=lambda i: emb(i), aux=(idx,))

    # Layer norm, Linear and a Sequential (keys 0.*, 2.*).
    ln = randomize(nn.LayerNorm(d), g)
    g.module_case("layernorm", ln, [g.randn(B, L, d)])
    lin = randomize(nn.Linear(6, 5), g)
    g.module_case("linear", lin, [g.randn(2, 3, 6)])
    seq = randomize(nn.Sequential(nn.Linear(6, 8), nn.GELU(), nn.Linear(8, 3)), g)
    g.module_case("sequential", seq, [g.randn(4, 6)])
