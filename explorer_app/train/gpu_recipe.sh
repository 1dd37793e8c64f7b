#!/usr/bin/env bash
# The recipe that trained the shipped decoders on one lent GPU in one short session:
# full and lite runs side by side on the same GPU, each with time budgets per phase, then the
# decoder speed figures, and everything packed into at most 16-MiB parts under $OUT.
#   usage: bash explorer_app/train/gpu_recipe.sh PACK LUMA_S CHROMA_S ADV_S
set -u
pack=$1; luma=$2; chroma=$3; adversarial=$4
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p runs
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee runs/gpu.txt
python3 -m explorer_app.train --pack "$pack" --out runs/full --size full --batch 128 --pool 24000 \
  --luma-seconds "$luma" --chroma-seconds "$chroma" --adversarial-seconds "$adversarial" \
  --luma-steps 1000000 --chroma-steps 1000000 --adversarial-steps 1000000 --critic 192,6 \
  > runs/full.log 2>&1 &
full=$!
python3 -m explorer_app.train --pack "$pack" --out runs/lite --size lite --batch 128 --pool 24000 --seed 1 \
  --luma-seconds "$luma" --chroma-seconds "$chroma" --adversarial-seconds "$adversarial" \
  --luma-steps 1000000 --chroma-steps 1000000 --adversarial-steps 1000000 --critic 96,5 \
  > runs/lite.log 2>&1 &
lite=$!
wait $full; echo "full exit $?"; wait $lite; echo "lite exit $?"
tail -c 1500 runs/full.log; tail -c 1500 runs/lite.log
python3 benchmarks/decoder_speed.py --device cuda --json runs/speed.json 2>&1 | tail -5
rm -f runs/*/checkpoint.safetensors
tar cf - runs | split -b 15M - "$OUT/runs.tar.part-"
ls -la "$OUT"
