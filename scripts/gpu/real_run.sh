#!/usr/bin/env bash
# Issue 11 on the GPU machine: random-weight checkpoints of the published Llama-3.2-1B-Instruct,
# Qwen2.5-Math-1.5B-Instruct and Qwen2.5-Math-PRM-7B configs, imported with the project's importer,
# run by the engine (GpuBench) next to transformers. One phase per call (docs/gpu.md):
#   prepare  make the three checkpoints (bf16 safetensors), import them (float16: shared layout for the
#            policies, the prefix-sharing graph for the PRM), write the prompts
#   hf       transformers' generate() tokens/s for both policies
#   engine   GpuBench (needs the published app: publish.sh parts in /tmp/p): policies' parity + tokens/s,
#            PRM rounds, memory of the 1.5B policy + 7B PRM together; then transformers on the same PRM
#            inputs and the parity check; summary into $OUT
set -uo pipefail
PHASE=$1; shift
OUT=${OUT:-/tmp/out}
R=/tmp/real
mkdir -p "$R" "$OUT" /tmp/res
export PYTHONUNBUFFERED=1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

case "$PHASE" in
prepare)
  # MODELS: which of llama, qwen, prm to make and import (default all three; pipeline_run.sh needs llama and prm)
  want() { [[ " ${MODELS:-llama qwen prm} " == *" $1 "* ]]; }
  for m in llama:llama-3.2-1b-instruct qwen:qwen2.5-math-1.5b-instruct prm:qwen2.5-math-prm-7b; do
    short=${m%%:*}; name=${m#*:}
    want "$short" || continue
    [ -f "$R/hf-$short/config.json" ] || python3 "$here/real_models.py" make --name "$name" --out "$R/hf-$short" || exit 1
  done
  t0=$(date +%s)
  if want llama; then python3 "$root/scripts/hf_import/import_hf.py" "$R/hf-llama" --out "$R/llama" --name Llama-3.2-1B-Instruct --dtype float16 --layout shared || exit 1; fi
  if want qwen; then python3 "$root/scripts/hf_import/import_hf.py" "$R/hf-qwen" --out "$R/qwen" --name Qwen2.5-Math-1.5B-Instruct --dtype float16 --layout shared || exit 1; fi
  if want prm; then python3 "$root/scripts/hf_import/import_hf.py" "$R/hf-prm" --out "$R/prm" --name Qwen2.5-Math-PRM-7B --dtype float16 --layout shared || exit 1; fi
  echo "imports took $(( $(date +%s) - t0 )) s"
  if want llama; then python3 "$here/real_models.py" prompts --tokenizer "$R/hf-llama" --out "$R/llama-prompts.json" --tokens 300 --count 256 || exit 1; fi
  if want qwen; then python3 "$here/real_models.py" prompts --tokenizer "$R/hf-qwen" --out "$R/qwen-prompts.json" --tokens 300 --count 256 || exit 1; fi
  du -sh "$R"/* | tee "$OUT/sizes.txt"
  ;;
hf)
  for m in llama qwen; do
    python3 "$here/real_models.py" bench --kind policy --model "$R/hf-$m" --prompts "$R/$m-prompts.json" --out "/tmp/res/hf-$m.json" "$@" || exit 1
    cp "/tmp/res/hf-$m.json" "$OUT/"
  done
  ;;
engine)
  . "$here/app_env.sh"
  B="$APP/GpuBench --Inference:Device=cuda --Inference:MaxPrefillTokens=65536"
  # POLICIES: which policies to run; REPS: timed repeats of the policy benchmark (a process each).
  for m in ${POLICIES-llama qwen}; do
    man=$(ls "$R/$m"/*.manifest.json)
    mkdir -p "$OUT/$m"
    for rep in $(seq 1 "${REPS:-1}"); do
      modes=bench; [ "$rep" = 1 ] && modes=parity,bench
      $B --GpuBench:Manifest="$man" --GpuBench:SharedManifest="$man" --GpuBench:Runners=engine-shared \
        --GpuBench:Modes=$modes --GpuBench:Prompts="$R/$m-prompts.json" --GpuBench:Batches=64,256 \
        --GpuBench:NewTokens=512 --Inference:KvCacheLength=1024 --GpuBench:Out="$OUT/$m" "$@" 2>&1 | tee -a "$OUT/$m/gpubench.log"
    done
    python3 "$here/real_models.py" parity --model "$R/hf-$m" --prompts "$R/$m-prompts.json" \
      --engine "$OUT/$m/parity-engine-shared.json" --out "$OUT/$m/parity-check.json"
  done
  [ "${PRM:-1}" = 1 ] || exit 0
  prm=$(ls "$R/prm"/*.manifest.json)
  mkdir -p "$OUT/prm"
  $B --GpuBench:Manifest="$prm" --GpuBench:Runners= --GpuBench:Modes=prm-round --GpuBench:PrmManifest="$prm" \
    --GpuBench:Prompts="$R/qwen-prompts.json" --GpuBench:Out="$OUT/prm" "$@" 2>&1 | tee "$OUT/prm/gpubench.log"
  python3 "$here/real_models.py" bench --kind prm --model "$R/hf-prm" --prm-inputs "$OUT/prm/prm-inputs.json" --out "$OUT/prm/hf-prm.json"
  rm -f "$OUT/prm/prm-inputs.json"
  $B --GpuBench:Manifest="$(ls "$R/qwen"/*.manifest.json)" --GpuBench:SharedManifest="$(ls "$R/qwen"/*.manifest.json)" \
    --GpuBench:Runners= --GpuBench:Modes=memory --GpuBench:PrmManifest="$prm" --GpuBench:Prompts="$R/qwen-prompts.json" \
    --GpuBench:MemoryBatch=256 --GpuBench:NewTokens=512 --Inference:KvCacheLength=1024 --GpuBench:Out="$OUT/prm" "$@" 2>&1 | tail -3
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$OUT/device.csv"
  ;;
*) echo "phase: prepare | hf | engine"; exit 2 ;;
esac
