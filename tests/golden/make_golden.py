"""Writes the golden files the ParamGen.Tensors tests read, using PyTorch as the numerical oracle.

Run with Debian's python3-torch (never needed by CI; the outputs are committed):
    /usr/bin/python3 tests/golden/make_golden.py            # all groups
    /usr/bin/python3 tests/golden/make_golden.py ops_shape  # one group

Each module named cases_<group>.py in this folder defines build(g: common.Group) and becomes
tests/ParamGen.Tensors.Tests/Golden/<group>.safetensors. The script also checks the round trip the
other way: it reads the safetensors file the ParamGen test suite writes (see check_paramgen_file.py).
"""
import glob, importlib, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "ParamGen.Tensors.Tests", "Golden")
sys.path.insert(0, HERE)
import torch
from common import Group

torch.set_default_dtype(torch.float64)


def main():
    wanted = set(sys.argv[1:])
    os.makedirs(OUT, exist_ok=True)
    total = 0
    for path in sorted(glob.glob(os.path.join(HERE, "cases_*.py"))):
        group = os.path.basename(path)[len("cases_"):-3]
        if wanted and group not in wanted:
            continue
        mod = importlib.import_module(f"cases_{group}")
        g = Group(group, seed=1234)
        mod.build(g)
        out, size = g.save(OUT)
        total += size
        print(f"{group}: {len(g.tensors)} tensors, {size / 1024:.1f} KiB -> {os.path.relpath(out)}")
    print(f"total {total / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
