#!/usr/bin/env bash
# RabbitMQ and PostgreSQL on the GPU machine, which has neither: unpacks the bundle that
# scripts/gpu/pack_services.sh made here into $PIPELINE_SERVICES_PREFIX (default /tmp/svc) once, then
# runs scripts/services.sh from it, so start/stop/env behave as they do on the dev machines.
#   scripts/gpu/services_gpu.sh start|stop|env
# The bundle comes from PIPELINE_SERVICES_TARBALL (a path) or, by default, from its parts: the
# .gpu-sNN/ folders this call carries, joined with those earlier calls left in /tmp/sp.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SVC=${PIPELINE_SERVICES_PREFIX:-/tmp/svc}
PARTS=/tmp/sp

unpack() {
  local tarball=${PIPELINE_SERVICES_TARBALL:-} want
  if [ -z "$tarball" ]; then
    mkdir -p "$PARTS"
    cp "$ROOT"/.gpu-s[0-9]*/services.tar.xz.* "$PARTS"/ 2>/dev/null || true
    ls "$PARTS"/services.tar.xz.[0-9][0-9] >/dev/null 2>&1 \
      || { echo "services_gpu.sh: no bundle parts in $PARTS or .gpu-sNN/ (scripts/gpu/pack_services.sh makes them)" >&2; exit 1; }
    cat "$PARTS"/services.tar.xz.[0-9][0-9] > "$PARTS/services.tar.xz"
    tarball=$PARTS/services.tar.xz
    want=$(cat "$PARTS/services.tar.xz.sha256")
    [ "$(sha256sum "$tarball" | cut -d' ' -f1)" = "$want" ] \
      || { echo "services_gpu.sh: joined bundle does not match its sha256 (parts present: $(ls "$PARTS" | tr '\n' ' '))" >&2; exit 1; }
  fi
  rm -rf "$SVC.tmp"
  mkdir -p "$SVC.tmp"
  # the PostgreSQL OS user must reach its binaries: no private (mktemp-like) modes on the way
  chmod 755 "$SVC.tmp"
  xz -dc "$tarball" | tar -C "$SVC.tmp" -xf -
  rm -rf "$SVC"
  mv "$SVC.tmp" "$SVC"
  touch "$SVC/.unpacked"
}

case "${1:-}" in
  start|stop) [ -f "$SVC/.unpacked" ] || unpack ;;
esac
PIPELINE_SERVICES_PREFIX=$SVC exec "$ROOT/scripts/services.sh" "$@"
