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


WORKLOADS = {
    "sgemm_256": lambda: sgemm(256), "sgemm_512": lambda: sgemm(512), "sgemm_1024": lambda: sgemm(1024),
    "transformer_block_fwd_bwd": transformer_block, "gru_fwd_bwd": gru, "catalogue_ce_fwd_bwd": catalogue_ce,
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
