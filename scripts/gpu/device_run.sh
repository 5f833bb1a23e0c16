#!/usr/bin/env bash
# Last call on the GPU machine (docs/gpu.md): joins the parts of the published GpuBench that earlier
# calls left in /tmp/p, then runs parity, speed and PRM runs, checks the greedy tokens
# and writes the summary. Expects /tmp/qwen2 (export_qwen2.py) and /tmp/res/hf.json (hf_reference.py).
# Knobs: GpuBench__* and Inference__* environment variables pass through to GpuBench.
set -uo pipefail
OUT=${OUT:-/tmp/out}
MODEL=${MODEL:-/tmp/qwen2}
mkdir -p "$OUT"
. "$(dirname "$0")/app_env.sh"
cp /tmp/res/hf.json "$OUT/" 2>/dev/null
"$APP/GpuBench" --GpuBench:Manifest="$MODEL/policy.manifest.json" --GpuBench:PrmManifest="$MODEL/prm.manifest.json" \
  --GpuBench:SharedManifest="$MODEL/policy-shared.manifest.json" \
  --GpuBench:Prompts="$MODEL/prompts.json" --GpuBench:Out="$OUT" --Inference:Device=cuda "$@" 2>&1 | tee "$OUT/gpubench.log"
for r in engine engine-shared-nographs engine-shared raw; do
  [ -f "$OUT/parity-$r.json" ] && python3 scripts/gpu/compare_greedy.py --model "$MODEL" --engine "$OUT/parity-$r.json" \
    --hf "$OUT/hf.json" --out "$OUT/parity-check-$r.json" | tail -n 6
done
python3 scripts/gpu/report.py --dir "$OUT" | tee "$OUT/summary.md"
