"""PyTorch side of the ParamGen comparison: the same workloads and shapes as Workloads.cs, the same timing
protocol (3 warm-up runs, median of --reps). Prints one JSON line per workload.
Run by `ParamGen.Benchmarks compare`; by hand:  /usr/bin/python3 benchmarks/ParamGen.Benchmarks/torch_bench.py --threads 2
"""
import argparse, json, statistics, time
import torch, torch.nn as nn, torch.nn.functional as F


def sgemm(n):
    a, b = torch.randn(n, n), torch.randn(n, n)
    return lambda: a @ b, 2.0 * n ** 3


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


def linear_64x32():
    B, L, D, R = 256, 50, 64, 32
    x = torch.randn(B, L, D, requires_grad=True)
    w = (torch.randn(R, D) * 0.1).requires_grad_()
    b = torch.zeros(R, requires_grad=True)

    def run():
        x.grad = w.grad = b.grad = None
        F.linear(x, w, b).sum().backward()
    return run, 3 * 2.0 * B * L * D * R


WORKLOADS = {
    "sgemm_256": lambda: sgemm(256), "sgemm_512": lambda: sgemm(512), "sgemm_1024": lambda: sgemm(1024),
    "transformer_block_fwd_bwd": transformer_block, "gru_fwd_bwd": gru, "catalogue_ce_fwd_bwd": catalogue_ce,
    "packed_matmul_fwd_bwd": packed_matmul, "linear_64x32_fwd_bwd": linear_64x32,
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
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.mem:
        fn, _ = WORKLOADS[a.mem]()
        before = peak_rss_mb()
        for _ in range(3):
            fn()
        print(json.dumps(dict(workload=a.mem, peak_mb=peak_rss_mb() - before)))
        return
    for name in a.only.split(","):
        fn, flops = WORKLOADS[name]()
        ms = bench(fn, reps=a.reps)
        print(json.dumps(dict(workload=name, torch=torch.__version__, threads=a.threads, ms=round(ms, 3),
                              gflops=round(flops / ms / 1e6, 1) if flops else None)))


if __name__ == "__main__":
    main()
