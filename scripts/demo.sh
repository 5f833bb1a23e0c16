#!/usr/bin/env bash
# README command 1, the demo: brings RabbitMQ and PostgreSQL up, migrates, imports the bundled tiny-task
# evaluation set, starts the Aggregator, a ProposalWorker and a VerifierWorker as separate processes,
# submits best-of-N (budgets 1..64) over the bundled tiny models, follows its progress and prints the
# accuracy table by level and budget. Stops what it started.
#   scripts/demo.sh [SPEC]        (default samples/demo.yaml; DEMO_PER_LEVEL is not read: edit the spec)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SPEC=${1:-samples/demo.yaml}
LOGS="$ROOT/.run/demo-logs"
mkdir -p "$LOGS"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v curl >/dev/null || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; }

port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
already_up=0
port_open "${PIPELINE_PG_PORT:-5433}" && port_open "${PIPELINE_AMQP_PORT:-5672}" && already_up=1

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ $already_up = 1 ] || scripts/services.sh stop || true
}
trap cleanup EXIT

echo "== services"
scripts/services.sh start
eval "$(scripts/services.sh env)"

echo "== build (Release)"
for p in Producer Aggregator ProposalWorker VerifierWorker; do
  dotnet build "src/$p" -c Release -v quiet -nologo 2>&1 | grep -E "error|Warn|warn" || true
done
BIN=bin/Release/net10.0
pipeline() { dotnet "src/Producer/$BIN/pipeline.dll" "$@"; }

echo "== database"
pipeline db migrate
pipeline dataset import models/tiny-arith/eval.jsonl --format math --name tiny-arith

echo "== services as separate processes (logs in $LOGS)"
export Models__Policy="$ROOT/models/tiny-arith/policy.manifest.json"
export Models__Prm="$ROOT/models/tiny-arith/prm.manifest.json"
export Models__Revision="$ROOT/models/tiny-arith/revision.manifest.json"
# two cores shared by three processes: spinning intra-op threads would only steal each other's time
export Inference__IntraOpSpinning=false Proposal__BatchSize=${Proposal__BatchSize:-32} Verifier__BatchSize=${Verifier__BatchSize:-32}
dotnet "src/Aggregator/$BIN/aggregator.dll" > "$LOGS/aggregator.log" 2>&1 & pids+=($!)
dotnet "src/ProposalWorker/$BIN/proposal-worker.dll" > "$LOGS/proposal-worker.log" 2>&1 & pids+=($!)
dotnet "src/VerifierWorker/$BIN/verifier-worker.dll" > "$LOGS/verifier-worker.log" 2>&1 & pids+=($!)

# Publishing before the consumers have declared their queues would drop the messages: wait for all four
# queues to have a consumer (RabbitMQ management API).
vhost=$(printf %s "${RabbitMq__VirtualHost:-/}" | sed 's#/#%2F#g')
for q in search-requested expand-round score-round round-scored; do
  for i in $(seq 1 120); do
    n=$(curl -s -u "$RabbitMq__Username:$RabbitMq__Password" "http://127.0.0.1:${RabbitMq__ManagementPort}/api/queues/$vhost/$q" \
        | grep -Eo '"consumers":[0-9]+' | head -1 | grep -Eo '[0-9]+' || true)
    [ "${n:-0}" -ge 1 ] && break
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { echo "a service exited; see $LOGS"; tail -20 "$LOGS"/*.log; exit 1; }; done
    sleep 1
  done
  [ "${n:-0}" -ge 1 ] || { echo "queue $q has no consumer after 120 s; see $LOGS"; exit 1; }
done

echo "== run"
start=$(date +%s)
RUN=$(pipeline run submit "$SPEC" --quiet)
echo "run $RUN submitted"
# a terminal gets a live view; a log gets a snapshot every 20 s
if [ -t 1 ]; then interval=2; else interval=20; fi
pipeline run status "$RUN" --watch --interval $interval
echo "finished in $(( $(date +%s) - start )) s"

echo "== accuracy by level and budget"
pipeline run report "$RUN"
