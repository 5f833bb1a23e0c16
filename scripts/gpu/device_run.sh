#!/usr/bin/env bash
# Last call on the GPU machine (docs/gpu.md): joins the parts of the published GpuBench that earlier
# calls left in /tmp/p, then runs parity, speed and PRM runs, checks the greedy tokens
# and writes the summary. Expects /tmp/qwen2 (export_qwen2.py) and /tmp/res/hf.json (hf_reference.py).
# Knobs: GpuBench__* and Inference__* environment variables pass through to GpuBench.
set -uo pipefail
OUT=${OUT:-/tmp/out}
APP=/tmp/gpubench
MODEL=${MODEL:-/tmp/qwen2}
mkdir -p "$APP" "$OUT"
if [ ! -x "$APP/GpuBench" ]; then
  # Parts that earlier calls left in /tmp/p (scripts/gpu/publish.sh), this call's own part included.
  cp .gpu-p*/bundle.tar.* /tmp/p/ 2>/dev/null
  mkdir -p /tmp/b
  cat /tmp/p/bundle.tar.* | tar -C /tmp/b -xf - || { echo "bundle incomplete: $(ls /tmp/p)"; exit 1; }
  xz -dc /tmp/b/cuda.xz > "$APP/libonnxruntime_providers_cuda.so" || exit 1
  [ "$(sha256sum "$APP/libonnxruntime_providers_cuda.so" | cut -d' ' -f1)" = "$(cat /tmp/b/cuda.sha256)" ] \
    || { echo "CUDA provider checksum mismatch"; exit 1; }
  xz -dc /tmp/b/app.tar.xz | tar -C "$APP" -xf - || exit 1
fi
# CUDA 13 and cuDNN 9 of the machine: the toolkit's libraries, then the pip wheels of its Python.
NV=$(python3 -c 'import nvidia, os; print(os.path.dirname(nvidia.__path__[0]) + "/nvidia")' 2>/dev/null)
PYLIBS=$(ls -d "$NV"/*/lib 2>/dev/null | tr '\n' ':')
export LD_LIBRARY_PATH=/usr/local/cuda-13.0/targets/x86_64-linux/lib:/usr/lib/x86_64-linux-gnu:${PYLIBS}$APP
cp /tmp/res/hf.json "$OUT/" 2>/dev/null
"$APP/GpuBench" --GpuBench:Manifest="$MODEL/policy.manifest.json" --GpuBench:PrmManifest="$MODEL/prm.manifest.json" \
  --GpuBench:SharedManifest="$MODEL/policy-shared.manifest.json" \
  --GpuBench:Prompts="$MODEL/prompts.json" --GpuBench:Out="$OUT" --Inference:Device=cuda "$@" 2>&1 | tee "$OUT/gpubench.log"
for r in engine engine-shared-nographs engine-shared raw; do
  [ -f "$OUT/parity-$r.json" ] && python3 scripts/gpu/compare_greedy.py --model "$MODEL" --engine "$OUT/parity-$r.json" \
    --hf "$OUT/hf.json" --out "$OUT/parity-check-$r.json" | tail -n 6
done
python3 scripts/gpu/report.py --dir "$OUT" | tee "$OUT/summary.md"
