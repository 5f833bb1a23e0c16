#!/usr/bin/env bash
# Issue 17: do the policy and the PRM overlap on one GPU, in one process (the combined worker's case: one CUDA
# context, a stream per session) and in two (separate workers: two contexts, which the GPU time-slices)? GpuBench's
# overlap mode (benchmarks/GpuBench/OverlapBench.cs): each role loops its engine for SECONDS, alone and then with the
# other running. Writes $OUT/overlap.md. On the GPU machine after `real_run.sh prepare` and the publish's parts:
#   OUT=$OUT scripts/gpu/overlap.sh
# Settings: POLICY, PRM (manifests; default the imported ones in /tmp/real), PROMPTS, BATCH (policy rows, 256),
# NEW_TOKENS (per call, 64), PRM_BATCH (64), PRM_STEPS (10), PRM_STEP_TOKENS (40), PRM_PROBLEM_TOKENS (150),
# SECONDS_EACH (20), DEVICE (cuda), LOCAL_BUILD=1 (the Release build under benchmarks/ with dotnet, for a CPU check).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT/overlap"
DEVICE=${DEVICE:-cuda}
POLICY=${POLICY:-$(ls /tmp/real/llama/*.manifest.json 2>/dev/null | head -1)}
PRM=${PRM:-$(ls /tmp/real/prm/*.manifest.json 2>/dev/null | head -1)}
PROMPTS=${PROMPTS:-/tmp/real/llama-prompts.json}
if [ "${LOCAL_BUILD:-0}" = 1 ]; then bench() { dotnet "$root/benchmarks/GpuBench/bin/Release/net10.0/GpuBench.dll" "$@"; }
else . "$here/app_env.sh"; bench() { "$APP/GpuBench" "$@"; }; fi
args=(--Inference:Device="$DEVICE" --Inference:MaxPrefillTokens=65536 --Inference:KvCacheLength=2048
  --GpuBench:Manifest="$POLICY" --GpuBench:SharedManifest="$POLICY" --GpuBench:PrmManifest="$PRM" --GpuBench:Runners=
  --GpuBench:Prompts="$PROMPTS" --GpuBench:Modes=overlap --GpuBench:Batches="${BATCH:-256}" --GpuBench:NewTokens="${NEW_TOKENS:-64}"
  --GpuBench:PrmBatches="${PRM_BATCH:-64}" --GpuBench:PrmSteps="${PRM_STEPS:-10}" --GpuBench:PrmStepTokens="${PRM_STEP_TOKENS:-40}"
  --GpuBench:PrmProblemTokens="${PRM_PROBLEM_TOKENS:-150}" --GpuBench:OverlapSeconds="${SECONDS_EACH:-20}" --GpuBench:Out="$OUT/overlap")
[ "$DEVICE" = cpu ] && args+=(--Inference:IntraOpThreads=1)

echo "== one process, both roles: each alone, then together"
bench "${args[@]}" --GpuBench:OverlapRoles=policy,prm 2>&1 | tee "$OUT/overlap/one-process.log" | grep overlap: || exit 1
echo "== two processes, one role each, started together (loads first, then a common start time)"
at=$(( $(date +%s) + ${LOAD_S:-90} ))
bench "${args[@]}" --GpuBench:OverlapRoles=policy --GpuBench:OverlapStartAt=$at > "$OUT/overlap/two-policy.log" 2>&1 & p=$!
bench "${args[@]}" --GpuBench:OverlapRoles=prm --GpuBench:OverlapStartAt=$at > "$OUT/overlap/two-prm.log" 2>&1 || exit 1
wait $p || exit 1
grep -h overlap: "$OUT/overlap/two-policy.log" "$OUT/overlap/two-prm.log"

python3 - "$OUT/overlap" > "$OUT/overlap.md" <<'PY'
import json, os, sys
d = sys.argv[1]
one = json.load(open(os.path.join(d, "overlap-policy-prm.json")))
pol = json.load(open(os.path.join(d, "overlap-policy.json")))["policy_run_per_s"]
prm = json.load(open(os.path.join(d, "overlap-prm.json")))["prm_run_per_s"]
pa, ra = one["policy_alone_per_s"], one["prm_alone_per_s"]
print("| | policy tok/s | share of alone | PRM steps/s | share of alone | shares summed |")
print("|---|---|---|---|---|---|")
print(f"| each alone (one process) | {pa:.0f} | 100% | {ra:.0f} | 100% | |")
pt, rt = one["policy_together_per_s"], one["prm_together_per_s"]
print(f"| together, one process (one CUDA context) | {pt:.0f} | {pt / pa:.0%} | {rt:.0f} | {rt / ra:.0%} | {pt / pa + rt / ra:.2f} |")
print(f"| together, two processes (two contexts) | {pol:.0f} | {pol / pa:.0%} | {prm:.0f} | {prm / ra:.0%} | {pol / pa + prm / ra:.2f} |")
print()
print("Shares summed: 1 = the GPU takes turns between the two, 2 = each runs as fast as alone.")
PY
cat "$OUT/overlap.md"
