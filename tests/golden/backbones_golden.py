"""Golden values for the SASRec and GRU4Rec backbones (tests/ParamGen.Tests/Backbones), with PyTorch as the oracle.

Run with Debian's python3-torch (never needed by CI; the output is committed):
    /usr/bin/python3 tests/golden/backbones_golden.py

Each case builds the PyTorch model the ParamGen backbone mirrors, with ParamGen's state-dict key names, in float64,
and stores (as float32) its weights `C.p.<key>`, the ids `C.ids` (left-padded), the next-item targets `C.targets`,
the final states `C.out` [B, L, d], the all-position cross-entropy `C.loss` (ignore index 0) and every parameter's
gradient `C.grad.<key>`. Dropout is 0, so the models are deterministic.

Key padding: ParamGen blocks padding keys and gives a padding query (which then sees no key) a zero attention output,
where PyTorch gives NaN. The reference therefore lets a padding query see itself; real queries never see padding keys,
so real positions, the loss and the gradients are the same. Only real positions of `C.out` are compared.
"""
import os, sys
import torch, torch.nn as nn, torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import save_safetensors

OUT = os.path.join(HERE, "..", "ParamGen.Tests", "Backbones", "Golden", "backbones.safetensors")
torch.set_default_dtype(torch.float64)


class SASRec(nn.Module):
    def __init__(s, n_items, d, blocks, heads, ff, max_len, pre_norm, scale):
        super().__init__()
        s.max_len, s.pre_norm, s.scale, s.heads = max_len, pre_norm, scale, heads
        s.item_embedding = nn.Embedding(n_items + 1, d, padding_idx=0)
        s.position_embedding = nn.Embedding(max_len, d)
        s.input_norm = nn.LayerNorm(d)
        s.blocks = nn.ModuleList([nn.TransformerEncoderLayer(d, heads, ff, 0.0, activation="gelu", batch_first=True,
                                                             norm_first=pre_norm) for _ in range(blocks)])
        if pre_norm:
            s.final_norm = nn.LayerNorm(d)

    def forward(s, ids):
        B, L = ids.shape
        x = s.item_embedding(ids) * (s.item_embedding.embedding_dim ** 0.5 if s.scale else 1.0)
        x = s.input_norm(x + s.position_embedding.weight[s.max_len - L:])  # positions aligned to the right
        pad = ids == 0
        blocked = torch.triu(torch.ones(L, L, dtype=torch.bool), 1)[None] | pad[:, None, :]   # [B, L, L]
        blocked = blocked & ~torch.eye(L, dtype=torch.bool)[None]                              # a query may see itself
        mask = torch.zeros(B, L, L).masked_fill(blocked, float("-inf")).repeat_interleave(s.heads, 0)
        for blk in s.blocks:
            x = blk(x, src_mask=mask)
        return s.final_norm(x) if s.pre_norm else x


class GRU4Rec(nn.Module):
    def __init__(s, n_items, d, hidden, layers):
        super().__init__()
        s.item_embedding = nn.Embedding(n_items + 1, d, padding_idx=0)
        s.gru = nn.GRU(d, hidden, layers, batch_first=True)
        s.projection = nn.Linear(hidden, d)

    def forward(s, ids):
        return s.projection(s.gru(s.item_embedding(ids))[0])


def batch(n_items, lengths, L, gen):
    ids = torch.zeros(len(lengths), L, dtype=torch.long)
    targets = torch.zeros(len(lengths), L, dtype=torch.long)
    for b, n in enumerate(lengths):
        seq = torch.randint(1, n_items + 1, (n + 1,), generator=gen)
        ids[b, L - n:] = seq[:-1]
        targets[b, L - n:] = seq[1:]
    return ids, targets


def record(out, name, model, ids, targets):
    for p in model.parameters():
        p.data.normal_(0, 0.3, generator=GEN)   # away from the default init, so every weight matters
    model.item_embedding.weight.data[0] = 0
    model.train()                                # dropout is 0; train mode keeps PyTorch off its fast path
    states = model(ids)
    logits = states @ model.item_embedding.weight.t()
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=0)
    loss.backward()
    for k, v in model.state_dict().items():
        out[f"{name}.p.{k}"] = v.float()
    for k, p in model.named_parameters():
        out[f"{name}.grad.{k}"] = p.grad.float()
    out[f"{name}.ids"] = ids.float()
    out[f"{name}.targets"] = targets.float()
    out[f"{name}.out"] = torch.nan_to_num(states.detach()).float()
    out[f"{name}.loss"] = loss.detach().reshape(1).float()


GEN = torch.Generator().manual_seed(2024)


def main():
    out = {}
    n, L = 30, 7
    ids, targets = batch(n, [7, 3, 1, 5], L, GEN)
    record(out, "sasrec_pre", SASRec(n, 16, 2, 2, 32, 8, pre_norm=True, scale=False), ids, targets)
    record(out, "sasrec_post", SASRec(n, 16, 2, 2, 32, 8, pre_norm=False, scale=True), ids, targets)
    record(out, "gru4rec", GRU4Rec(n, 16, 24, 2), ids, targets)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    save_safetensors(OUT, out)
    print(f"{len(out)} tensors -> {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
