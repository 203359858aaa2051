"""PyTorch side of the ParamGen accuracy/speed parity run: SASRec or GRU4Rec trained on a one-line-per-user
file (e.g. ../shared/datasets/Beauty.txt) with the protocol ParamGen uses, so the two can be compared in one
table (benchmarks/parity/run_parity.sh runs both).

Protocol (the same as `paramgen train`/`evaluate`): leave-one-out (valid = second last item, test = last),
inputs = the most recent --max-len items left-padded with 0, cross-entropy over the whole catalogue at every
position, Adam, full ranking of every item with the user's earlier items masked (the target never), NDCG@10
and HR@10; the model with the best validation NDCG@10 is tested; early stopping after --patience epochs
without improvement.

Run with Debian's PyTorch:  /usr/bin/python3 benchmarks/parity/torch_parity.py --data ../shared/datasets/Beauty.txt --model sasrec
Prints one JSON object per epoch (what="epoch") and a final one (what="result").
"""
import argparse, json, math, os, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F


def load_sequences(path):
    users, seqs, ids = [], [], {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            seq = []
            for tok in parts[1:]:
                if tok not in ids:
                    ids[tok] = len(ids) + 1
                seq.append(ids[tok])
            users.append(parts[0])
            seqs.append(seq)
    return seqs, len(ids)


def left_pad(seq, L):
    seq = seq[-L:]
    return [0] * (L - len(seq)) + seq


class SASRec(nn.Module):
    def __init__(s, n_items, d, blocks, heads, ffn, max_len, dropout, norm_first):
        super().__init__()
        s.item = nn.Embedding(n_items + 1, d, padding_idx=0)
        s.pos = nn.Embedding(max_len, d)
        s.ln_in = nn.LayerNorm(d)
        s.drop = nn.Dropout(dropout)
        layer = nn.TransformerEncoderLayer(d, heads, ffn, dropout, activation="gelu", batch_first=True, norm_first=norm_first)
        s.enc = nn.TransformerEncoder(layer, blocks, enable_nested_tensor=False)
        s.ln_out = nn.LayerNorm(d) if norm_first else nn.Identity()
        s.heads = heads
        s.register_buffer("causal", torch.triu(torch.ones(max_len, max_len, dtype=torch.bool), 1))

    def forward(s, seq):                               # [B, L] -> [B, L, d]
        B, L = seq.shape
        x = s.drop(s.ln_in(s.item(seq) + s.pos.weight[:L]))
        # Causal and key-padding masks in one additive mask with a finite large negative (as RecBole does), so
        # the left-padded positions whose every key is padding get a defined (and ignored) output, not NaN.
        blocked = s.causal[:L, :L][None] | (seq == 0)[:, None, :]                     # [B, L, L]
        mask = torch.zeros(B, L, L).masked_fill(blocked, -1e9).repeat_interleave(s.heads, 0)  # [B*heads, L, L]
        x = s.enc(x, mask=mask)
        return s.ln_out(x)

    def item_weight(s):
        return s.item.weight


class GRU4Rec(nn.Module):
    def __init__(s, n_items, d, hidden, layers, dropout):
        super().__init__()
        s.item = nn.Embedding(n_items + 1, d, padding_idx=0)
        s.drop = nn.Dropout(dropout)
        s.gru = nn.GRU(d, hidden, layers, batch_first=True)
        s.out = nn.Linear(hidden, d)

    def forward(s, seq):                               # [B, L] -> [B, L, d]
        y, _ = s.gru(s.drop(s.item(seq)))
        return s.out(y)

    def item_weight(s):
        return s.item.weight


def evaluate(model, seqs, end_offset, L, n_items, batch=512):
    """Full ranking of the item at position len-end_offset given the items before it; earlier items masked."""
    model.eval()
    ndcg = hr = 0.0
    n = 0
    with torch.no_grad():
        for start in range(0, len(seqs), batch):
            chunk = seqs[start:start + batch]
            hist = [s[:len(s) - end_offset] for s in chunk]
            tgt = torch.tensor([s[len(s) - end_offset] for s in chunk])
            x = torch.tensor([left_pad(h, L) for h in hist])
            h = model(x)[:, -1]                        # [B, d]
            scores = h @ model.item_weight().t()       # [B, V+1]
            scores[:, 0] = -float("inf")
            for r, hh in enumerate(hist):
                items = torch.tensor(hh)
                keep = scores[r, tgt[r]].item()
                scores[r, items] = -float("inf")
                scores[r, tgt[r]] = keep
            ts = scores.gather(1, tgt[:, None])
            rank = (scores > ts).sum(1)                # items scoring strictly higher
            hit = rank < 10
            hr += hit.sum().item()
            ndcg += (hit.float() / torch.log2(rank.float() + 2)).sum().item()
            n += len(chunk)
    return ndcg / n, hr / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", choices=["sasrec", "gru4rec"], default="sasrec")
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--ffn", type=int, default=256)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--max-len", type=int, default=50)
    ap.add_argument("--dropout", type=float, default=0.3)
    ap.add_argument("--post-norm", action="store_true")
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--patience", type=int, default=5)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--init", choices=["recbole", "normal", "torch"], default="recbole",
                    help="recbole: RecBole's _init_weights of the chosen model (ParamGen's default, BackboneInitialization.RecBole); "
                         "normal: N(0, 0.02) embeddings and linear weights, zero biases, PyTorch's GRU init (the GRU4Rec "
                         "init of this script before 2026-11-22; the same as recbole for SASRec); torch: each layer's default")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--state", help="resume file: written after every epoch, and read at start when it exists, so a "
                                    "long run can stop and go on where it was (the same result as one uninterrupted run)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    seqs, n_items = load_sequences(a.data)
    seqs = [s for s in seqs if len(s) >= 3]
    L = a.max_len
    # Training sequences: everything but the last two items; inputs s[:-1], targets s[1:] at every position.
    train = [s[:-2] for s in seqs if len(s) >= 4]
    X = torch.tensor([left_pad(s[:-1], L) for s in train])
    Y = torch.tensor([left_pad(s[1:], L) for s in train])
    if a.model == "sasrec":
        model = SASRec(n_items, a.dim, a.layers, a.heads, a.ffn, L, a.dropout, not a.post_norm)
    else:
        model = GRU4Rec(n_items, a.dim, a.hidden, a.layers, a.dropout)
    if a.init == "recbole" and a.model == "gru4rec":
        # RecBole's GRU4Rec._init_weights: xavier_normal_ embeddings, xavier_uniform_ GRU weight matrices; the GRU
        # biases and the projection keep PyTorch's defaults (ParamGen's BackboneInitialization.RecBole for Gru4Rec).
        nn.init.xavier_normal_(model.item.weight)
        for k in range(a.layers):
            nn.init.xavier_uniform_(getattr(model.gru, f"weight_ih_l{k}"))
            nn.init.xavier_uniform_(getattr(model.gru, f"weight_hh_l{k}"))
        with torch.no_grad():
            model.item.weight[0].zero_()
    elif a.init in ("recbole", "normal"):
        # N(0, 0.02) for embeddings and linear weights, zero biases, LayerNorm (1, 0): RecBole's SASRec._init_weights.
        # For GRU4Rec (--init normal) the GRU weights keep PyTorch's uniform init.
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.zeros_(m.bias)
            if isinstance(m, nn.MultiheadAttention):
                nn.init.normal_(m.in_proj_weight, 0.0, 0.02)
                nn.init.zeros_(m.in_proj_bias)
        with torch.no_grad():
            model.item.weight[0].zero_()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    best, best_epoch, best_state, since = -1.0, 0, None, 0
    epoch_times, lines, epoch, stopped = [], [], 0, False
    if a.state and os.path.exists(a.state):
        st = torch.load(a.state)
        if st["args"] != vars(a):
            raise SystemExit(f"{a.state} was written by a run with other arguments: {st['args']}")
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        torch.set_rng_state(st["torch_rng"])
        rng.bit_generator.state = st["numpy_rng"]
        best, best_epoch, best_state, since = st["best"], st["best_epoch"], st["best_state"], st["since"]
        epoch_times, lines, epoch, stopped = st["epoch_times"], st["lines"], st["epoch"], st["stopped"]
        for line in lines:                             # the epochs already run, so the output is the whole run's
            print(line, flush=True)
    while not stopped and epoch < a.epochs:
        epoch += 1
        model.train()
        t0 = time.perf_counter()
        perm = torch.from_numpy(rng.permutation(len(train)))
        total, steps = 0.0, 0
        for start in range(0, len(train), a.batch):
            idx = perm[start:start + a.batch]
            h = model(X[idx])                                  # [B, L, d]
            logits = h @ model.item_weight().t()               # [B, L, V+1]
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), Y[idx].reshape(-1), ignore_index=0)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            steps += 1
        train_s = time.perf_counter() - t0
        epoch_times.append(train_s)
        t1 = time.perf_counter()
        v_ndcg, v_hr = evaluate(model, seqs, 2, L, n_items)
        eval_s = time.perf_counter() - t1
        line = json.dumps(dict(what="epoch", engine="torch-" + torch.__version__, model=a.model, epoch=epoch, loss=round(total / steps, 4),
                               valid_ndcg10=round(v_ndcg, 4), valid_hr10=round(v_hr, 4), train_seconds=round(train_s, 2), eval_seconds=round(eval_s, 2)))
        print(line, flush=True)
        lines.append(line)
        if v_ndcg > best:
            best, best_epoch, since = v_ndcg, epoch, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            since += 1
            stopped = since >= a.patience
        if a.state:
            tmp = a.state + ".tmp"
            torch.save(dict(args=vars(a), model=model.state_dict(), opt=opt.state_dict(), torch_rng=torch.get_rng_state(),
                            numpy_rng=rng.bit_generator.state, best=best, best_epoch=best_epoch, best_state=best_state,
                            since=since, epoch_times=epoch_times, epoch=epoch, stopped=stopped, lines=lines), tmp)
            os.replace(tmp, a.state)
    model.load_state_dict(best_state)
    t_ndcg, t_hr = evaluate(model, seqs, 1, L, n_items)
    print(json.dumps(dict(what="result", engine="torch-" + torch.__version__, model=a.model, threads=a.threads, epochs=epoch, best_epoch=best_epoch,
                          best_valid_ndcg10=round(best, 4), test_ndcg10=round(t_ndcg, 4), test_hr10=round(t_hr, 4),
                          median_epoch_seconds=round(float(np.median(epoch_times)), 2))), flush=True)


if __name__ == "__main__":
    main()
