#!/usr/bin/env bash
# Issue 17: the whole pipeline on one GPU machine. RabbitMQ + PostgreSQL, the Aggregator, one ProposalWorker
# (policy) and one VerifierWorker (PRM) on the same GPU, the published apps (scripts/gpu/publish.sh), MATH-500;
# submits the run specs named in RUNS one after another, waits for each, then writes $OUT/summary.md (and
# summary.json): per run the wall time (submit to the last stored round), generated tokens (SQL), tokens/s
# through the pipeline, GPU utilisation over the run, and where the time goes (per-round latency from the
# database; engine time, PRM time and queue waits from the workers' per-batch log lines; the Aggregator's own
# time from its Debug "round latency" line). Stops everything it started.
#
# On the GPU machine, after `real_run.sh prepare` (models in /tmp/real) with every publish.sh part in /tmp/p:
#   OUT=$OUT RUNS="bon16 beam16" MATH500=.gpu-data/math500_test.jsonl scripts/gpu/pipeline_run.sh
# Settings (environment):
#   RUNS          names of samples/gpu/NAME.yaml, run one after another (default: bon16); a name given again is a
#                 repeat, reported as NAME-r2, NAME-r3, ... (its engine baselines are those of the first, not rerun)
#   MATH500       the MATH-500 JSONL file (default .gpu-data/math500_test.jsonl), imported as DATASET
#   DATASET       dataset name (default math500); the specs' `dataset:` line is rewritten to it
#   POLICY, PRM   manifests (default: the one in /tmp/real/llama and /tmp/real/prm); the specs' `policy:`
#                 and `prm:` lines are rewritten to them
#   SPEC_SED      extra sed expressions applied to every spec (e.g. 's/limit: 100/limit: 10/')
#   DEVICE        Inference__Device of both workers (default cuda: fails rather than falling back to CPU)
#   SERVICES      gpu: start and stop RabbitMQ + PostgreSQL with scripts/gpu/services_gpu.sh (default);
#                 running: use servers already up (the ConnectionStrings__Pipeline / RabbitMq__* in the
#                 environment, else `scripts/services.sh env`), never stopped here
#   PIPELINE_DATABASE, RabbitMq__VirtualHost   a database and vhost of one's own (default with SERVICES=gpu:
#                 new ones per call, pipeline_run_<start time> and run-<start time>; with running: pipeline, /)
#   PROPOSAL_GPU_GIB, VERIFIER_GPU_GIB   each worker's GPU memory limit per session (Inference__CudaMemoryLimitGiB)
#   WORKERS       separate: a ProposalWorker and a VerifierWorker process (default); combined: one combined-worker
#                 process serving both models (one CUDA context, so the two models' kernels can overlap instead of
#                 time-slicing); there PROPOSAL_GPU_GIB and VERIFIER_GPU_GIB limit the policy's and the PRM's session
#                 (Inference__Policy__/Inference__Prm__CudaMemoryLimitGiB) and COMBINED_GPU_GIB, if set, both
#   APP           the published apps (app_env.sh, default /tmp/gpubench); LOCAL_BUILD=1 runs the Release
#                 builds under src/ with dotnet instead
#   WARMUP        problems of the first spec run first, unmeasured (default 4; 0 = no warm-up)
#   DEADLINE_S    stop waiting this many seconds after the script started (default 560, 500 with BASELINE=1,
#                 inside a 10-minute call): the unfinished run is summarized as such, everything is stopped,
#                 files come back
#   BASELINE=1    then the engine alone (GpuBench, BASELINE_RUNNER, default engine-shared) at the batch sizes
#                 the ProposalWorker used, the run's max_new_tokens, on BASELINE_PROMPTS (default
#                 /tmp/real/llama-prompts.json: 300-token prompts), and the PRM alone (GpuBench prm-round) on
#                 the tree a VerifierWorker batch scored; needs the published apps
#   Proposal__*, Verifier__*, Inference__*, Aggregator__*: passed through to the services.
set -uo pipefail
T0=$(date +%s)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
export TZ=UTC DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
OUT=${OUT:-/tmp/out}
W=${WORK:-/tmp/pipeline-run}
RUNS=${RUNS:-bon16}
MATH500=${MATH500:-.gpu-data/math500_test.jsonl}
DATASET=${DATASET:-math500}
DEVICE=${DEVICE:-cuda}
SERVICES=${SERVICES:-gpu}
WORKERS=${WORKERS:-separate}
case "$WORKERS" in separate|combined) ;; *) echo "WORKERS=$WORKERS: separate or combined" >&2; exit 2;; esac
# a baseline after the runs needs ~1 min more (GpuBench loads the policy again)
if [ "${BASELINE:-0}" = 1 ]; then DEADLINE_S=${DEADLINE_S:-500}; else DEADLINE_S=${DEADLINE_S:-560}; fi
POLICY=${POLICY:-$(ls /tmp/real/llama/*.manifest.json 2>/dev/null | head -1)}
PRM=${PRM:-$(ls /tmp/real/prm/*.manifest.json 2>/dev/null | head -1)}
rm -rf "$W"
mkdir -p "$OUT" "$W/logs" "$W/runs" "$W/specs"
L=$W/logs
log() { echo "[pipeline_run $(date +%H:%M:%S)] $*"; }
die() { log "error: $*"; exit 1; }

[ -f "$MATH500" ] || die "MATH500=$MATH500: no such file (carry a copy, e.g. in .gpu-data/)"
[ -f "$POLICY" ] || die "POLICY=$POLICY: no policy manifest (run real_run.sh prepare first, or set POLICY)"
[ -f "$PRM" ] || die "PRM=$PRM: no PRM manifest (run real_run.sh prepare first, or set PRM)"
for name in $RUNS; do [ -f "samples/gpu/$name.yaml" ] || die "RUNS: samples/gpu/$name.yaml does not exist"; done
# one folder per run: a repeated name gets -r2, -r3, ...
declare -A seen_run=() spec_of=()
DIRS=""
for name in $RUNS; do
  k=$(( ${seen_run[$name]:-0} + 1 )); seen_run[$name]=$k
  dir=$name; [ "$k" = 1 ] || dir=$name-r$k
  spec_of[$dir]=$name; DIRS="$DIRS $dir"
done
DIRS=${DIRS# }

if [ "${LOCAL_BUILD:-0}" = 1 ]; then
  # the Release builds under src/, behind one small launcher each, so they are called as the published apps are
  BINDIR=$W/bin; mkdir -p "$BINDIR"
  for a in src/Producer:pipeline src/Aggregator:aggregator src/ProposalWorker:proposal-worker src/VerifierWorker:verifier-worker \
           src/CombinedWorker:combined-worker benchmarks/GpuBench:GpuBench; do
    printf '#!/bin/bash\nexec dotnet "%s" "$@"\n' "$root/${a%%:*}/bin/Release/net10.0/${a#*:}.dll" > "$BINDIR/${a#*:}"
    chmod +x "$BINDIR/${a#*:}"
  done
else
  . "$here/app_env.sh"
  BINDIR=$APP
fi
app() { local exe=$1; shift; "$BINDIR/$exe" "$@"; }
pipeline() { app pipeline "$@"; }
sql() { pipeline db query "$1"; }

# ---------- everything started here is stopped on exit, whatever happens
pids=()
services_started=0
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  pids=()
  [ "$services_started" = 1 ] && "$here/services_gpu.sh" stop
  services_started=0
}
trap cleanup EXIT

# ---------- servers
case $SERVICES in
  gpu)
    [ -x "$here/services_gpu.sh" ] || die "scripts/gpu/services_gpu.sh is missing"
    "$here/services_gpu.sh" start > "$L/services.log" 2>&1 || { tail -n 30 "$L/services.log"; die "services_gpu.sh start failed"; }
    services_started=1
    eval "$("$here/services_gpu.sh" env)" ;;
  running)
    [ -n "${ConnectionStrings__Pipeline:-}" ] || eval "$("$root/scripts/services.sh" env)" ;;
  *) die "SERVICES=$SERVICES: gpu or running" ;;
esac
# Servers started here keep their data between calls on a warm machine: a run left unfinished by an earlier
# call's deadline would be resumed by the recovery sweep and its queued rounds served, competing with this
# call's runs (it happened: docs/gpu.md). So each call gets a database and a vhost of its own.
if [ "$SERVICES" = gpu ]; then
  PIPELINE_DATABASE=${PIPELINE_DATABASE:-pipeline_run_$T0}
  export RabbitMq__VirtualHost=${RabbitMq__VirtualHost:-run-$T0}
fi
if [ -n "${PIPELINE_DATABASE:-}" ]; then
  export ConnectionStrings__Pipeline=$(printf %s "$ConnectionStrings__Pipeline" | sed "s/Database=[^;]*/Database=$PIPELINE_DATABASE/")
fi
mgmt="http://127.0.0.1:${RabbitMq__ManagementPort:-15672}/api"
# The management API, through curl or (a machine without curl) Python's urllib.
http() {
  local method=$1 url=$2 body=${3:-}
  if command -v curl > /dev/null; then
    curl -sf -u "$RabbitMq__Username:$RabbitMq__Password" -X "$method" -H 'content-type: application/json' ${body:+-d "$body"} "$url"
  else
    python3 - "$method" "$url" "$body" <<'PY'
import base64, os, sys, urllib.request
m, url, body = sys.argv[1:4]
req = urllib.request.Request(url, data=body.encode() if body else None, method=m)
req.add_header("Authorization", "Basic " + base64.b64encode(f"{os.environ['RabbitMq__Username']}:{os.environ['RabbitMq__Password']}".encode()).decode())
req.add_header("content-type", "application/json")
try: print(urllib.request.urlopen(req, timeout=5).read().decode())
except Exception: sys.exit(1)
PY
  fi
}
if [ -n "${RabbitMq__VirtualHost:-}" ] && [ "$RabbitMq__VirtualHost" != / ]; then
  http PUT "$mgmt/vhosts/$RabbitMq__VirtualHost" > /dev/null || die "cannot create vhost $RabbitMq__VirtualHost"
  http PUT "$mgmt/permissions/$RabbitMq__VirtualHost/$RabbitMq__Username" '{"configure":".*","write":".*","read":".*"}' > /dev/null
fi
vhost=$(printf %s "${RabbitMq__VirtualHost:-/}" | sed 's#/#%2F#g')

# ---------- schema (as the services expect it: `pipeline db migrate`, which also creates the database) and data
log "schema and dataset"
pipeline db migrate > "$L/migrate.log" 2>&1 || { cat "$L/migrate.log"; die "db migrate failed"; }
if [ "$(sql "SELECT count(*) FROM pipeline.datasets WHERE name = '$DATASET'")" = 0 ]; then
  pipeline dataset import "$MATH500" --format math --name "$DATASET" | tail -n 2 || die "dataset import failed"
fi

# ---------- services on the GPU; their logs and the GPU samples go straight to $OUT, so a call cut short still
# brings them back (with the summary and the tarball: 7 files, of the 8 a call returns)
export Models__Policy=$POLICY Models__Prm=$PRM Inference__Device=$DEVICE
if [ "$DEVICE" = cuda ]; then
  # as real_run.sh's engine runs; positions reserved once (prompt + 10 steps of 40 tokens fit in 2048)
  export Inference__MaxPrefillTokens=${Inference__MaxPrefillTokens:-65536} Inference__KvCacheLength=${Inference__KvCacheLength:-2048}
fi
{ env | grep -E "^(Proposal|Verifier|Inference|Aggregator|Models)__" | sort; echo "WORKERS=$WORKERS"; for v in PROPOSAL_GPU_GIB VERIFIER_GPU_GIB COMBINED_GPU_GIB; do [ -z "${!v:-}" ] || echo "$v=${!v}"; done; } > "$W/settings.txt"
# each role's log file: the combined worker writes both roles' per-batch lines into one, which the summary reads twice
declare -A logfile=([aggregator]=$OUT/aggregator.log [proposal-worker]=$OUT/proposal-worker.log [verifier-worker]=$OUT/verifier-worker.log)
log "starting the Aggregator and the $WORKERS workers ($DEVICE)"
env Logging__LogLevel__Pipeline.Aggregator.RoundScoredConsumer=Debug "$BINDIR/aggregator" > "$OUT/aggregator.log" 2>&1 & pids+=($!)
# started directly, not through app(): $! must be the process itself for cleanup to end it
# Each worker's share of the one GPU (Inference__CudaMemoryLimitGiB per session arena; unset = no limit): two
# arenas that only grow ran one H200 out of memory at best-of-256 (docs/gpu.md).
if [ "$WORKERS" = combined ]; then
  logfile[proposal-worker]=$OUT/combined-worker.log; logfile[verifier-worker]=$OUT/combined-worker.log
  env ${COMBINED_GPU_GIB:+Inference__CudaMemoryLimitGiB=$COMBINED_GPU_GIB} ${PROPOSAL_GPU_GIB:+Inference__Policy__CudaMemoryLimitGiB=$PROPOSAL_GPU_GIB} \
    ${VERIFIER_GPU_GIB:+Inference__Prm__CudaMemoryLimitGiB=$VERIFIER_GPU_GIB} "$BINDIR/combined-worker" > "$OUT/combined-worker.log" 2>&1 & pids+=($!)
else
  env ${PROPOSAL_GPU_GIB:+Inference__CudaMemoryLimitGiB=$PROPOSAL_GPU_GIB} "$BINDIR/proposal-worker" > "$OUT/proposal-worker.log" 2>&1 & pids+=($!)
  env ${VERIFIER_GPU_GIB:+Inference__CudaMemoryLimitGiB=$VERIFIER_GPU_GIB} "$BINDIR/verifier-worker" > "$OUT/verifier-worker.log" 2>&1 & pids+=($!)
fi
services=${#pids[@]}
if command -v nvidia-smi > /dev/null; then
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -lms 500 > "$OUT/gpu.csv" 2>/dev/null & pids+=($!)
fi
alive() { for p in "${pids[@]:0:$services}"; do kill -0 "$p" 2>/dev/null || return 1; done; }
# Messages published before a consumer declared its queue would be dropped: wait until each has one
# (the workers first load their models).
for q in search-requested expand-round score-round round-scored; do
  n=0
  for _ in $(seq 1 300); do
    n=$(http GET "$mgmt/queues/$vhost/$q" 2>/dev/null | grep -Eo '"consumers":[0-9]+' | head -1 | grep -Eo '[0-9]+' || true)
    [ "${n:-0}" -ge 1 ] && break
    alive || { tail -n 20 "$OUT"/*.log; die "a service exited while starting"; }
    sleep 1
  done
  [ "${n:-0}" -ge 1 ] || die "queue $q has no consumer after 300 s; see $OUT/*.log"
done
log "services up after $(( $(date +%s) - T0 )) s"

# ---------- warm-up: the first spec on WARMUP problems (default 4; 0 = none), not measured, so the first measured
# run does not pay for JIT, CUDA graph capture and the allocators' first growth
wait_run() {
  until [ "$(sql "SELECT status FROM pipeline.runs WHERE run_id = '$1'")" = done ]; do
    alive || { log "a service exited during run $2"; return 1; }
    if [ $(( $(date +%s) - T0 )) -ge "$DEADLINE_S" ]; then log "DEADLINE_S=$DEADLINE_S reached: run $2 unfinished"; return 1; fi
    sleep 2
  done
}
if [ "${WARMUP:-4}" -gt 0 ]; then
  first=${RUNS%% *}
  sed -e "s#^\( *policy:\).*#\1 $POLICY#" -e "s#^\( *prm:\).*#\1 $PRM#" -e "s#^dataset:.*#dataset: $DATASET#" \
      ${SPEC_SED:+-e "$SPEC_SED"} -e "s#^problems:.*#problems: { limit: ${WARMUP:-4} }#" -e "s#^name: \(.*\)#name: \1-warmup#" \
      "samples/gpu/$first.yaml" > "$W/specs/warmup.yaml"
  t=$(date +%s)
  run=$(pipeline run submit "$W/specs/warmup.yaml" --quiet 2> "$W/specs/warmup.err") || { cat "$W/specs/warmup.err"; die "warm-up submit failed"; }
  wait_run "$run" warmup || die "warm-up did not finish"
  log "warm-up ($first on ${WARMUP:-4} problems) took $(( $(date +%s) - t )) s"
fi

# ---------- runs, one after another
bytes() { stat -c %s "$1" 2>/dev/null || echo 0; }
slice() { tail -c +"$(( $2 + 1 ))" "$1" | head -c "$(( $3 - $2 ))"; }
for name in $DIRS; do
  spec="$W/specs/$name.yaml"
  sed -e "s#^\( *policy:\).*#\1 $POLICY#" -e "s#^\( *prm:\).*#\1 $PRM#" -e "s#^dataset:.*#dataset: $DATASET#" \
      ${SPEC_SED:+-e "$SPEC_SED"} "samples/gpu/${spec_of[$name]}.yaml" > "$spec"
  d="$W/runs/$name"; mkdir -p "$d"
  declare -A off=()
  for f in aggregator proposal-worker verifier-worker; do off[$f]=$(bytes "${logfile[$f]}"); done
  t_submit=$(date +%s.%N)
  run=$(pipeline run submit "$spec" --quiet 2> "$d/submit.err") || { cat "$d/submit.err"; die "run submit $name failed"; }
  log "run $name: $run submitted"
  finished=1
  wait_run "$run" "$name" || finished=0
  t_done=$(date +%s.%N)
  for f in aggregator proposal-worker verifier-worker; do slice "${logfile[$f]}" "${off[$f]}" "$(bytes "${logfile[$f]}")" > "$d/$f.log"; done
  printf 'name=%s\nrun_id=%s\nt_submit=%s\nt_done=%s\nfinished=%s\n' "$name" "$run" "$t_submit" "$t_done" "$finished" > "$d/meta.txt"
  # one row, '|' between columns (names in db-columns.txt); per-round latency = a round's completion minus the
  # previous round's (the next round is requested in the transaction that stores the previous one) or the
  # search's start for round 0
  echo "submitted|first_start|last_round|searches|done|failed|rounds|candidates|generated_tokens|steps|prompt_tokens|rounds_per_search|lat_mean|lat_p50|lat_p90|lat_p99|lat_max|max_new_tokens|max_steps|first_prompt_tokens" > "$d/db-columns.txt"
  sql "WITH s AS (SELECT * FROM pipeline.searches WHERE run_id = '$run'),
            r AS (SELECT q.*, EXTRACT(EPOCH FROM q.completed_at - COALESCE(lag(q.completed_at) OVER (PARTITION BY q.search_id ORDER BY q.round), s.started_at))::float8 AS sec
                  FROM pipeline.search_rounds q JOIN s USING (search_id)),
            t AS (SELECT count(*) AS n, COALESCE(sum(prompt_tokens), 0) AS p FROM pipeline.steps JOIN s USING (search_id))
       SELECT EXTRACT(EPOCH FROM (SELECT created_at FROM pipeline.runs WHERE run_id = '$run'))::float8,
              EXTRACT(EPOCH FROM (SELECT min(started_at) FROM s))::float8, EXTRACT(EPOCH FROM (SELECT max(completed_at) FROM r))::float8,
              (SELECT count(*) FROM s), (SELECT count(*) FROM s WHERE status = 'done'), (SELECT count(*) FROM s WHERE status = 'failed'),
              (SELECT count(*) FROM r), (SELECT COALESCE(sum(candidates), 0) FROM r), (SELECT COALESCE(sum(generated_tokens), 0) FROM r),
              (SELECT n FROM t), (SELECT p FROM t), (SELECT count(*)::float8 / NULLIF((SELECT count(*) FROM s), 0) FROM r),
              (SELECT avg(sec) FROM r), (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY sec) FROM r),
              (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY sec) FROM r), (SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY sec) FROM r),
              (SELECT max(sec) FROM r),
              (SELECT max_new_tokens FROM pipeline.runs WHERE run_id = '$run'), (SELECT max_steps FROM pipeline.runs WHERE run_id = '$run'),
              (SELECT avg(prompt_tokens)::float8 FROM pipeline.steps JOIN s USING (search_id) WHERE depth = 1 AND prompt_tokens > 0)" > "$d/db.txt" \
    || log "run $name: the statistics query failed"
  sql "SELECT finish_reason, count(*) FROM pipeline.steps JOIN pipeline.searches USING (search_id) WHERE run_id = '$run' GROUP BY 1 ORDER BY 1" > "$d/finish-reasons.txt"
  sql "SELECT failure_reason, count(*) FROM pipeline.searches WHERE run_id = '$run' AND failure_reason IS NOT NULL GROUP BY 1" > "$d/failures.txt"
  log "run $name: finished=$finished after $(awk -v a="$t_submit" -v b="$t_done" 'BEGIN {printf "%.0f", b - a}') s"
  [ "$finished" = 1 ] || break
done

# ---------- stop the services (the baseline needs the GPU alone), then the summary
cleanup
python3 "$here/pipeline_summary.py" --work "$W" --out "$OUT" --gpu "$OUT/gpu.csv" --runs "$DIRS" || log "summary failed"

if [ "${BASELINE:-0}" = 1 ]; then
  [ -x "$BINDIR/GpuBench" ] || die "BASELINE=1 needs GpuBench (published, or benchmarks/GpuBench built in Release with LOCAL_BUILD=1)"
  # The engine alone at the batch sizes the ProposalWorker ran (pipeline_summary.py wrote them), with the
  # spec's token limit per call and BASELINE_PROMPTS' 300-token prompts.
  for name in $DIRS; do
    # a repeat's batches and lengths are its first run's: take that run's baselines rather than measure them again
    first_dir=${spec_of[$name]}
    if [ "$first_dir" != "$name" ] && [ -d "$W/baseline/$first_dir" ]; then
      cp -r "$W/baseline/$first_dir" "$W/baseline/$name"; log "baseline $name: that of $first_dir"; continue
    fi
    [ -f "$W/runs/$name/baseline-args.txt" ] || continue
    [ $(( $(date +%s) - T0 )) -lt $(( DEADLINE_S + 40 )) ] || { log "no time left for the baseline of $name"; continue; }
    read -r batches newtok < "$W/runs/$name/baseline-args.txt"
    mkdir -p "$W/baseline/$name"
    log "baseline $name: GpuBench ${BASELINE_RUNNER:-engine-shared} at batch $batches, $newtok new tokens"
    "$BINDIR/GpuBench" --Inference:Device="$DEVICE" --Inference:MaxPrefillTokens=65536 --Inference:KvCacheLength=2048 \
      --GpuBench:Manifest="$POLICY" --GpuBench:SharedManifest="$POLICY" --GpuBench:Runners="${BASELINE_RUNNER:-engine-shared}" \
      --GpuBench:Modes=bench --GpuBench:Prompts="${BASELINE_PROMPTS:-/tmp/real/llama-prompts.json}" --GpuBench:Batches="$batches" \
      --GpuBench:NewTokens="$newtok" --GpuBench:Out="$W/baseline/$name" > "$W/baseline/$name/gpubench.log" 2>&1 \
      || { tail -n 5 "$W/baseline/$name/gpubench.log"; log "baseline $name failed"; }
    # the PRM alone on the tree one VerifierWorker batch scored (pipeline_summary.py's prm_shape): shared prefixes
    # run once, as the worker's PrefixPrmScorer runs them, not as separate sequences (GpuBench prm mode)
    [ -f "$W/runs/$name/prm-baseline-args.txt" ] || continue
    [ $(( $(date +%s) - T0 )) -lt $(( DEADLINE_S + 60 )) ] || { log "no time left for the PRM baseline of $name"; continue; }
    read -r pcase ptokens pproblem < "$W/runs/$name/prm-baseline-args.txt"
    mkdir -p "$W/baseline/$name/prm"
    log "baseline $name: GpuBench prm-round case $pcase (searches,candidates,width,depth), $pproblem-token problem, $ptokens-token steps"
    "$BINDIR/GpuBench" --Inference:Device="$DEVICE" --Inference:MaxPrefillTokens=65536 \
      --GpuBench:Manifest="$PRM" --GpuBench:Runners= --GpuBench:PrmManifest="$PRM" --GpuBench:Modes=prm-round --GpuBench:Prompts="${BASELINE_PROMPTS:-/tmp/real/llama-prompts.json}" \
      --GpuBench:PrmRoundCase="$pcase" --GpuBench:PrmRoundStepTokens="$ptokens" --GpuBench:PrmRoundProblemTokens="$pproblem" \
      --GpuBench:Out="$W/baseline/$name/prm" > "$W/baseline/$name/prm/gpubench.log" 2>&1 \
      || { tail -n 5 "$W/baseline/$name/prm/gpubench.log"; log "PRM baseline $name failed"; }
  done
  python3 "$here/pipeline_summary.py" --work "$W" --out "$OUT" --gpu "$OUT/gpu.csv" --runs "$DIRS" || log "summary failed"
fi

tar -C "$W" -czf "$OUT/pipeline-run.tar.gz" . && log "specs, per-run SQL rows and log slices, servers and migrate logs, baseline: $OUT/pipeline-run.tar.gz"
cat "$OUT/summary.md" 2>/dev/null
