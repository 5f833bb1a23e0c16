#!/usr/bin/env bash
# Issue 6's measurement: the same problems through best-of-N, beam search (M=4 and M=sqrt(N)),
# lookahead (k=1) and DVTS at one budget, each as its own run one after the other on the same
# services, so each run's wall time is its own. Prints accuracy by level (weighted, last-step PRM
# score), wall time, generated tokens (rollouts included) and each time relative to best-of-N.
#   scripts/compare-strategies.sh [N=16] [PER_LEVEL=20]
set -euo pipefail
source "$(dirname "$0")/lib/stack.sh"
N=${1:-16}
PER_LEVEL=${2:-20}
stack_up

cs=$ConnectionStrings__Pipeline
kv() { printf %s "$cs" | tr ';' '\n' | sed -n "s/^$1=//Ip" | head -1; }
export PGHOST=$(kv Host) PGPORT=$(kv Port) PGUSER=$(kv Username) PGPASSWORD=$(kv Password) PGDATABASE=$(kv Database)
sql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

configs=(
  "best_of_n|{ kind: best_of_n, budgets: [$N] }"
  "beam(M=4)|{ kind: beam, beam_width: 4, budgets: [$N] }"
  "beam(M=sqrt)|{ kind: beam, beam_width: sqrt, budgets: [$N] }"
  "lookahead(M=4,k=1)|{ kind: lookahead, beam_width: 4, lookahead: 1, budgets: [$N] }"
  "dvts(M=4)|{ kind: dvts, beam_width: 4, budgets: [$N] }"
)
runs=()
for c in "${configs[@]}"; do
  label=${c%%|*}; strategy=${c#*|}
  spec="$ROOT/.run/compare-$(printf %s "$label" | tr -c 'a-zA-Z0-9' '-').yaml"
  cat > "$spec" <<SPEC
name: compare-$label
dataset: tiny-arith
problems: { levels: [1, 2, 3, 4, 5], per_level: $PER_LEVEL }
models:
  policy: models/tiny-arith/policy.manifest.json
  prm: models/tiny-arith/prm.manifest.json
sampling: { temperature: 1.0, top_p: 1.0, max_new_tokens: 192, max_steps: 12 }
seed: 1234
strategies:
  - $strategy
SPEC
  run=$(pipeline run submit "$spec" --quiet)
  t0=$(date +%s.%N)
  pipeline run status "$run" --watch --interval 1 > "$LOGS/status-$run.log"
  t1=$(date +%s.%N)
  echo "$label: run $run, $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s from submit to done"
  runs+=("$run")
done

ids=$(printf "'%s'," "${runs[@]}"); ids=${ids%,}
echo
echo "== N=$N, $PER_LEVEL problems per level: accuracy (weighted, last) by level, wall time, tokens"
sql <<SQL
WITH t AS (
  SELECT s.run_id, s.strategy_label,
         extract(epoch FROM max(s.finished_at) - min(s.started_at)) AS wall_s,
         count(*) AS searches
  FROM pipeline.searches s WHERE s.run_id IN ($ids) GROUP BY 1, 2),
tok AS (
  SELECT s.run_id, sum(st.generated_tokens + st.lookahead_tokens) AS tokens, count(*) AS steps
  FROM pipeline.steps st JOIN pipeline.searches s USING (search_id)
  WHERE s.run_id IN ($ids) GROUP BY 1),
acc AS (
  SELECT run_id,
         round(100.0 * sum(correct) FILTER (WHERE level = 1) / nullif(sum(problems) FILTER (WHERE level = 1), 0), 0) AS l1,
         round(100.0 * sum(correct) FILTER (WHERE level = 2) / nullif(sum(problems) FILTER (WHERE level = 2), 0), 0) AS l2,
         round(100.0 * sum(correct) FILTER (WHERE level = 3) / nullif(sum(problems) FILTER (WHERE level = 3), 0), 0) AS l3,
         round(100.0 * sum(correct) FILTER (WHERE level = 4) / nullif(sum(problems) FILTER (WHERE level = 4), 0), 0) AS l4,
         round(100.0 * sum(correct) FILTER (WHERE level = 5) / nullif(sum(problems) FILTER (WHERE level = 5), 0), 0) AS l5,
         round(100.0 * sum(correct) / sum(problems), 1) AS "all"
  FROM pipeline.accuracy_by_budget
  WHERE run_id IN ($ids) AND budget_n = $N AND aggregator = 'weighted' AND step_aggregation = 'last'
  GROUP BY 1)
SELECT t.strategy_label AS strategy, acc.l1 AS "L1 %", acc.l2 AS "L2 %", acc.l3 AS "L3 %", acc.l4 AS "L4 %",
       acc.l5 AS "L5 %", acc."all" AS "all %", round(t.wall_s::numeric, 1) AS wall_s, tok.tokens, tok.steps,
       round((t.wall_s / (SELECT wall_s FROM t WHERE strategy_label = 'best_of_n'))::numeric, 2) AS "time / best_of_n"
FROM t JOIN tok USING (run_id) JOIN acc USING (run_id)
ORDER BY array_position(ARRAY['best_of_n','beam(M=4)','beam(M=sqrt)','lookahead(M=4,k=1)','dvts(M=4)'], t.strategy_label);
SQL
