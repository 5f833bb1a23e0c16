#!/usr/bin/env bash
# Load test of the orchestration (issue 15 item 6): the three services on the synthetic inference backend
# (Inference__Backend=synthetic: no model, deterministic 40-token steps, no latency), so what is measured is the
# services, the broker and the database alone. For each spec and each Aggregator count it starts the
# Aggregators afresh, submits the spec, waits for the run and prints:
#   steps/s      steps stored / (last round stored - first search started)
#   round p50/99 the Aggregator's "round latency" (RoundScored published by the verifier -> next ExpandRound
#                published, queue wait included), from its Debug log
#   rows         md5 of the run's steps and outcomes keyed by problem (no ids): equal for 1 and 2 Aggregators
#                means two Aggregators on one run lost and duplicated nothing
#   cpu*         CPU seconds each service used during the run (Aggregators: since their start, JIT included)
#   scripts/load-test.sh [REPEATS=3] [AGGREGATORS="1 2"] [SPECS="samples/load/best-of-64.yaml samples/load/beam-16x4.yaml"]
# PHASES="name:VAR=value,VAR=value name2:..." runs everything once per phase with those variables set for the
# Aggregators (the before/after of a fix that is a setting), e.g.
#   PHASES="before:Aggregator__ConcurrencyLimit=4 after:Aggregator__ConcurrencyLimit=16" scripts/load-test.sh 3 1
# Runs on its own database and vhost (loadtest), dropped first.
set -euo pipefail
REPEATS=${1:-3}
AGGREGATORS=${2:-"1 2"}
SPECS=${3:-"samples/load/best-of-64.yaml samples/load/beam-16x4.yaml"}
export PIPELINE_DATABASE=${PIPELINE_DATABASE:-loadtest}
export RabbitMq__VirtualHost=${RabbitMq__VirtualHost:-$PIPELINE_DATABASE}
export Inference__Backend=synthetic
export Inference__Synthetic__TokensPerStep=${Inference__Synthetic__TokensPerStep:-40}
export Inference__Synthetic__StepsPerSolution=${Inference__Synthetic__StepsPerSolution:-4}
export Heartbeat__IntervalSeconds=${Heartbeat__IntervalSeconds:-0}
source "$(dirname "$0")/lib/stack.sh"
LOGS="$ROOT/.run/logs-$PIPELINE_DATABASE"
eval "$("$ROOT/scripts/services.sh" env)"
cs=$ConnectionStrings__Pipeline
kv() { printf %s "$cs" | tr ';' '\n' | sed -n "s/^$1=//Ip" | head -1; }
export PGHOST=$(kv Host) PGPORT=$(kv Port) PGUSER=$(kv Username) PGPASSWORD=$(kv Password)
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$PIPELINE_DATABASE\" WITH (FORCE)"
stack_up
sql() { psql -X -q -A -t -d "$PIPELINE_DATABASE" -v ON_ERROR_STOP=1 -c "$1"; }
api="http://127.0.0.1:${RabbitMq__ManagementPort}/api/queues/$RabbitMq__VirtualHost"
consumers() { curl -s -u "$RabbitMq__Username:$RabbitMq__Password" "$api/$1" | grep -Eo '"consumers":[0-9]+' | head -1 | grep -Eo '[0-9]+' || echo 0; }

# stack_up started one Aggregator; each measurement starts its own
kill "${stack_pids[0]}"; wait "${stack_pids[0]}" 2>/dev/null || true

# CPU seconds a process has used so far (user + system), to see which service a run keeps busy
cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null || echo 0; }
percentile() { sort -n | awk -v p="$1" '{a[NR]=$1} END {if (NR==0) {print "-"; exit} i=int(NR*p/100+0.999); if (i<1) i=1; printf "%.1f", a[i]}'; }

printf '%-18s %-16s %4s %3s %6s %8s %8s %8s %6s %6s %6s %6s %s\n' phase spec aggs rep steps steps/s p50_ms p99_ms rounds cpuAgg cpuPro cpuVer rows_md5
for phase in ${PHASES:-default:}; do
PHASE=${phase%%:*}
IFS=, read -r -a phase_env <<<"${phase#*:}"
for spec in $SPECS; do
  for n in $AGGREGATORS; do
    for rep in $(seq 1 "$REPEATS"); do
      aggs=()
      for k in $(seq 1 "$n"); do
        log="$LOGS/aggregator-$PHASE-$(basename "$spec" .yaml)-$n-$rep-$k.log"
        env "Logging__LogLevel__Pipeline.Aggregator.RoundScoredConsumer=Debug" "${phase_env[@]}" \
          dotnet "src/Aggregator/$BIN/aggregator.dll" > "$log" 2>&1 & aggs+=($!)
      done
      for _ in $(seq 1 120); do [ "$(consumers round-scored)" -ge "$n" ] && break; sleep 1; done
      p0=$(cpu "${stack_pids[1]}"); v0=$(cpu "${stack_pids[2]}")
      run=$(pipeline run submit "$spec" --quiet)
      until [ "$(sql "SELECT status FROM pipeline.runs WHERE run_id = '$run'")" = done ]; do sleep 1; done
      read -r steps secs rounds < <(sql "
        SELECT (SELECT count(*) FROM pipeline.steps t JOIN pipeline.searches s USING (search_id) WHERE s.run_id = '$run'),
               EXTRACT(EPOCH FROM (SELECT max(q.completed_at) FROM pipeline.search_rounds q JOIN pipeline.searches s USING (search_id) WHERE s.run_id = '$run')
                                - (SELECT min(started_at) FROM pipeline.searches WHERE run_id = '$run')),
               (SELECT count(*) FROM pipeline.search_rounds q JOIN pipeline.searches s USING (search_id) WHERE s.run_id = '$run')" | tr '|' ' ')
      rows=$(sql "
        SELECT md5(string_agg(x, E'\n' ORDER BY x)) FROM (
          SELECT concat_ws('|', p.unique_id, t.node_id, t.parent_node_id, t.round, t.request_index, t.sample_index, t.step_index,
                           t.generated_tokens, t.prm_score, t.terminal, t.extracted_answer, md5(t.text)) x
          FROM pipeline.steps t JOIN pipeline.searches s USING (search_id) JOIN pipeline.problems p USING (problem_id) WHERE s.run_id = '$run'
          UNION ALL
          SELECT concat_ws('|', p.unique_id, o.budget_n, o.aggregator, o.step_aggregation, o.chosen_answer, o.generated_tokens)
          FROM pipeline.outcomes o JOIN pipeline.searches s USING (search_id) JOIN pipeline.problems p USING (problem_id) WHERE s.run_id = '$run') y")
      a=0; for p in "${aggs[@]}"; do a=$(echo "$a + $(cpu "$p")" | bc); done
      p1=$(cpu "${stack_pids[1]}"); v1=$(cpu "${stack_pids[2]}")
      for p in "${aggs[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
      lat=$(cat "$LOGS"/aggregator-"$PHASE"-"$(basename "$spec" .yaml)"-"$n"-"$rep"-*.log | sed -n 's/.*round latency \([0-9.]*\) ms.*/\1/p')
      printf '%-18s %-16s %4s %3s %6s %8.0f %8s %8s %6s %6.1f %6.1f %6.1f %s\n' "$PHASE" "$(basename "$spec" .yaml)" "$n" "$rep" "$steps" \
        "$(echo "$steps / $secs" | bc -l)" "$(percentile 50 <<<"$lat")" "$(percentile 99 <<<"$lat")" "$rounds" \
        "$a" "$(echo "$p1 - $p0" | bc)" "$(echo "$v1 - $v0" | bc)" "${rows:0:12}"
    done
  done
done
done
