#!/usr/bin/env bash
# Runs one spec on a database and vhost of its own and dumps the rows it left (scripts/dump-run-rows.sh):
# the before/after check of a refactoring that must not change behaviour.
#   scripts/run-spec-rows.sh SPEC DATABASE OUT.tsv
# The database is dropped first if it exists, so the problem ids (and the seeds derived from them)
# are those of a fresh import.
set -euo pipefail
SPEC=${1:?usage: scripts/run-spec-rows.sh SPEC DATABASE OUT.tsv}
export PIPELINE_DATABASE=${2:?database}
OUT=${3:?output file}
export RabbitMq__VirtualHost=${RabbitMq__VirtualHost:-$PIPELINE_DATABASE}
source "$(dirname "$0")/lib/stack.sh"
LOGS="$ROOT/.run/logs-$PIPELINE_DATABASE"
eval "$("$ROOT/scripts/services.sh" env)"
cs=$ConnectionStrings__Pipeline
kv() { printf %s "$cs" | tr ';' '\n' | sed -n "s/^$1=//Ip" | head -1; }
PGPASSWORD=$(kv Password) psql -X -q -h "$(kv Host)" -p "$(kv Port)" -U "$(kv Username)" -d postgres \
  -c "DROP DATABASE IF EXISTS \"$PIPELINE_DATABASE\" WITH (FORCE)"
stack_up
RUN=$(pipeline run submit "$SPEC" --quiet)
start=$(date +%s)
pipeline run status "$RUN" --watch --interval 20
echo "run $RUN finished in $(( $(date +%s) - start )) s"
"$ROOT/scripts/dump-run-rows.sh" "$PIPELINE_DATABASE" > "$OUT"
wc -l "$OUT"
