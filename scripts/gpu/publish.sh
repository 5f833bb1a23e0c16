#!/usr/bin/env bash
# Publishes GpuBench (with the engine) self-contained for linux-x64 and cuts it into parts that the
# GPU machine's calls can carry. A call carries the whole working tree (tracked + untracked files,
# ~38 MB with the tiny models) plus its carried folders, 64 MiB at most, so each part gets what the
# tree leaves free (PART_BYTES overrides). Output, all git-ignored (/.gpu*/):
#   .gpu-build/app/           the publish (~400 MB, 284 MB of it the CUDA provider)
#   .gpu-pNN/bundle.tar.NN    part NN of one tar holding cuda.xz (the provider, ~186 MB) and
#                             app.tar.xz (everything else, ~37 MB)
# Each device call copies its part to /tmp/p; device_run.sh joins and unpacks them (docs/gpu.md).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=.gpu-build
rm -rf "$B/app" "$B/app.tar.xz" "$B/bundle.tar" .gpu-app .gpu-part* .gpu-p[0-9]*
mkdir -p "$B"
dotnet publish benchmarks/GpuBench -c Release -r linux-x64 --self-contained -o "$B/app" -v q -nologo
tar -C "$B/app" --exclude=libonnxruntime_providers_cuda.so -cf - . | xz -T2 -6 > "$B/app.tar.xz"
sha=$(sha256sum "$B/app/libonnxruntime_providers_cuda.so" | cut -d' ' -f1)
# The provider comes from the NuGet package and rarely changes: recompress only when it did (~6 min).
if [ "$(cat "$B/cuda.sha256" 2>/dev/null)" != "$sha" ] || [ ! -f "$B/cuda.xz" ]; then
  xz -T2 -6 -c "$B/app/libonnxruntime_providers_cuda.so" > "$B/cuda.xz"
  echo "$sha" > "$B/cuda.sha256"
fi
tar -C "$B" -cf "$B/bundle.tar" cuda.xz cuda.sha256 app.tar.xz
tree=$(git ls-files -co --exclude-standard -z | du -cb --files0-from=- | tail -1 | cut -f1)
part=${PART_BYTES:-$(( 64 * 1024 * 1024 - tree - 4 * 1024 * 1024 ))}
[ "$part" -gt 4000000 ] || { echo "working tree of $tree bytes leaves no room for parts"; exit 1; }
(cd "$B" && split -b "$part" -d -a 2 bundle.tar bundle.tar.)
n=0
for f in "$B"/bundle.tar.[0-9][0-9]; do
  d=.gpu-p${f##*.}
  mkdir -p "$d"
  mv "$f" "$d/"
  n=$((n + 1))
done
echo "tree $tree bytes; $n parts of at most $part bytes:"
du -b .gpu-p*/*
