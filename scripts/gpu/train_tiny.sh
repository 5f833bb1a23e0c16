#!/usr/bin/env bash
# Issue 12 on the GPU machine: the whole tiny-arith training (make_all.py's stages) in about 10 minutes
# instead of ~17, by running the stages that do not depend on each other side by side on the one GPU
# (the models are small: each process uses a fraction of it). Meant to be started in the background
# (setsid) by one call while later calls carry other work; `status` and `collect` are separate calls.
#   scripts/gpu/train_tiny.sh start     # setsid, returns at once; logs in /tmp/tiny/logs
#   scripts/gpu/train_tiny.sh status    # which stages finished, the last lines of each log
#   scripts/gpu/train_tiny.sh collect 1|2  # logs + small checkpoints + the large policy (1) / the PRM (2) into $OUT
#   scripts/gpu/train_tiny.sh start-shipped  # keep the shipped small policy: models/tiny-arith/work/policy.pt, rebuilt
#                                         # here from policy.onnx (train/from_onnx.py) and carried, replaces the policy
#                                         # stage, so the pipeline's policy-only numbers stay as they are
#   scripts/gpu/train_tiny.sh collect all  # logs, metrics, revision, large policy and PRM in one call (~62 MiB)
#   scripts/gpu/train_tiny.sh start-carried  # both policies carried in models/tiny-arith/work (policy.pt, and
#                                         # policy_large.pt from from_onnx.py policy-large): no policy is trained,
#                                         # the large one's greedy accuracy is measured (large_greedy.py)
#   SWEEP="1500,1750,2000" PICK_GAIN=0.08 scripts/gpu/train_tiny.sh start-carried  # first train the small policy
#                                         # at those budgets and carry on with the longest one whose level-3
#                                         # step-search ceiling gain is >= PICK_GAIN (policy_sweep.py)
#   scripts/gpu/train_tiny.sh collect new  # logs, sweep, metrics, small policy, revision and PRM (~42 MiB)
# Order: [policy -> samples] and [policy_large] side by side; then [revision] beside [prm, which starts
# from the large policy's weights (TINY_PRM_INIT=policy_large)]; then [eval]. Each branch has its own
# work folder (make_all.py keeps one info.json per folder); outputs and timings are merged into the main one.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=/tmp/tiny
W=$T/work; WL=$T/work-large; WR=$T/work-rev; LOG=$T/logs
OUT=${OUT:-/tmp/out}

stage() {  # stage NAME WORK STAGES
  local name=$1 work=$2 stages=$3
  mkdir -p "$work" "$T/art-$name"
  (cd "$ROOT/models/tiny-arith/train" && ${PYTHON:-python3} make_all.py --work "$work" --out "$T/art-$name" --stages "$stages" ${QUICK:+--quick}) \
    > "$LOG/$name.log" 2>&1
  local rc=$?
  echo "$rc $(date +%s)" > "$LOG/$name.rc"
  return $rc
}

merge_info() {  # merge_info FROM: stage timings and per-stage facts of FROM's info.json into $W's
  [ -f "$1/info.json" ] || return 0   # a carried large policy trains nothing, so leaves no info.json
  python3 - "$1/info.json" "$W/info.json" <<'PY'
import json, sys
src, dst = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("seconds", "hardware"):
    dst.setdefault(k, {}).update(src.get(k, {}))
for k, v in src.items():
    if k not in ("seconds", "hardware", "hyperparameters", "torch") and k not in dst:
        dst[k] = v
json.dump(dst, open(sys.argv[2], "w"), indent=2)
PY
}

# run_all / run_shipped: [policy (run_all only) -> samples] beside [policy_large]; then [revision] beside [prm]; then [eval]
run_stages() {  # run_stages FIRST_STAGES: FIRST_STAGES make $W/policy.pt (or find it there) and the samples
  export PYTHONUNBUFFERED=1 TINY_PRM_INIT=${TINY_PRM_INIT:-policy_large}
  date +%s > "$LOG/start"
  mkdir -p "$W" "$WL" "$WR"
  [ "$1" = samples ] && { cp "$ROOT/models/tiny-arith/work/policy.pt" "$W/" || exit 1; }
  if [ -n "${LARGE_CARRIED:-}" ]; then
    cp "$ROOT/models/tiny-arith/work/policy_large.pt" "$WL/" || exit 1
    (cd "$ROOT/models/tiny-arith/train" && ${PYTHON:-python3} large_greedy.py --work "$WL") > "$LOG/large.log" 2>&1 &
  else
    stage large "$WL" policy_large &
  fi
  large=$!
  stage "${1%%,*}" "$W" "$1" || exit 1
  cp "$W/policy.pt" "$W/samples.jsonl.gz" "$W/info.json" "$WR/"
  stage revision "$WR" revision & rev=$!
  wait $large || exit 1
  cp "$WL/policy_large.pt" "$WL/policy_large_eval.json" "$W/" && merge_info "$WL"
  stage prm "$W" prm || exit 1
  wait $rev || exit 1
  cp "$WR/revision.pt" "$W/" && merge_info "$WR"
  stage eval "$W" eval || exit 1
  echo "all stages done in $(( $(date +%s) - $(cat "$LOG/start") )) s" > "$LOG/done"
}

case "${1:-}" in
start-shipped)
  rm -rf "$T"; mkdir -p "$LOG"
  setsid nohup "$0" run_shipped > "$LOG/driver.log" 2>&1 < /dev/null &
  echo "started from the shipped policy; logs in $LOG"
  ;;
run_shipped) run_stages samples ;;
start-carried)
  rm -rf "$T"; mkdir -p "$LOG"
  setsid nohup env LARGE_CARRIED=1 "$0" run_carried > "$LOG/driver.log" 2>&1 < /dev/null &
  echo "started from the carried policies${SWEEP:+ after a sweep of $SWEEP}; logs in $LOG"
  ;;
run_carried)
  if [ -n "${SWEEP:-}" ]; then
    (cd "$ROOT/models/tiny-arith/train" && ${PYTHON:-python3} policy_sweep.py --work "$T/sweep" --steps "$SWEEP" \
       --levels 3,4 --pick-gain "${PICK_GAIN:-0.08}" --pick-to "$ROOT/models/tiny-arith/work/policy.pt" \
       --out "$T/policy_sweep.json") > "$LOG/sweep.log" 2>&1 || exit 1
  fi
  run_stages samples ;;
start)
  rm -rf "$T"; mkdir -p "$LOG"
  setsid nohup "$0" run_all > "$LOG/driver.log" 2>&1 < /dev/null &
  echo "started; logs in $LOG"
  ;;
run_all) run_stages policy,samples ;;
status)
  cat "$LOG/done" 2>/dev/null
  for f in "$LOG"/*.log; do echo "== $f $(cat "${f%.log}.rc" 2>/dev/null)"; tail -n "${LINES_PER_LOG:-4}" "$f"; done
  nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader 2>/dev/null
  ;;
collect)
  # a call brings back at most 64 MiB: the two 29 MB checkpoints come in two calls (collect 1, collect 2)
  mkdir -p "$OUT"
  tar -C "$T" -czf "$OUT/tiny-logs.tar.gz" logs
  if [ "${2:-1}" = new ]; then
    cp "$T/policy_sweep.json" "$OUT/" 2>/dev/null
    (cd "$W" && tar -cf "$OUT/tiny-small.tar" policy.pt revision.pt info.json metrics.json policy_large_eval.json)
    split -b 15M "$W/prm.pt" "$OUT/prm.pt.part-"
  elif [ "${2:-1}" = all ]; then
    (cd "$W" && tar -cf "$OUT/tiny-small.tar" revision.pt info.json metrics.json policy_large_eval.json)
    split -b 15M "$W/policy_large.pt" "$OUT/policy_large.pt.part-"
    split -b 15M "$W/prm.pt" "$OUT/prm.pt.part-"
  elif [ "${2:-1}" = 1 ]; then
    (cd "$W" && tar -cf "$OUT/tiny-small.tar" policy.pt revision.pt info.json metrics.json policy_large_eval.json)
    split -b 15M "$W/policy_large.pt" "$OUT/policy_large.pt.part-"
  else
    split -b 15M "$W/prm.pt" "$OUT/prm.pt.part-"
  fi
  ls -la "$OUT"
  ;;
*) echo "usage: $0 start|start-shipped|start-carried|status|collect 1|2|all|new" >&2; exit 2 ;;
esac
