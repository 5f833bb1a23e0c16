#!/usr/bin/env bash
# Engine benchmark (docs/engine.md): the PyTorch reference sampler (benchmarks/torch_reference.py, the
# tiny model's own training code on Debian's torch) and the C# engine, on the same weights, in one run.
# Prints generated tokens/s at each batch size with the engine/torch ratio, PRM steps/s, and the speedup
# prefix sharing gives for 64 samples of one prompt.
#
# Knobs (environment): BENCH_THREADS (default: all cores), BENCH_NEW_TOKENS (32), BENCH_BATCHES
# (1,16,64,256), BENCH_REPEATS (1: best of N after one warm-up), BENCH_PRM_CANDIDATES (64), BENCH_MODELS
# (the model folder, default models/tiny-arith: e.g. a float32 export next to the shipped fp16 one).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
THREADS=${BENCH_THREADS:-$(nproc)}
NEW_TOKENS=${BENCH_NEW_TOKENS:-32}
BATCHES=${BENCH_BATCHES:-1,16,64,256}
REPEATS=${BENCH_REPEATS:-1}
PRM_CANDIDATES=${BENCH_PRM_CANDIDATES:-64}
export BENCH_MODELS=${BENCH_MODELS:-models/tiny-arith}

if ! /usr/bin/python3 -c "import torch, onnx" 2>/dev/null; then
  echo "bench-engine: needs Debian's PyTorch and onnx: apt-get install -y --no-install-recommends python3-torch python3-onnx" >&2
  exit 1
fi
dotnet build benchmarks/Inference.Benchmarks -c Release -v q -nologo | grep -E " error " && exit 1 || true

results=$(mktemp --suffix .json)
trap 'rm -f "$results"' EXIT
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); torch BLAS: $(/usr/bin/python3 -c 'import torch,re; print(re.search(r"BLAS_INFO=(\w+)", torch.__config__.show()).group(1))')"
/usr/bin/python3 benchmarks/torch_reference.py --out "$results" --threads "$THREADS" --new-tokens "$NEW_TOKENS" \
  --batches "$BATCHES" --repeats "$REPEATS" --prm-candidates "$PRM_CANDIDATES" 2>/dev/null
dotnet benchmarks/Inference.Benchmarks/bin/Release/net10.0/Pipeline.Inference.Benchmarks.dll "$results" "$BENCH_MODELS" "$THREADS" "$REPEATS"
