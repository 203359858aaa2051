#!/usr/bin/env python3
"""How far HAMUR's generated cores in training mode are from the ones evaluation uses.

Domain-only hypernetwork (HamurHistory.None): every row of the hypernetwork's first BatchNorm1d holds one of the domains' embeddings, so in
training the batch statistics depend on the batch's domain mix, and evaluation uses the running statistics instead.
This script reads a checkpoint's weights (safetensors, no PyTorch needed: numpy only), rebuilds the hypernetwork
(Linear, BatchNorm1d, ReLU, then the output Linear; one hidden layer, as HAMUR's default) and prints, per domain,
|Z_train - Z_eval| / |Z_eval| for a batch whose share of each domain is the given one, plus and minus one binomial
standard deviation at the given batch size.

    /usr/bin/python3 samples/MultiDomain/tools/hamur_core_gap.py runs/md-bt-all/hamur-seed3/best.safetensors --share 0.535 --batch 256

--share is the share of domain 0 in the training data (Beauty + Toys: 22,363 of 41,775 users = 0.535); with more than
two domains pass one share per domain (comma-separated).

Hypernetwork that also reads the history (HamurHistory.Mean, trained with --positions last): its input is the domain
embedding and the mean item embedding of each training prefix, so the batch statistics follow which prefixes a batch
holds. Pass the data files, one per domain in the sample's order; the script rebuilds the training prefixes (the last
position of every prefix of each user's training part, window --max-len, item embeddings from the checkpoint) and
prints the mean gap over shuffled batches and over batches grouped by length (pools of --pool batches sorted by
length, as TrainerOptions.GroupByLength):

    /usr/bin/python3 samples/MultiDomain/tools/hamur_core_gap.py runs/md-bt-warm-last/hamur-seed1/best.safetensors \
        --data ../shared/datasets/Beauty.txt --data ../shared/datasets/Toys_and_Games.txt
"""
import argparse
import json
import os
import struct

import numpy as np


def read_safetensors(path, prefix):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        base = 8 + n
        out = {}
        for key, meta in header.items():
            if not key.startswith(prefix):
                continue
            start, end = meta["data_offsets"]
            f.seek(base + start)
            dtype = {"F32": np.float32, "I64": np.int64}[meta["dtype"]]
            out[key[len(prefix):]] = np.frombuffer(f.read(end - start), dtype=dtype).reshape(meta["shape"]).astype(np.float64)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint", help="a HAMUR checkpoint's .safetensors (best or last)")
    ap.add_argument("--share", help="domain-only input: share of each domain in training, comma-separated (two domains: domain 0's share alone)")
    ap.add_argument("--data", action="append", help="history input: a data file (user item item ...), one per domain, in order")
    ap.add_argument("--max-len", type=int, default=50, help="history input: the window (the sample's default on files, 50)")
    ap.add_argument("--pool", type=int, default=50, help="history input: batches per length-sorted pool (SequenceBatchOptions.LengthGroupPool)")
    ap.add_argument("--batches", type=int, default=200, help="history input: batches to average over, each way")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--eps", type=float, default=1e-5, help="the BatchNorm eps (HAMUR's default 1e-5)")
    args = ap.parse_args()

    w = read_safetensors(args.checkpoint, "generator.")
    if "hidden.1.weight" in w:
        raise SystemExit("hamur_core_gap.py: only one hidden layer is supported (HAMUR's default hidden sizes [64]).")
    if "hidden.0.weight" not in w:
        raise SystemExit(f"hamur_core_gap.py: {args.checkpoint} holds no HAMUR hypernetwork (no generator.hidden.0.weight).")
    emb = w["domain_embedding.weight"]
    if "hidden_norms.0.weight" not in w:
        print(f"{args.checkpoint}: no batch norm in the hypernetwork (HamurHiddenNorm.None), so training and evaluation "
              "generate the same cores: |Z_train - Z_eval| = 0.")
        return
    if w["hidden.0.weight"].shape[1] != emb.shape[1]:
        history_gaps(args, w)
        return
    if args.share is None:
        raise SystemExit("hamur_core_gap.py: the hypernetwork reads the domain alone; give --share.")
    domains = emb.shape[0]
    shares = [float(s) for s in args.share.split(",")]
    if domains == 2 and len(shares) == 1:
        shares = [shares[0], 1 - shares[0]]
    if len(shares) != domains or abs(sum(shares) - 1) > 1e-6:
        raise SystemExit(f"hamur_core_gap.py: --share must give {domains} shares summing to 1 (or domain 0's share when there are 2).")

    h = emb @ w["hidden.0.weight"].T + w["hidden.0.bias"]  # [D, hidden]
    gamma, beta = w["hidden_norms.0.weight"], w["hidden_norms.0.bias"]
    rmean, rvar = w["hidden_norms.0.running_mean"], w["hidden_norms.0.running_var"]

    def core(normalised):
        return np.maximum(gamma * normalised + beta, 0) @ w["output.weight"].T + w["output.bias"]

    z_eval = [core((h[d] - rmean) / np.sqrt(rvar + args.eps)) for d in range(domains)]

    def gaps(p):
        mean = sum(p[d] * h[d] for d in range(domains))
        var = sum(p[d] * (h[d] - mean) ** 2 for d in range(domains))
        return [np.linalg.norm(core((h[d] - mean) / np.sqrt(var + args.eps)) - z_eval[d]) / np.linalg.norm(z_eval[d]) for d in range(domains)]

    sd = np.sqrt(shares[0] * (1 - shares[0]) / args.batch)
    mean_p = sum(shares[d] * h[d] for d in range(domains))
    batch_var = sum(shares[d] * (h[d] - mean_p) ** 2 for d in range(domains))
    ratio = rvar / batch_var
    print(f"{args.checkpoint}: {domains} domains, hidden {h.shape[1]}, batch {args.batch}")
    print(f"running_var / batch variance at the given shares, 10th/50th/90th percentile over units: "
          + " / ".join(f"{x:.2f}" for x in np.percentile(ratio, [10, 50, 90])))
    print("evaluation cores apart: |Z_0 - Z_1| / |Z_0| = %.2f" % (np.linalg.norm(z_eval[0] - z_eval[1]) / np.linalg.norm(z_eval[0])))
    for label, delta in (("-1 sd", -sd), ("shares", 0.0), ("+1 sd", sd)):
        p = list(shares)
        p[0] += delta
        p[1] -= delta
        print(f"domain 0 share {p[0]:.3f} ({label}): |Z_train - Z_eval| / |Z_eval| = " + ", ".join(f"domain {d} {g:.2f}" for d, g in enumerate(gaps(p))))


def history_gaps(args, w):
    """The gap for a hypernetwork over [domain embedding, mean item embedding of the history]."""
    if not args.data:
        raise SystemExit("hamur_core_gap.py: the hypernetwork reads the history (HamurHistory.Mean); give the data files, one --data per domain.")
    emb = w["domain_embedding.weight"]
    if len(args.data) != emb.shape[0]:
        raise SystemExit(f"hamur_core_gap.py: the checkpoint has {emb.shape[0]} domains but {len(args.data)} --data files were given.")
    folder = os.path.dirname(os.path.abspath(args.checkpoint))
    with open(os.path.join(folder, "items.json")) as f:
        index = {t: i for i, t in enumerate(json.load(f)["tokens"])}
    items = read_safetensors(args.checkpoint, "backbone.")["item_embedding.weight"]
    domains, means, lengths = [], [], []
    for domain, path in enumerate(args.data):
        name = os.path.splitext(os.path.basename(path))[0]
        with open(path) as f:
            for line_no, line in enumerate(f, 1):
                tokens = line.split()[1:]
                try:
                    ids = [index[f"{name}/{t}"] for t in tokens]
                except KeyError as e:
                    raise SystemExit(f"hamur_core_gap.py: {path}:{line_no}: item {e.args[0]} is not in the checkpoint's items.json (another data set?).")
                train = ids[:-2]  # leave-one-out: the last two are validation and test
                cumulative = np.cumsum(items[train], axis=0) if train else None
                for t in range(1, len(train)):
                    start = max(0, t - args.max_len)
                    total = cumulative[t - 1] - (cumulative[start - 1] if start > 0 else 0)
                    domains.append(domain)
                    means.append(total / (t - start))
                    lengths.append(t - start)
    domains, means, lengths = np.array(domains), np.array(means), np.array(lengths)
    h = np.concatenate([emb[domains], means], axis=1) @ w["hidden.0.weight"].T + w["hidden.0.bias"]
    gamma, beta = w["hidden_norms.0.weight"], w["hidden_norms.0.bias"]
    rmean, rvar = w["hidden_norms.0.running_mean"], w["hidden_norms.0.running_var"]

    def core(x, mean, var):
        return np.maximum(gamma * (x - mean) / np.sqrt(var + args.eps) + beta, 0) @ w["output.weight"].T + w["output.bias"]

    def gap(rows):
        x = h[rows]
        z_train, z_eval = core(x, x.mean(0), x.var(0)), core(x, rmean, rvar)
        return np.linalg.norm(z_train - z_eval, axis=1) / np.linalg.norm(z_eval, axis=1)

    rng = np.random.default_rng(0)
    order = rng.permutation(len(h))
    n = min(args.batches, len(h) // args.batch)
    shuffled = np.concatenate([gap(order[i * args.batch:(i + 1) * args.batch]) for i in range(n)])
    # TrainerOptions.GroupByLength: pools of --pool batches of the shuffled order, each sorted by length (longest first)
    pool_size = args.pool * args.batch
    sorted_order = np.concatenate([pool[np.argsort(-lengths[pool], kind="stable")]
                                   for pool in (order[p:p + pool_size] for p in range(0, len(order), pool_size))])
    batches = [sorted_order[i * args.batch:(i + 1) * args.batch] for i in range(n)]
    grouped = [gap(rows) for rows in batches]
    by_length = [(lengths[rows].mean(), g.mean()) for rows, g in zip(batches, grouped)]
    grouped = np.concatenate(grouped)
    print(f"{args.checkpoint}: hypernetwork over the domain and the mean item embedding of the history; "
          f"{len(h)} training prefixes (window {args.max_len}), batch {args.batch}, {n} batches each way")
    print(f"shuffled batches:          |Z_train - Z_eval| / |Z_eval| mean {shuffled.mean():.2f} (10th/90th percentile "
          f"{np.percentile(shuffled, 10):.2f} / {np.percentile(shuffled, 90):.2f})")
    print(f"batches grouped by length: |Z_train - Z_eval| / |Z_eval| mean {grouped.mean():.2f} (10th/90th percentile "
          f"{np.percentile(grouped, 10):.2f} / {np.percentile(grouped, 90):.2f})")
    for lo, hi in ((1, 1.5), (1.5, 3.5), (3.5, 10.5), (10.5, 30.5), (30.5, args.max_len + 1)):
        sel = [g for m, g in by_length if lo <= m < hi]
        if sel:
            print(f"  grouped batches of mean length {lo:g} to {hi:g}: {np.mean(sel):.2f} ({len(sel)} batches)")


if __name__ == "__main__":
    main()
