"""Golden cases for ParamGen.Tensors.Optim: torch.optim SGD/Adam/AdamW trajectories over two parameter groups,
clip_grad_norm_, and learning-rate schedules.

Layout (all float32 in the file, computed in float64):
  optim.p{j}.init            initial value of parameter j (j = 0, 1 in group 0; j = 2, 3 in group 1)
  optim.g{s}.p{j}            gradient fed at step s (absent: p.grad is None at that step)
  {case}.s{s}.p{j}           parameter j after step s
  clip.g{j}                  gradients before clipping; {case}.total and {case}.g{j} after
  {case}.lrs                 [steps, groups] learning rates: get_last_lr() after construction, then after each step()
"""
import math
import torch

SHAPES = [(3, 5), (5,), (7,), (2, 17)]
STEPS = 6
# Gradient scales per step vary so AMSGrad's running maximum of the second moment matters.
SCALES = [1.0, 2.0, 0.5, 0.3, 1.5, 0.2]
MISSING = {(3, 2)}  # (step, param): no gradient, so the parameter and its state must not change

OPTIMIZERS = {
    "sgd.plain": (torch.optim.SGD, dict(), (0.1, 0.03)),
    "sgd.momentum": (torch.optim.SGD, dict(momentum=0.9, dampening=0.1), (0.1, 0.03)),
    "sgd.nesterov_wd": (torch.optim.SGD, dict(momentum=0.9, nesterov=True, weight_decay=0.01), (0.1, 0.03)),
    "adam.plain": (torch.optim.Adam, dict(), (0.01, 0.003)),
    "adam.wd": (torch.optim.Adam, dict(weight_decay=0.1), (0.01, 0.003)),
    "adam.amsgrad": (torch.optim.Adam, dict(amsgrad=True, betas=(0.8, 0.99)), (0.01, 0.003)),
    "adamw.plain": (torch.optim.AdamW, dict(weight_decay=0.05), (0.01, 0.003)),
    "adamw.amsgrad": (torch.optim.AdamW, dict(weight_decay=0.05, amsgrad=True, eps=1e-6, betas=(0.9, 0.9)), (0.01, 0.003)),
}


def trajectories(g):
    init = [g.randn(*s) for s in SHAPES]
    grads = [[g.randn(*s, scale=SCALES[step]) for s in SHAPES] for step in range(STEPS)]
    for j, p in enumerate(init):
        g.put(f"optim.p{j}.init", p)
    for step in range(STEPS):
        for j in range(len(SHAPES)):
            if (step, j) not in MISSING:
                g.put(f"optim.g{step}.p{j}", grads[step][j])
    for name, (cls, kw, (lr0, lr1)) in OPTIMIZERS.items():
        ps = [p.clone().requires_grad_(True) for p in init]
        opt = cls([{"params": ps[:2], "lr": lr0}, {"params": ps[2:], "lr": lr1}], **kw)
        for step in range(STEPS):
            for j, p in enumerate(ps):
                p.grad = None if (step, j) in MISSING else grads[step][j].clone()
            opt.step()
            for j, p in enumerate(ps):
                g.put(f"{name}.s{step}.p{j}", p)


def clipping(g):
    grads = [g.randn(4, 5), g.randn(7), g.randn(3, 3)]
    for j, x in enumerate(grads):
        g.put(f"clip.g{j}", x)
    cases = {"clip.l2": (1.0, 2.0), "clip.l2_noclip": (100.0, 2.0), "clip.inf": (0.5, math.inf),
             "clip.l1": (2.0, 1.0), "clip.p3": (1.0, 3.0)}
    for name, (max_norm, norm_type) in cases.items():
        ps = [torch.zeros_like(x, requires_grad=True) for x in grads]
        for p, x in zip(ps, grads):
            p.grad = x.clone()
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
        g.put(f"{name}.total", total)
        for j, p in enumerate(ps):
            g.put(f"{name}.g{j}", p.grad)


def schedules(g):
    base = (0.1, 0.02)

    def record(name, make, steps):
        p0, p1 = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([{"params": [p0], "lr": base[0]}, {"params": [p1], "lr": base[1]}])
        sched = make(opt)
        rows = [list(sched.get_last_lr())]
        for _ in range(steps):
            opt.step()
            sched.step()
            rows.append(list(sched.get_last_lr()))
        g.put(f"{name}.lrs", torch.tensor(rows))

    def linear(warmup, total):
        def f(step):
            if step < warmup:
                return step / max(1, warmup)
            return 1.0 if total is None else max(0.0, (total - step) / max(1, total - warmup))
        return f

    def cosine(warmup, total, min_lr, base_lr):
        def f(step):
            if step < warmup:
                return step / warmup
            progress = min(1.0, (step - warmup) / max(1, total - warmup))
            return (min_lr + (base_lr - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))) / base_lr
        return f

    LambdaLR = torch.optim.lr_scheduler.LambdaLR
    record("sched.constant", lambda o: torch.optim.lr_scheduler.ConstantLR(o, factor=0.5, total_iters=4), 8)
    record("sched.linear", lambda o: LambdaLR(o, linear(3, 10)), 14)
    record("sched.linear_nodecay", lambda o: LambdaLR(o, linear(4, None)), 8)
    record("sched.cosine", lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001), 10)
    record("sched.cosine_warmup", lambda o: LambdaLR(o, [cosine(3, 12, 0.001, b) for b in base]), 15)


def build(g):
    trajectories(g)
    clipping(g)
    schedules(g)
