#!/usr/bin/env bash
# Reads issue 12's targets for one run of samples/tiny-issue12.yaml from the views
# (models/tiny-arith/train/issue12_targets.sql).
#   scripts/issue12-targets.sh RUN_ID [DATABASE]     (database: the one in ConnectionStrings__Pipeline)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN=${1:?usage: scripts/issue12-targets.sh RUN_ID [DATABASE]}
eval "$("$ROOT/scripts/services.sh" env)"
cs=$ConnectionStrings__Pipeline
kv() { printf %s "$cs" | tr ';' '\n' | sed -n "s/^$1=//Ip" | head -1; }
PGPASSWORD=$(kv Password) psql -X -h "$(kv Host)" -p "$(kv Port)" -U "$(kv Username)" -d "${2:-$(kv Database)}" \
  -v run="$RUN" -f "$ROOT/models/tiny-arith/train/issue12_targets.sql"
