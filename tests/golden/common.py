"""Shared helpers for the golden-value generators: a dependency-free safetensors reader/writer and a
case recorder. Cases are computed in float64 (the double-precision reference) and stored as float32.

Naming convention inside a group file, for case C:
  C.in0, C.in1, ...   differentiable inputs (float32)
  C.aux0, ...         non-differentiable inputs (indices, masks), stored as float32
  C.out0, ...         outputs
  C.gout0, ...        the upstream gradient fed to backward for each output
  C.grad0, ...        gradient of sum(out_i * gout_i) with respect to in0, ...
  C.p.<name>, C.pgrad.<name>   module parameters and their gradients (module cases)
"""
import json, struct
import numpy as np
import torch

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def save_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        a = np.array(t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else t, order="C", copy=True)
        dtype = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64", np.dtype(np.int64): "I64", np.dtype(np.int32): "I32"}[a.dtype]
        b = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    body = data[8 + n:]
    out = {}
    for name, e in header.items():
        s, t = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(body[s:t], dtype=np.dtype(DTYPES[e["dtype"]]).newbyteorder("<")).reshape(e["shape"]).copy())
    return out, meta


class Group:
    """Collects the cases of one golden file."""

    def __init__(self, name, seed=0):
        self.name = name
        self.tensors = {}
        self.gen = torch.Generator().manual_seed(seed)

    def randn(self, *shape, scale=1.0):
        return torch.randn(tuple(shape), generator=self.gen, dtype=torch.float64) * scale

    def rand(self, *shape, low=0.0, high=1.0):
        return low + (high - low) * torch.rand(tuple(shape), generator=self.gen, dtype=torch.float64)

    def away_from(self, x, points=(0.0,), margin=0.05):
        """Moves values within margin of any kink point out of it, so finite differences are meaningful."""
        x = x.clone()
        for p in points:
            close = (x - p).abs() < margin
            x[close] = p + margin * torch.where(x[close] >= p, 1.0, -1.0) * 2
        return x

    def put(self, name, t):
        if isinstance(t, torch.Tensor):
            t = t.detach()
            t = t.to(torch.float32) if t.is_floating_point() or t.dtype == torch.bool else t.to(torch.float32)
        self.tensors[name] = t

    def case(self, name, fn, inputs, aux=()):
        """Runs fn(*inputs, *aux) in float64, records outputs and the gradients of sum(out * gout)."""
        ins = [x.detach().to(torch.float64).requires_grad_(True) for x in inputs]
        outs = fn(*ins, *aux)
        if isinstance(outs, torch.Tensor):
            outs = (outs,)
        for i, x in enumerate(ins):
            self.put(f"{name}.in{i}", x)
        for i, a in enumerate(aux):
            self.put(f"{name}.aux{i}", a)
        total = 0
        for i, o in enumerate(outs):
            self.put(f"{name}.out{i}", o)
            if o.is_floating_point() and o.requires_grad:
                go = torch.randn(o.shape, generator=self.gen, dtype=torch.float64)
                self.put(f"{name}.gout{i}", go)
                total = total + (o * go).sum()
        if ins and isinstance(total, torch.Tensor):
            grads = torch.autograd.grad(total, ins, allow_unused=True)
            for i, g in enumerate(grads):
                self.put(f"{name}.grad{i}", torch.zeros_like(ins[i]) if g is None else g)

    def module_case(self, name, module, inputs, forward=None, aux=()):
        """Records a module's parameters, its outputs for inputs, and all parameter and input gradients."""
        module = module.double()
        for pname, p in module.named_parameters():
            self.put(f"{name}.p.{pname}", p)
        for bname, b in module.named_buffers():
            self.put(f"{name}.b.{bname}", b)
        params = [p for _, p in module.named_parameters()]
        ins = [x.detach().to(torch.float64).requires_grad_(x.is_floating_point()) for x in inputs]
        outs = (forward or module)(*ins, *aux)
        if isinstance(outs, torch.Tensor):
            outs = (outs,)
        for i, x in enumerate(ins):
            self.put(f"{name}.in{i}", x)
        for i, a in enumerate(aux):
            self.put(f"{name}.aux{i}", a)
        total = 0
        for i, o in enumerate(outs):
            self.put(f"{name}.out{i}", o)
            go = torch.randn(o.shape, generator=self.gen, dtype=torch.float64)
            self.put(f"{name}.gout{i}", go)
            total = total + (o * go).sum()
        diff = [x for x in ins if x.requires_grad]
        grads = torch.autograd.grad(total, diff + params, allow_unused=True)
        for i, g in enumerate(grads[:len(diff)]):
            self.put(f"{name}.grad{i}", g)
        for (pname, p), g in zip(module.named_parameters(), grads[len(diff):]):
            self.put(f"{name}.pgrad.{pname}", torch.zeros_like(p) if g is None else g)

    def save(self, folder):
        import os
        path = os.path.join(folder, f"{self.name}.safetensors")
        save_safetensors(path, self.tensors, {"generator": "tests/golden", "torch": torch.__version__})
        return path, os.path.getsize(path)
