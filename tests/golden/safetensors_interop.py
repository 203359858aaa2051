"""Safetensors interoperability with PyTorch, both directions.

1. Writes ParamGen.Tensors.Tests/Golden/interop_from_torch.safetensors (F32, F64, I64 tensors, metadata),
   which SafeTensorsInteropTests reads.
2. Runs the test that makes ParamGen write a file (SafeTensorsInteropTests.WritesAFilePyTorchCanRead with
   PARAMGEN_INTEROP_DIR set), then reads that file here with PyTorch/numpy and checks every value.

Run from the repository root with Debian's python3-torch:
    /usr/bin/python3 tests/golden/safetensors_interop.py
"""
import os, subprocess, sys, tempfile
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import save_safetensors, load_safetensors

GOLDEN = os.path.join(HERE, "..", "ParamGen.Tensors.Tests", "Golden")
TESTS = os.path.join(HERE, "..", "ParamGen.Tensors.Tests")


def expected_paramgen_tensors():
    """The tensors the C# test writes: keep in sync with SafeTensorsInteropTests.ExpectedTensors."""
    w = (torch.arange(12, dtype=torch.float32) * 0.25 - 1.0).reshape(3, 4)
    b = torch.tensor([1.5, -2.0, 3.25], dtype=torch.float32)
    s = torch.tensor(7.0, dtype=torch.float32)
    return {"layer.weight": w, "layer.bias": b, "step": s}


def write_torch_file():
    torch.manual_seed(0)
    tensors = {
        "f32.matrix": torch.randn(3, 5, dtype=torch.float32),
        "f64.vector": torch.linspace(-1, 1, 7, dtype=torch.float64),
        "i64.ids": torch.tensor([[0, 5, 12], [7, 7, 1]], dtype=torch.int64),
        "f32.scalar": torch.tensor(2.5, dtype=torch.float32),
    }
    path = os.path.join(GOLDEN, "interop_from_torch.safetensors")
    save_safetensors(path, tensors, {"producer": "pytorch", "torch": torch.__version__})
    print(f"wrote {os.path.relpath(path)}")


def check_paramgen_file():
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, PARAMGEN_INTEROP_DIR=d)
        subprocess.run(["dotnet", "test", TESTS, "--filter", "FullyQualifiedName~SafeTensorsInteropTests.WritesAFilePyTorchCanRead"],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        path = os.path.join(d, "from_paramgen.safetensors")
        got, meta = load_safetensors(path)
        want = expected_paramgen_tensors()
        assert list(got.keys()) == list(want.keys()), (list(got.keys()), list(want.keys()))
        for k, v in want.items():
            assert got[k].dtype == torch.float32 and tuple(got[k].shape) == tuple(v.shape), (k, got[k].dtype, got[k].shape)
            assert torch.equal(got[k], v), (k, got[k], v)
        assert meta.get("producer") == "ParamGen", meta
        print(f"PyTorch read the ParamGen file: {len(got)} tensors, metadata {meta}: OK")


if __name__ == "__main__":
    write_torch_file()
    check_paramgen_file()
