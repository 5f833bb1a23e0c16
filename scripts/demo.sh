#!/usr/bin/env bash
# README command 1, the demo: brings RabbitMQ and PostgreSQL up, migrates, imports the bundled tiny-task
# evaluation set, starts the Aggregator, a ProposalWorker and a VerifierWorker as separate processes,
# submits best-of-N (budgets 1..64) over the bundled tiny models, follows its progress and prints the
# accuracy table by level and budget. Stops what it started.
#   scripts/demo.sh [SPEC]        (default samples/demo.yaml)
set -euo pipefail
source "$(dirname "$0")/lib/stack.sh"
SPEC=${1:-samples/demo.yaml}
stack_up

echo "== run"
# the workers announce their models (heartbeat) once loaded, which can be a moment after their queues got
# consumers: wait for that (exit 1 = not served yet; any other failure is left to the real submit to report)
for _ in $(seq 1 30); do
  rc=0; pipeline run submit "$SPEC" --dry-run --require-workers --quiet >/dev/null 2>&1 || rc=$?
  [ "$rc" = 1 ] || break
  sleep 1
done
start=$(date +%s)
RUN=$(pipeline run submit "$SPEC" --quiet)
echo "run $RUN submitted"
# a terminal gets a live view; a log gets a snapshot every 20 s
if [ -t 1 ]; then interval=2; else interval=20; fi
pipeline run status "$RUN" --watch --interval $interval
echo "finished in $(( $(date +%s) - start )) s"

echo "== accuracy by level and budget"
pipeline run report "$RUN"
