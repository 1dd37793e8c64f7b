#!/usr/bin/env bash
# One lent GPU session: the prior phase of the explorable decoders, resumed from the shipped faithful
# weights (models/faithful-<size>), full and lite side by side, then the validation figures and contact
# sheets, and everything packed into at most 16-MiB parts under $OUT.
#   usage: bash explorer_app/train/gpu_recipe.sh PACK PRIOR_SECONDS
# The L1 phases are not rerun: z = 0 of the new explorable model is the shipped faithful decode exactly.
set -u
pack=$1; seconds=$2
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p runs
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee runs/gpu.txt
for size in full lite; do
  python3 -m explorer_app.train --pack "$pack" --out "runs/$size" --size "$size" --start-from models \
    --batch 64 --patch 128 --pool 24000 --prior-steps 10000000 --prior-seconds "$seconds" \
    > "runs/$size.log" 2>&1 &
done
wait
tail -c 1500 runs/full.log; tail -c 1500 runs/lite.log
mkdir -p runs/eval && cp models/faithful-*.safetensors runs/eval/ && cp runs/*/models/explorable-*.safetensors runs/eval/
python3 -m explorer_app.train.validate --pack "$pack" --out runs/validation.json --models runs/eval \
  --sizes lite,full --sheets runs/sheets --threads 8 2>&1 | tail -20
rm -f runs/*/checkpoint.safetensors
tar cf - runs | split -b 15M - "$OUT/runs.tar.part-"
ls -la "$OUT"
