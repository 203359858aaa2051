#!/usr/bin/env bash
# Accuracy and epoch-time parity of ParamGen against PyTorch 1.13 (Debian python3-torch) on one file, one split
# and one protocol: leave-one-out, cross-entropy at every position, full ranking with earlier items masked,
# early stopping on validation NDCG@10 (patience 5), the best epoch tested.
#   benchmarks/parity/run_parity.sh ../shared/datasets/Beauty.txt sasrec     # or gru4rec
# The two engines run one after the other (never at the same time), each on --threads 2.
# PARITY_OUT=DIR keeps the results (and PyTorch's resume file) in DIR: run the same command again with the same
# DIR and a finished ParamGen side is not rerun, while the PyTorch side goes on from its last finished epoch.
# Both sides initialise as RecBole does for the chosen model (ParamGen's default); PARITY_TORCH_INIT=normal|torch
# gives the PyTorch side another initialisation (torch_parity.py --init).
set -euo pipefail
data=${1:?usage: run_parity.sh DATA_FILE sasrec|gru4rec [EPOCHS]}
model=${2:?usage: run_parity.sh DATA_FILE sasrec|gru4rec [EPOCHS]}
epochs=${3:-200}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${PARITY_OUT:-$(mktemp -d)}
mkdir -p "$out"
common_pg=(--data "$data" --model "$model" --dim 64 --layers "$([ "$model" = sasrec ] && echo 2 || echo 1)" --heads 2 --ffn 256 --hidden 128
           --max-len 50 --dropout 0.3 --batch 256 --lr 0.001 --patience 5 --epochs "$epochs" --seed 1 --threads 2 --mask-history --k 10)
if [ ! -s "$out/paramgen.json" ]; then
  dotnet build -c Release "$root/src/ParamGen.Cli" > /dev/null
  # Run a copy, so rebuilding the repository during the (long) run cannot swap the binaries under it.
  rm -rf "$out/cli" && cp -r "$root/src/ParamGen.Cli/bin/Release/net10.0" "$out/cli"
  dotnet "$out/cli/ParamGen.Cli.dll" train "${common_pg[@]}" --out "$out/paramgen" --json > "$out/paramgen.json.tmp"
  mv "$out/paramgen.json.tmp" "$out/paramgen.json"
fi
/usr/bin/python3 "$here/torch_parity.py" --data "$data" --model "$model" --dim 64 --layers "$([ "$model" = sasrec ] && echo 2 || echo 1)" --heads 2 \
    --ffn 256 --hidden 128 --max-len 50 --dropout 0.3 --batch 256 --lr 0.001 --patience 5 --epochs "$epochs" --seed 1 --threads 2 --init "${PARITY_TORCH_INIT:-recbole}" --state "$out/torch.state" > "$out/torch.jsonl"
/usr/bin/python3 "$here/parity_table.py" "$out/paramgen.json" "$out/torch.jsonl"
echo "(raw results in $out)"
