#!/usr/bin/env python3
"""How far HAMUR's generated cores in training mode are from the ones evaluation uses, for a domain-only hypernetwork.

With HamurHistory.None every row of the hypernetwork's first BatchNorm1d holds one of the domains' embeddings, so in
training the batch statistics depend on the batch's domain mix, and evaluation uses the running statistics instead.
This script reads a checkpoint's weights (safetensors, no PyTorch needed: numpy only), rebuilds the hypernetwork
(Linear, BatchNorm1d, ReLU, then the output Linear; one hidden layer, as HAMUR's default) and prints, per domain,
|Z_train - Z_eval| / |Z_eval| for a batch whose share of each domain is the given one, plus and minus one binomial
standard deviation at the given batch size.

    /usr/bin/python3 samples/MultiDomain/tools/hamur_core_gap.py runs/md-bt-all/hamur-seed3/best.safetensors --share 0.535 --batch 256

--share is the share of domain 0 in the training data (Beauty + Toys: 22,363 of 41,775 users = 0.535); with more than
two domains pass one share per domain (comma-separated).
"""
import argparse
import json
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
    ap.add_argument("--share", required=True, help="share of each domain in training, comma-separated (two domains: domain 0's share alone)")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--eps", type=float, default=1e-5, help="the BatchNorm eps (HAMUR's default 1e-5)")
    args = ap.parse_args()

    w = read_safetensors(args.checkpoint, "generator.")
    if "hidden.1.weight" in w:
        raise SystemExit("hamur_core_gap.py: only one hidden layer is supported (HAMUR's default hidden sizes [64]).")
    if "hidden.0.weight" not in w:
        raise SystemExit(f"hamur_core_gap.py: {args.checkpoint} holds no HAMUR hypernetwork (no generator.hidden.0.weight).")
    emb = w["domain_embedding.weight"]
    if w["hidden.0.weight"].shape[1] != emb.shape[1]:
        raise SystemExit("hamur_core_gap.py: the hypernetwork reads more than the domain (HamurHistory.Mean); this check is for the domain-only input.")
    if "hidden_norms.0.weight" not in w:
        print(f"{args.checkpoint}: no batch norm in the hypernetwork (HamurHiddenNorm.None, the default for the domain-only "
              "input), so training and evaluation generate the same cores: |Z_train - Z_eval| = 0.")
        return
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


if __name__ == "__main__":
    main()
