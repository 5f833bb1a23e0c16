#!/usr/bin/env bash
# Issue 12's judge in parts that fit a 2-core machine: runs each SPEC in turn (the first one is the
# target that matters most, so a cut-short session still has it) on a database and vhost of its own,
# then prints scripts/issue12-targets.sh for each run.
#   scripts/issue12-judge.sh DATABASE SPEC...
set -euo pipefail
export PIPELINE_DATABASE=${1:?usage: scripts/issue12-judge.sh DATABASE SPEC...}
shift
export RabbitMq__VirtualHost=${RabbitMq__VirtualHost:-$PIPELINE_DATABASE}
source "$(dirname "$0")/lib/stack.sh"
LOGS="$ROOT/.run/logs-$PIPELINE_DATABASE"
stack_up
for spec in "$@"; do
  start=$(date +%s)
  RUN=$(pipeline run submit "$spec" --quiet)
  echo "== $spec: run $RUN submitted at $(date -u +%H:%M:%S)"
  pipeline run status "$RUN" --watch --interval 60
  echo "run $RUN finished in $(( $(date +%s) - start )) s"
  "$ROOT/scripts/issue12-targets.sh" "$RUN" "$PIPELINE_DATABASE"
done
