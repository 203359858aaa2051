"""Prints the parity table from a `paramgen train --json` result and a torch_parity.py JSON-lines log."""
import json, statistics, sys

pg = json.load(open(sys.argv[1]))
torch_lines = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
t = [l for l in torch_lines if l["what"] == "result"][-1]
pg_epoch = pg["medianEpochSeconds"]
rows = [
    ("ParamGen", pg["model"], pg["test"]["metrics"]["NDCG@10"], pg["test"]["metrics"]["HR@10"], pg["bestScore"], pg["bestEpoch"], len(pg["epochs"]), pg_epoch),
    (t["engine"], t["model"], t["test_ndcg10"], t["test_hr10"], t["best_valid_ndcg10"], t["best_epoch"], t["epochs"], t["median_epoch_seconds"]),
]
print("| engine | model | test NDCG@10 | test HR@10 | best valid NDCG@10 | best epoch | epochs run | median epoch s |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r[0]} | {r[1]} | {r[2]:.4f} | {r[3]:.4f} | {r[4]:.4f} | {r[5]} | {r[6]} | {r[7]:.1f} |")
print(f"\nNDCG@10 ratio (ParamGen / PyTorch): {rows[0][2] / rows[1][2]:.3f}; epoch-time ratio: {rows[0][7] / rows[1][7]:.3f}")
