#!/usr/bin/env bash
# Kernel times of one decode step on the GPU machine (docs/gpu.md, "What limits the speed"): runs the
# already unpacked GpuBench (device_run.sh) under Nsight Compute, collecting only each kernel's
# duration, for a 64-row generation of 3 tokens (prefill, 2 decode steps) and a 1-token one (prefill).
# The decode step is the kernel sequence that repeats back to back; ncu_steps.py sums it.
# CUDA graphs are off here (engine-shared-nographs): ncu times kernels one by one either way.
set -uo pipefail
OUT=${OUT:-/tmp/out}
APP=/tmp/gpubench
MODEL=${MODEL:-/tmp/qwen2}
NV=$(python3 -c 'import nvidia, os; print(os.path.dirname(nvidia.__path__[0]) + "/nvidia")' 2>/dev/null)
PYLIBS=$(ls -d "$NV"/*/lib 2>/dev/null | tr '\n' ':')
export LD_LIBRARY_PATH=/usr/local/cuda-13.0/targets/x86_64-linux/lib:/usr/lib/x86_64-linux-gnu:${PYLIBS}$APP
BATCH=${BATCH:-64}
/usr/local/cuda-13.0/bin/ncu --metrics gpu__time_duration.sum --csv --page raw --print-units base \
  "$APP/GpuBench" --GpuBench:Manifest="$MODEL/policy.manifest.json" --GpuBench:SharedManifest="$MODEL/policy-shared.manifest.json" \
  --GpuBench:Prompts="$MODEL/prompts.json" --GpuBench:Out=/tmp/ncu-run --Inference:Device=cuda --GpuBench:Modes=bench \
  --GpuBench:Runners=${RUNNER:-engine-shared-nographs} --GpuBench:Batches=$BATCH --GpuBench:NewTokens=3 --GpuBench:WarmupTokens=0 \
  "$@" > "$OUT/ncu-b$BATCH.csv" 2> "$OUT/ncu-b$BATCH.log"
python3 scripts/gpu/ncu_steps.py "$OUT/ncu-b$BATCH.csv" | tee "$OUT/ncu-b$BATCH.md"
