#!/usr/bin/env bash
# Publishes GpuBench (with the engine) self-contained for linux-x64 and cuts it into pieces that the
# GPU machine's calls can carry (64 MiB a call, docs/gpu.md):
#   .gpu-app/app.tar.xz        everything but the CUDA provider (~40 MB)
#   .gpu-part{0,1,2}/cuda.xz.* the CUDA provider (284 MB, ~186 MB as xz), 60 MB a part
# All four folders are git-ignored (/.gpu*/). Run from anywhere; takes ~3-4 minutes here (xz -6).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BUILD=.gpu-build
rm -rf "$BUILD/app" .gpu-app
dotnet publish benchmarks/GpuBench -c Release -r linux-x64 --self-contained -o "$BUILD/app" -v q -nologo
mkdir -p .gpu-app
tar -C "$BUILD/app" --exclude=libonnxruntime_providers_cuda.so -cf - . | xz -T2 -6 > .gpu-app/app.tar.xz
sha=$(sha256sum "$BUILD/app/libonnxruntime_providers_cuda.so" | cut -d' ' -f1)
echo "$sha" > .gpu-app/cuda.sha256
# The provider comes from the NuGet package and rarely changes: recompress only when it did.
if [ "$(cat .gpu-part0/cuda.sha256 2>/dev/null)" != "$sha" ]; then
  rm -rf .gpu-part* "$BUILD/cuda.xz"*
  xz -T2 -6 -c "$BUILD/app/libonnxruntime_providers_cuda.so" > "$BUILD/cuda.xz"
  (cd "$BUILD" && split -b 60m -d -a 1 cuda.xz cuda.xz.)
  for f in "$BUILD"/cuda.xz.?; do
    n=${f##*.}
    mkdir -p ".gpu-part$n"
    mv "$f" ".gpu-part$n/"
  done
  echo "$sha" > .gpu-part0/cuda.sha256
fi
du -sh .gpu-app .gpu-part*
