#!/usr/bin/env bash
# Publishes GpuBench (with the engine) and the pipeline's five apps (Aggregator, ProposalWorker,
# VerifierWorker, CombinedWorker, the `pipeline` CLI) self-contained for linux-x64 into ONE app folder, so the .NET
# runtime and the 284 MB CUDA provider travel once, and cuts it into parts that the GPU machine's calls
# can carry. Each project is published into its own folder first and then merged: a file name that two
# projects publish with different contents (another version of a shared assembly, say) would make one
# of them run against the other's file, so the script fails and names them instead. Every app's apphost
# is then started once from the merged folder (--help / a short run) to prove it loads from there.
# A call carries the whole working tree (tracked + untracked files, ~47 MB with the tiny models) plus
# its carried folders, 64 MiB at most, so each part gets what the tree leaves free (PART_BYTES
# overrides). Output, all git-ignored (/.gpu*/):
#   .gpu-build/app/           the merged publish (~430 MB, 284 MB of it the CUDA provider)
#   .gpu-pNN/bundle.tar.NN    part NN of one tar holding cuda.xz (the provider, ~186 MB) and
#                             app.tar.xz (everything else)
# Each device call copies its part to /tmp/p; app_env.sh joins and unpacks them (docs/gpu.md).
# APPS overrides the project list (e.g. APPS=benchmarks/GpuBench for the benchmark alone).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=.gpu-build
APPS=${APPS:-"benchmarks/GpuBench src/Aggregator src/ProposalWorker src/VerifierWorker src/CombinedWorker src/Producer"}
rm -rf "$B/app" "$B/pub" "$B/app.tar.xz" "$B/bundle.tar" .gpu-app .gpu-part* .gpu-p[0-9]*
mkdir -p "$B/app" "$B/pub"
for p in $APPS; do
  dotnet publish "$p" -c Release -r linux-x64 --self-contained -o "$B/pub/$(basename "$p")" -v q -nologo
done

# Merge; identical files (the runtime, shared assemblies, ONNX Runtime) are kept once.
clash=0
for p in $APPS; do
  src="$B/pub/$(basename "$p")"
  while IFS= read -r -d '' f; do
    rel=${f#"$src"/}
    if [ -e "$B/app/$rel" ]; then
      cmp -s "$f" "$B/app/$rel" || { echo "clash: $rel differs between $(cat "$B/app/$rel.from" 2>/dev/null || echo '?') and $p"; clash=1; }
    else
      mkdir -p "$(dirname "$B/app/$rel")"
      cp -p "$f" "$B/app/$rel"
      echo "$p" > "$B/app/$rel.from"
    fi
  done < <(find "$src" -type f -print0)
done
find "$B/app" -name '*.from' -delete
[ "$clash" = 0 ] || { echo "publish.sh: projects publish different files under one name (above): not merged"; exit 1; }
rm -rf "$B/pub"

# Each app starts from the merged folder: the CLI prints its help; each service is started without a
# database or model and must stop on that missing configuration (its own message), which it reaches
# only after its host, DI container and MassTransit have loaded, not on a missing file.
"$B/app/pipeline" --help > /dev/null || { echo "pipeline --help fails from $B/app"; exit 1; }
for a in aggregator:"no database configured" proposal-worker:"model manifest not found" verifier-worker:"model manifest not found" combined-worker:"model manifest not found"; do
  exe=${a%%:*}; want=${a#*:}
  [ -x "$B/app/$exe" ] || continue
  out=$(timeout 60 env -i PATH="$PATH" HOME="$HOME" Models__Policy=/nonexistent Models__Prm=/nonexistent "$B/app/$exe" 2>&1 || true)
  grep -q "$want" <<<"$out" || { echo "$exe does not start from $B/app (expected '$want'):"; echo "$out" | head -c 3000; exit 1; }
done
echo "apps start from $B/app: $(ls "$B/app" | grep -cE '^(GpuBench|aggregator|proposal-worker|verifier-worker|combined-worker|pipeline)$') of 6"

tar -C "$B/app" --exclude=libonnxruntime_providers_cuda.so -cf - . | xz -T2 -6 > "$B/app.tar.xz"
sha=$(sha256sum "$B/app/libonnxruntime_providers_cuda.so" | cut -d' ' -f1)
# The provider comes from the NuGet package and rarely changes: recompress only when it did (~6 min).
if [ "$(cat "$B/cuda.sha256" 2>/dev/null)" != "$sha" ] || [ ! -f "$B/cuda.xz" ]; then
  xz -T2 -6 -c "$B/app/libonnxruntime_providers_cuda.so" > "$B/cuda.xz"
  echo "$sha" > "$B/cuda.sha256"
fi
tar -C "$B" -cf "$B/bundle.tar" cuda.xz cuda.sha256 app.tar.xz
. "$ROOT/scripts/gpu/parts.sh"
cut_parts "$B/bundle.tar" .gpu-p
echo "app.tar.xz $(du -b "$B/app.tar.xz" | cut -f1) bytes, cuda.xz $(du -b "$B/cuda.xz" | cut -f1) bytes"
du -b .gpu-p*/*
