"""PyTorch side of the ParamGen comparison: the same workloads and shapes as Workloads.cs and
GemmShapeWorkloads.cs, the same FLOP counts, the same timing protocol (3 warm-up runs, median of --reps).
Prints one JSON line per workload.
Run by `ParamGen.Benchmarks compare`, which also sets OPENBLAS_NUM_THREADS and OMP_NUM_THREADS to --threads
(OpenBLAS sizes its own thread pool from them, not from torch.set_num_threads). By hand:
  OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 /usr/bin/python3 benchmarks/ParamGen.Benchmarks/torch_bench.py --threads 2
"""
import argparse, json, os, statistics, sys, time


def _pin_threads_before_torch():
    """OpenBLAS and OpenMP read their thread counts when torch is imported: set them from --threads first."""
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[i + 1]
            os.environ["OMP_NUM_THREADS"] = sys.argv[i + 1]


_pin_threads_before_torch()
import torch, torch.nn as nn, torch.nn.functional as F  # noqa: E402


def sgemm(n):
    a, b = torch.randn(n, n), torch.randn(n, n)
    return lambda: a @ b, 2.0 * n ** 3


def gemm(m, k, n, trans_b=False):
    """[m, k] @ [k, n]; with trans_b the weight is stored [n, k] and used as x @ W.t() (what nn.Linear does)."""
    a = torch.randn(m, k)
    if trans_b:
        w = torch.randn(n, k)
        return lambda: a @ w.t(), 2.0 * m * n * k
    b = torch.randn(k, n)
    return lambda: a @ b, 2.0 * m * n * k


def bmm(batch, m, k, n):
    a, b = torch.randn(batch, m, k), torch.randn(batch, k, n)
    return lambda: torch.bmm(a, b), 2.0 * batch * m * n * k


def linear_fwd_bwd(rows, in_f, out_f):
    x = torch.randn(rows, in_f, requires_grad=True)
    w = torch.randn(out_f, in_f, requires_grad=True)
    b = torch.randn(out_f, requires_grad=True)

    def run():
        x.grad = w.grad = b.grad = None
        F.linear(x, w, b).sum().backward()
    return run, 3 * 2.0 * rows * in_f * out_f


def transformer_block():
    B, L, D, H, FFN = 256, 50, 64, 2, 256
    block = nn.TransformerEncoderLayer(D, H, FFN, 0.2, activation="gelu", batch_first=True)
    block.train()
    x = torch.randn(B, L, D, requires_grad=True)
    mask = torch.triu(torch.full((L, L), float("-inf")), 1)

    def run():
        block.zero_grad(set_to_none=True)
        x.grad = None
        block(x, src_mask=mask).sum().backward()
    return run, 0


def gru():
    B, L, IN, H = 256, 50, 64, 128
    g = nn.GRU(IN, H, batch_first=True)
    x = torch.randn(B, L, IN, requires_grad=True)

    def run():
        g.zero_grad(set_to_none=True)
        x.grad = None
        g(x)[0].sum().backward()
    return run, 0


def catalogue_ce():
    P, N, D = 256 * 50, 12101, 64
    h = (torch.randn(P, D) * 0.1).requires_grad_()
    e = (torch.randn(N, D) * 0.1).requires_grad_()
    t = torch.randint(0, N, (P,))

    def run():
        h.grad = None
        e.grad = None
        F.cross_entropy(h @ e.t(), t).backward()
    return run, 3 * 2.0 * P * N * D


def packed_matmul():
    """Per-sample weights sliced from a packed [B, P] tensor: bmm on the view plus a per-sample bias."""
    B, L, D, R = 256, 50, 64, 32
    x = torch.randn(B, L, D, requires_grad=True)
    packed = (torch.randn(B, D * R + R) * 0.1).requires_grad_()

    def run():
        x.grad = None
        packed.grad = None
        (torch.bmm(x, packed[:, :D * R].view(B, D, R)) + packed[:, D * R:].unsqueeze(1)).sum().backward()
    return run, 3 * 2.0 * B * L * D * R


def packed_matmul_rows3():
    """Per-domain weights: three [P] rows chosen per sample by index, gathered, then bmm plus the per-sample bias."""
    B, L, D, R = 256, 50, 64, 32
    x = torch.randn(B, L, D, requires_grad=True)
    packed = (torch.randn(3, D * R + R) * 0.1).requires_grad_()
    rows = torch.tensor([i * 7 % 3 for i in range(B)])

    def run():
        x.grad = None
        packed.grad = None
        w = packed[rows]
        (torch.bmm(x, w[:, :D * R].view(B, D, R)) + w[:, D * R:].unsqueeze(1)).sum().backward()
    return run, 3 * 2.0 * B * L * D * R


def linear_64x32():
    B, L, D, R = 256, 50, 64, 32
    x = torch.randn(B, L, D, requires_grad=True)
    w = (torch.randn(R, D) * 0.1).requires_grad_()
    b = torch.zeros(R, requires_grad=True)

    def run():
        x.grad = w.grad = b.grad = None
        F.linear(x, w, b).sum().backward()
    return run, 3 * 2.0 * B * L * D * R


def topk():
    scores = torch.randn(256, 12101)

    def run():
        with torch.no_grad():
            torch.topk(scores, 10)
    return run, 256.0 * 12101


WORKLOADS = {
    "topk_256x12101_k10": topk,
    "sgemm_256": lambda: sgemm(256), "sgemm_512": lambda: sgemm(512), "sgemm_1024": lambda: sgemm(1024),
    "transformer_block_fwd_bwd": transformer_block, "gru_fwd_bwd": gru, "catalogue_ce_fwd_bwd": catalogue_ce,
    "packed_matmul_fwd_bwd": packed_matmul, "packed_matmul_rows3_fwd_bwd": packed_matmul_rows3, "linear_64x32_fwd_bwd": linear_64x32,
    # The GEMM shapes the models run (GemmShapeWorkloads.cs).
    "gemm_12800x64x192": lambda: gemm(12800, 64, 192), "gemm_12800x256x64": lambda: gemm(12800, 256, 64),
    "gemm_12800x64x192_nt": lambda: gemm(12800, 64, 192, trans_b=True),
    "bmm_512x50x32x50": lambda: bmm(512, 50, 32, 50),
    "gemm_1x64x3416": lambda: gemm(1, 64, 3416), "gemm_1x64x3416_nt": lambda: gemm(1, 64, 3416, trans_b=True),
    "linear_12800x64x192_fwd_bwd": lambda: linear_fwd_bwd(12800, 64, 192),
}


def peak_rss_mb():
    """Peak resident set of this process image (VmHWM), as .NET's PeakWorkingSet64 reads it. Unlike
    getrusage's ru_maxrss it is not inherited from the parent process."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def bench(fn, warm=3, reps=15):
    for _ in range(warm):
        fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1e3)
    return statistics.median(ts)


# Whole models (BackboneWorkloads.cs): SASRec and GRU4Rec as ParamGen builds them (benchmarks/parity/torch_parity.py),
# on 256 x 50 random item ids without padding, as ../shared/reference/torch_speed.py.
BB_B, BB_L, BB_TRAIN_ITEMS, BB_SERVE_ITEMS, BB_K = 256, 50, 3416, 12101, 10


class BenchSASRec(nn.Module):
    """Pre-norm SASRec: input LayerNorm + dropout, learned positions, final LayerNorm, tied item embeddings. With no
    padding in the inputs, PyTorch needs only the causal mask (ParamGen also builds a key-padding mask)."""
    def __init__(s, n_items, d=64, blocks=2, heads=2, ffn=256, max_len=50, dropout=0.2):
        super().__init__()
        s.item = nn.Embedding(n_items + 1, d, padding_idx=0)
        s.pos = nn.Embedding(max_len, d)
        s.ln_in, s.drop = nn.LayerNorm(d), nn.Dropout(dropout)
        layer = nn.TransformerEncoderLayer(d, heads, ffn, dropout, activation="gelu", batch_first=True, norm_first=True)
        s.enc = nn.TransformerEncoder(layer, blocks, enable_nested_tensor=False)
        s.ln_out = nn.LayerNorm(d)
        s.register_buffer("mask", torch.triu(torch.full((max_len, max_len), float("-inf")), 1))
        for m in s.modules():                      # RecBole init, as ParamGen's default
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.zeros_(m.bias)
            if isinstance(m, nn.MultiheadAttention):
                nn.init.normal_(m.in_proj_weight, 0.0, 0.02)
                nn.init.zeros_(m.in_proj_bias)
        with torch.no_grad():
            s.item.weight[0].zero_()

    def forward(s, seq):                           # [B, L] -> [B, L, d]
        L = seq.shape[1]
        x = s.drop(s.ln_in(s.item(seq) + s.pos.weight[:L]))
        return s.ln_out(s.enc(x, mask=s.mask[:L, :L]))


class BenchGRU4Rec(nn.Module):
    def __init__(s, n_items, d=64, hidden=128, layers=1, dropout=0.2):
        super().__init__()
        s.item = nn.Embedding(n_items + 1, d, padding_idx=0)
        s.drop = nn.Dropout(dropout)
        s.gru = nn.GRU(d, hidden, layers, batch_first=True)
        s.out = nn.Linear(hidden, d)
        nn.init.xavier_normal_(s.item.weight)      # RecBole init, as ParamGen's default
        for name, w in s.gru.named_parameters():
            if name.startswith("weight"):
                nn.init.xavier_uniform_(w)
        with torch.no_grad():
            s.item.weight[0].zero_()

    def forward(s, seq):                           # [B, L] -> [B, L, d]
        y, _ = s.gru(s.drop(s.item(seq)))
        return s.out(y)


def bench_model(name, n_items):
    return BenchSASRec(n_items) if name == "sasrec" else BenchGRU4Rec(n_items)


def backbone_train_step(name, all_positions):
    """One Adam step (lr 1e-3), full-softmax CE over the V + 1 item rows at the last position or at every one."""
    m = bench_model(name, BB_TRAIN_ITEMS)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    seq = torch.randint(1, BB_TRAIN_ITEMS + 1, (BB_B, BB_L))
    tgt = torch.randint(1, BB_TRAIN_ITEMS + 1, (BB_B, BB_L))

    def run():
        m.train()
        opt.zero_grad()
        h = m(seq)                                 # [B, L, d]
        if all_positions:
            logits = h @ m.item.weight.t()         # [B, L, V + 1]
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=0)
        else:
            loss = F.cross_entropy(h[:, -1] @ m.item.weight.t(), tgt[:, -1], ignore_index=0)
        loss.backward()
        opt.step()
    return run, 0


def backbone_infer(name, n_items, rows):
    """Eval mode, no grad: top-10 of the last state's scores with padding and the history's items masked."""
    m = bench_model(name, n_items)
    seq = torch.randint(1, n_items + 1, (rows, BB_L))

    def run():
        m.eval()
        with torch.no_grad():
            scores = m(seq)[:, -1] @ m.item.weight.t()   # [B, V + 1]
            scores[:, 0] = float("-inf")
            scores.scatter_(1, seq, float("-inf"))
            torch.topk(scores, BB_K)
    return run, 0


WORKLOADS.update({
    "sasrec_train_step": lambda: backbone_train_step("sasrec", False),
    "sasrec_train_step_allpos": lambda: backbone_train_step("sasrec", True),
    "gru4rec_train_step": lambda: backbone_train_step("gru4rec", False),
    "gru4rec_train_step_allpos": lambda: backbone_train_step("gru4rec", True),
    "sasrec_infer_batch": lambda: backbone_infer("sasrec", BB_TRAIN_ITEMS, BB_B),
    "gru4rec_infer_batch": lambda: backbone_infer("gru4rec", BB_TRAIN_ITEMS, BB_B),
    "sasrec_infer_one": lambda: backbone_infer("sasrec", BB_SERVE_ITEMS, 1),
    "gru4rec_infer_one": lambda: backbone_infer("gru4rec", BB_SERVE_ITEMS, 1),
})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--only", default=",".join(WORKLOADS))
    ap.add_argument("--mem", default=None, help="measure one workload's peak memory beyond its inputs")
    a = ap.parse_args()
    names = [n for n in a.only.split(",") if n] if not a.mem else [a.mem]
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        sys.exit(f"torch_bench.py: unknown workload(s) {', '.join(unknown)}; known: {', '.join(WORKLOADS)}")
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.mem:
        fn, _ = WORKLOADS[a.mem]()
        before = peak_rss_mb()
        for _ in range(3):
            fn()
        print(json.dumps(dict(workload=a.mem, peak_mb=peak_rss_mb() - before)))
        return
    for name in names:
        fn, flops = WORKLOADS[name]()
        ms = bench(fn, reps=a.reps)
        print(json.dumps(dict(workload=name, torch=torch.__version__, threads=a.threads, ms=round(ms, 4),
                              gflops=round(flops / ms / 1e6, 1) if flops else None)), flush=True)


if __name__ == "__main__":
    main()
