# Sourced by scripts/demo.sh and scripts/compare-strategies.sh: brings up the whole pipeline on this
# machine (servers, Release build, schema, the tiny eval set, the three services as separate
# processes) and takes down on exit what it started.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
LOGS="$ROOT/.run/logs"
BIN=bin/Release/net10.0
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
pipeline() { dotnet "$ROOT/src/Producer/$BIN/pipeline.dll" "$@"; }

stack_pids=()
stack_servers_were_up=0

stack_down() {
  for p in "${stack_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ $stack_servers_were_up = 1 ] || "$ROOT/scripts/services.sh" stop || true
}

stack_up() {
  mkdir -p "$LOGS"
  command -v curl >/dev/null || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; }
  port_open "${PIPELINE_PG_PORT:-5433}" && port_open "${PIPELINE_AMQP_PORT:-5672}" && stack_servers_were_up=1
  trap stack_down EXIT

  echo "== services"
  "$ROOT/scripts/services.sh" start
  eval "$("$ROOT/scripts/services.sh" env)"
  # A database and a vhost of one's own (PIPELINE_DATABASE, RabbitMq__VirtualHost) keep parallel
  # stacks on one pair of servers apart; `db migrate` creates the database.
  if [ -n "${PIPELINE_DATABASE:-}" ]; then
    export ConnectionStrings__Pipeline=$(printf %s "$ConnectionStrings__Pipeline" | sed "s/Database=[^;]*/Database=$PIPELINE_DATABASE/")
  fi
  if [ -n "${RabbitMq__VirtualHost:-}" ] && [ "$RabbitMq__VirtualHost" != / ]; then
    local api="http://127.0.0.1:${RabbitMq__ManagementPort}/api"
    curl -sf -u "$RabbitMq__Username:$RabbitMq__Password" -X PUT "$api/vhosts/$RabbitMq__VirtualHost" >/dev/null
    curl -sf -u "$RabbitMq__Username:$RabbitMq__Password" -X PUT -H 'content-type: application/json' \
      -d '{"configure":".*","write":".*","read":".*"}' "$api/permissions/$RabbitMq__VirtualHost/$RabbitMq__Username" >/dev/null
  fi

  echo "== build (Release)"
  # STACK_SKIP_BUILD=1: the Release build is known to be current (a rerun of a measurement)
  [ "${STACK_SKIP_BUILD:-0}" = 1 ] || for p in Producer Aggregator ProposalWorker VerifierWorker; do
    dotnet build "src/$p" -c Release -v quiet -nologo 2>&1 | grep -E " error |rror\(s\)" | grep -v " 0 Error" || true
  done

  echo "== database"
  pipeline db migrate
  pipeline dataset import models/tiny-arith/eval.jsonl --format math --name tiny-arith

  echo "== services as separate processes (logs in $LOGS)"
  export Models__Policy="$ROOT/models/tiny-arith/policy.manifest.json"
  export Models__Prm="$ROOT/models/tiny-arith/prm.manifest.json"
  export Models__Revision="$ROOT/models/tiny-arith/revision.manifest.json"
  # two cores shared by three processes: spinning intra-op threads would only steal each other's time
  export Inference__IntraOpSpinning=false
  export Proposal__BatchSize=${Proposal__BatchSize:-32} Verifier__BatchSize=${Verifier__BatchSize:-32}
  dotnet "src/Aggregator/$BIN/aggregator.dll" > "$LOGS/aggregator.log" 2>&1 & stack_pids+=($!)
  dotnet "src/ProposalWorker/$BIN/proposal-worker.dll" > "$LOGS/proposal-worker.log" 2>&1 & stack_pids+=($!)
  dotnet "src/VerifierWorker/$BIN/verifier-worker.dll" > "$LOGS/verifier-worker.log" 2>&1 & stack_pids+=($!)

  # Publishing before the consumers have declared their queues would drop the messages: wait until
  # each queue has a consumer (RabbitMQ management API).
  local vhost n q
  vhost=$(printf %s "${RabbitMq__VirtualHost:-/}" | sed 's#/#%2F#g')
  for q in search-requested expand-round score-round round-scored; do
    for _ in $(seq 1 120); do
      n=$(curl -s -u "$RabbitMq__Username:$RabbitMq__Password" \
            "http://127.0.0.1:${RabbitMq__ManagementPort}/api/queues/$vhost/$q" \
          | grep -Eo '"consumers":[0-9]+' | head -1 | grep -Eo '[0-9]+' || true)
      [ "${n:-0}" -ge 1 ] && break
      for p in "${stack_pids[@]}"; do
        kill -0 "$p" 2>/dev/null || { echo "a service exited; its log:"; tail -n 20 "$LOGS"/*.log; return 1; }
      done
      sleep 1
    done
    [ "${n:-0}" -ge 1 ] || { echo "queue $q has no consumer after 120 s; see $LOGS"; return 1; }
  done
}
