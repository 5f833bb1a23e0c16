#!/usr/bin/env bash
# Checks the services bundle (scripts/gpu/pack_services.sh) here as if on the bare GPU machine: unpacks
# it with services_gpu.sh into a fresh folder and starts, checks and stops it in a mount namespace in
# which this machine's own Erlang, RabbitMQ and PostgreSQL are hidden, and every library the bundle
# carries is hidden too (bound to /dev/null) unless the shell tools need it, so nothing can fall back
# on what a bare Ubuntu lacks. Ports, folder and epmd port are its own: the shared servers keep running.
#   sudo scripts/gpu/check_services_bundle.sh [TARBALL]      (root: unshare -m, useradd)
# Checks: processes run from the bundle (exe paths) and map no library from outside it but glibc's and
# the compiler runtime's; PostgreSQL takes the printed credentials and refuses a wrong password, over
# TCP with the bundle's psql; RabbitMQ the same over AMQP (amqp_login.py) and its management API; the
# PostgreSQL OS user is created when missing; stop leaves no process and no open port. RUNS=N repeats
# start/stop N times (fresh folder each time) and prints the start times.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARBALL=$(readlink -f "${1:-$ROOT/.gpu-build/services.tar.xz}")
[ "$(id -u)" = 0 ] || { echo "check_services_bundle.sh: needs root (unshare -m, useradd)" >&2; exit 1; }
[ -f "$TARBALL" ] || { echo "check_services_bundle.sh: no $TARBALL (scripts/gpu/pack_services.sh)" >&2; exit 1; }
W=$(mktemp -d /tmp/svccheck.XXXXXX)
chmod 755 "$W"
export PIPELINE_SERVICES_PREFIX=$W/svc PIPELINE_SERVICES_TARBALL=$TARBALL
export PIPELINE_PG_PORT=${CHECK_PG_PORT:-5633} PIPELINE_AMQP_PORT=${CHECK_AMQP_PORT:-5872}
export PIPELINE_RABBIT_MGMT_PORT=${CHECK_MGMT_PORT:-15872} ERL_EPMD_PORT=${CHECK_EPMD_PORT:-4469}
# a user that does not exist yet, as on the GPU machine; removed at the end
export PIPELINE_PG_OS_USER=svccheck-pg
ports=("$PIPELINE_PG_PORT" "$PIPELINE_AMQP_PORT" "$PIPELINE_RABBIT_MGMT_PORT" "$ERL_EPMD_PORT" $((PIPELINE_AMQP_PORT + 20000)))
fail() { echo "FAIL: $*" >&2; exit 1; }
port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
for p in "${ports[@]}"; do ! port_open "$p" || fail "port $p is taken: set CHECK_*_PORT"; done
! id -u "$PIPELINE_PG_OS_USER" >/dev/null 2>&1 || fail "user $PIPELINE_PG_OS_USER exists already"

# The system libraries the namespace must keep: those of the tools the scripts run.
tools=(bash env runuser useradd unshare mount tar xz sha256sum sed grep awk od tr cat stat readlink cp mv rm mkdir chmod chown
       touch seq sleep id nohup dirname sort head tail ls cut)
keep=$(for t in "${tools[@]}"; do p=$(command -v "$t") || continue; ldd "$(readlink -f "$p")" 2>/dev/null; done \
  | awk '$2 == "=>" {print $1}' | sort -u)
in_ns() {
  local cmd=$1 hide="" l sys
  for d in /usr/lib/erlang /usr/lib/rabbitmq /usr/lib/postgresql /usr/share/postgresql /usr/share/postgresql-common /usr/share/zoneinfo; do
    [ -d "$d" ] && hide+="mount -t tmpfs none $d; "
  done
  [ -d /usr/lib/x86_64-linux-gnu/ossl-modules ] && hide+="mount -t tmpfs none /usr/lib/x86_64-linux-gnu/ossl-modules; "
  for l in "$W"/svc/lib/*.so*; do
    l=${l##*/}
    grep -qx "$l" <<< "$keep" && continue
    for sys in /usr/lib/x86_64-linux-gnu/"$l" /lib/x86_64-linux-gnu/"$l"; do
      [ -e "$sys" ] && hide+="mount --bind /dev/null $sys; "
    done
  done
  unshare -m --propagation private bash -c "set -e; $hide cd '$ROOT'; $cmd"
}

cleanup() {
  in_ns "scripts/gpu/services_gpu.sh stop" >/dev/null 2>&1 || true
  if id -u "$PIPELINE_PG_OS_USER" >/dev/null 2>&1; then userdel "$PIPELINE_PG_OS_USER" 2>/dev/null || true; fi
  rm -rf "$W"
}
trap cleanup EXIT

# unpack once, untimed (stop unpacks, then finds nothing of its own to stop)
t0=$(date +%s.%N)
PIPELINE_SERVICES_DIR=$W/unpack in_ns "scripts/gpu/services_gpu.sh stop"
echo "unpacked in $(awk "BEGIN {print $(date +%s.%N) - $t0}") s: $(du -sm "$W/svc" | cut -f1) MB"
[ -f "$W/svc/.unpacked" ] || fail "services_gpu.sh did not unpack $TARBALL into $W/svc"

# the bundle's psql over TCP as the pipeline user (password from PGPASSWORD), inside the namespace
psql_ns() {
  in_ns "LD_LIBRARY_PATH='$W/svc/lib:$W/svc/usr/lib/x86_64-linux-gnu' '$W/svc/usr/lib/postgresql/15/bin/psql' -h 127.0.0.1 -p $PIPELINE_PG_PORT -U pipeline -d pipeline -tAc \"$1\""
}

check_running() {
  local beam pg pid bad
  beam=$(pgrep -f "^$W/svc/usr/lib/erlang/erts-[^/]*/bin/beam.smp" | head -1) || fail "no bundled beam.smp running"
  pg=$(head -1 "$PIPELINE_SERVICES_DIR/pg/data/postmaster.pid")
  for pid in "$beam" "$pg"; do
    exe=$(readlink "/proc/$pid/exe")
    [[ $exe == "$W/svc/"* ]] || fail "pid $pid runs $exe, not from the bundle"
    echo "pid $pid ($(stat -c %U /proc/$pid)): $exe"
    bad=$(grep -oE '/[^ ]*\.so[^ ]*' "/proc/$pid/maps" | sort -u | grep -v "^$W/svc/" \
      | grep -vE '/(libc|libm|libdl|libpthread|librt|libresolv|libgcc_s|libstdc\+\+|ld-linux-x86-64)\.so' || true)
    [ -z "$bad" ] || fail "pid $pid maps libraries from outside the bundle: $bad"
    echo "  maps $(grep -oE "$W/svc/[^ ]*\.so[^ ]*" "/proc/$pid/maps" | sort -u | wc -l) libraries from the bundle, none from outside but glibc and the compiler runtime"
  done
  [ "$(stat -c %U "/proc/$pg")" = "$PIPELINE_PG_OS_USER" ] || fail "postgres does not run as $PIPELINE_PG_OS_USER"
  [ "$(stat -c %a "$PIPELINE_SERVICES_DIR/credentials")" = 600 ] || fail "credentials not mode 0600"
  eval "$(in_ns "scripts/gpu/services_gpu.sh env")"
  local pass=${ConnectionStrings__Pipeline#*Password=}; pass=${pass%%;*}
  PGPASSWORD=$pass psql_ns "select version()" | grep -q '^PostgreSQL 15' || fail "psql with the printed password"
  echo "psql (bundled) as pipeline: jit, TimeZone, lc_collate = $(PGPASSWORD=$pass psql_ns "select current_setting('jit'), current_setting('TimeZone'), current_setting('lc_collate')")"
  ! PGPASSWORD=wrong psql_ns "select 1" >/dev/null 2>&1 || fail "PostgreSQL accepted a wrong password"
  printf '%s\n' "$RabbitMq__Password" | python3 "$ROOT/scripts/gpu/amqp_login.py" 127.0.0.1 "$RabbitMq__Port" "$RabbitMq__Username" \
    || fail "AMQP login with the printed password"
  ! printf 'wrong\n' | python3 "$ROOT/scripts/gpu/amqp_login.py" 127.0.0.1 "$RabbitMq__Port" "$RabbitMq__Username" >/dev/null \
    || fail "RabbitMQ accepted a wrong password"
  curl -sf -u "$RabbitMq__Username:$RabbitMq__Password" "http://127.0.0.1:$RabbitMq__ManagementPort/api/overview" | grep -q '"rabbitmq_version"' \
    || fail "management API with the printed password"
  echo "RabbitMQ management API as $RabbitMq__Username: ok"
}

check_stopped() {
  local left p
  left=$(pgrep -af "$W/svc/" || true)
  [ -z "$left" ] || fail "still running after stop: $left"
  for p in "${ports[@]}"; do ! port_open "$p" || fail "port $p still open after stop"; done
  echo "after stop: no process from the bundle, ports ${ports[*]} closed"
}

for run in $(seq 1 "${RUNS:-1}"); do
  export PIPELINE_SERVICES_DIR=$W/run$run
  t0=$(date +%s.%N)
  in_ns "scripts/gpu/services_gpu.sh start"
  t1=$(date +%s.%N)
  echo "run $run: start took $(awk "BEGIN {print $t1 - $t0}") s"
  check_running
  t0=$(date +%s.%N)
  in_ns "scripts/gpu/services_gpu.sh stop"
  t1=$(date +%s.%N)
  echo "run $run: stop took $(awk "BEGIN {print $t1 - $t0}") s"
  check_stopped
done
echo "OK: $TARBALL"
