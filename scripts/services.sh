#!/usr/bin/env bash
# Starts or stops the two servers the pipeline needs, on loopback only:
#   RabbitMQ  127.0.0.1:${PIPELINE_AMQP_PORT:-5672} (management UI :${PIPELINE_RABBIT_MGMT_PORT:-15672})
#   Postgres  127.0.0.1:${PIPELINE_PG_PORT:-5433}   (user and database: pipeline)
# With a Docker engine it uses docker compose; without one it installs the Debian packages
# (rabbitmq-server; PostgreSQL 15 is preinstalled on the dev machines) and runs both as
# plain processes under $PIPELINE_SERVICES_DIR, so CI on a bare machine needs nothing else.
#
# Both ask for a password: PostgreSQL with scram-sha-256 for every login over TCP or its socket (but
# the server's own OS user as postgres over the socket, which this script uses to set roles up),
# RabbitMQ with a user of its own (no guest). The passwords are generated once into
# $PIPELINE_SERVICES_DIR/credentials (mode 0600, readable by the user who ran start only); `env`
# prints them for the services and tests.
#
#   scripts/services.sh start   # idempotent: does nothing for a server already up
#   scripts/services.sh stop    # stops only the processes this script started, by their pid files
#   scripts/services.sh env     # prints the environment variables the services and tests read
#
# A second, independent instance beside the first (other folder, other ports, own node name):
#   PIPELINE_SERVICES_DIR=/tmp/b PIPELINE_PG_PORT=5533 PIPELINE_AMQP_PORT=5772 \
#   PIPELINE_RABBIT_MGMT_PORT=15772 scripts/services.sh start
# The RabbitMQ node is rabbit@localhost on 5672, rabbit-PORT@localhost on any other AMQP port
# (PIPELINE_RABBIT_NODENAME), with Erlang distribution on AMQP port + 20000 (PIPELINE_RABBIT_DIST_PORT);
# the nodes share one epmd.
#
# PIPELINE_SERVICES_PREFIX=DIR takes both servers from an unpacked bundle instead of the system's
# packages (scripts/gpu/pack_services.sh makes it; scripts/gpu/services_gpu.sh unpacks it on the GPU
# machine, which has neither): Erlang, RabbitMQ and PostgreSQL 15 from their Debian trees under DIR,
# the bundle's own erl first on PATH and DIR/lib on LD_LIBRARY_PATH for those processes only, never
# apt-get. As root, PostgreSQL runs as the OS user PIPELINE_PG_OS_USER (default postgres), created
# (useradd -r) where missing, or as nobody where it cannot be.
set -euo pipefail

DIR=${PIPELINE_SERVICES_DIR:-/tmp/pipeline-services}
AMQP_PORT=${PIPELINE_AMQP_PORT:-5672}
MGMT_PORT=${PIPELINE_RABBIT_MGMT_PORT:-15672}
PG_PORT=${PIPELINE_PG_PORT:-5433}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ "$AMQP_PORT" = 5672 ]; then NODENAME=${PIPELINE_RABBIT_NODENAME:-rabbit@localhost}
else NODENAME=${PIPELINE_RABBIT_NODENAME:-rabbit-$AMQP_PORT@localhost}; fi
DIST_PORT=${PIPELINE_RABBIT_DIST_PORT:-$((AMQP_PORT + 20000))}
CREDS="$DIR/credentials"
PREFIX=${PIPELINE_SERVICES_PREFIX:-}
PG_OS_USER=${PIPELINE_PG_OS_USER:-postgres}
if [ -n "$PREFIX" ]; then
  PREFIX=$(cd "$PREFIX" && pwd) || { echo "services.sh: PIPELINE_SERVICES_PREFIX=$PIPELINE_SERVICES_PREFIX is not a folder" >&2; exit 1; }
  RABBIT_BIN=$PREFIX/usr/lib/rabbitmq/bin
  ERL_BIN=$PREFIX/usr/lib/erlang/bin
  # prefixed to the servers' commands only (runuser and env pass it on): the bundle's erl and libraries
  SVC_ENV=(env "PATH=$ERL_BIN:$PATH" "LD_LIBRARY_PATH=$PREFIX/lib:$PREFIX/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
           "OPENSSL_MODULES=$PREFIX/lib/ossl-modules")
else
  RABBIT_BIN=/usr/lib/rabbitmq/bin
  ERL_BIN=""
  SVC_ENV=()
fi

log() { echo "[services] $*" >&2; }

# a bundle given is what runs, whatever else the machine has
use_docker() { [ -z "$PREFIX" ] && have_docker && [ "${PIPELINE_NO_DOCKER:-0}" != 1 ]; }

# 32 hex characters: nothing to quote in a connection string, a URL or a shell assignment.
random_secret() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }

# The plain-process servers' credentials: generated on first start, kept for later starts (the
# servers' data keeps the accounts), readable by this user only.
ensure_creds() {
  [ -s "$CREDS" ] && return
  mkdir -p "$DIR"
  (umask 077; cat > "$CREDS.tmp" <<CREDS
PG_USER=pipeline
PG_PASS=$(random_secret)
PG_DB=pipeline
RMQ_USER=pipeline
RMQ_PASS=$(random_secret)
CREDS
  )
  mv "$CREDS.tmp" "$CREDS"
  log "generated credentials in $CREDS (mode 0600)"
}

# Under docker compose credentials come from .env; a missing one is written with fresh passwords.
load_creds() {
  if use_docker; then
    if [ ! -f "$ROOT/.env" ]; then
      (umask 077; sed -e "s/^RABBITMQ_PASSWORD=change-me/RABBITMQ_PASSWORD=$(random_secret)/" \
                      -e "s/^POSTGRES_PASSWORD=change-me/POSTGRES_PASSWORD=$(random_secret)/" "$ROOT/.env.example" > "$ROOT/.env")
      log "wrote $ROOT/.env with generated passwords (mode 0600)"
    fi
    set -a; . "$ROOT/.env"; set +a
    RMQ_USER=$RABBITMQ_USER RMQ_PASS=$RABBITMQ_PASSWORD PG_USER=$POSTGRES_USER PG_PASS=$POSTGRES_PASSWORD PG_DB=${POSTGRES_DB:-pipeline}
  elif [ -r "$CREDS" ]; then
    # read as data, not sourced: a file in /tmp is not code to run
    [ -O "$CREDS" ] || { echo "services.sh: $CREDS belongs to another user: not used" >&2; return 1; }
    cred() { sed -n "s/^$1=\([0-9A-Za-z_-]*\)\$/\1/p" "$CREDS"; }
    PG_USER=$(cred PG_USER) PG_PASS=$(cred PG_PASS) PG_DB=$(cred PG_DB) RMQ_USER=$(cred RMQ_USER) RMQ_PASS=$(cred RMQ_PASS)
    if [ -z "$PG_USER" ] || [ -z "$PG_PASS" ] || [ -z "$PG_DB" ] || [ -z "$RMQ_USER" ] || [ -z "$RMQ_PASS" ]; then
      echo "services.sh: $CREDS needs PG_USER, PG_PASS, PG_DB, RMQ_USER, RMQ_PASS (letters, digits, - and _)" >&2; return 1
    fi
  elif [ -d "$DIR/pg/data" ] && [ ! -e "$CREDS" ]; then
    # servers started by a services.sh from before passwords (trust auth): its old fixed accounts
    log "no $CREDS: these servers predate password auth; restart them (stop, then start) to close them"
    RMQ_USER=guest RMQ_PASS=guest PG_USER=pipeline PG_PASS=pipeline PG_DB=pipeline
  else
    echo "services.sh: cannot read credentials in $CREDS: start the servers with 'scripts/services.sh start' (as this user)" >&2
    return 1
  fi
}

print_env() {
  load_creds
  cat <<ENV
export RabbitMq__Host=127.0.0.1
export RabbitMq__Port=$AMQP_PORT
export RabbitMq__ManagementPort=$MGMT_PORT
export RabbitMq__Username=$RMQ_USER
export RabbitMq__Password=$RMQ_PASS
export ConnectionStrings__Pipeline='Host=127.0.0.1;Port=$PG_PORT;Username=$PG_USER;Password=$PG_PASS;Database=$PG_DB'
ENV
}

port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

compose() { if docker compose version >/dev/null 2>&1; then docker compose "$@"; else docker-compose "$@"; fi; }

have_docker() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

# Ends the process in a pid file if it is still the one we started (its command line names $2).
stop_pidfile() {
  local file=$1 expect=$2 pid cmd=""
  pid=$(cat "$file" 2>/dev/null || true)
  [ -n "$pid" ] && cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)
  if [ -n "$pid" ] && [[ $cmd == *"$expect"* ]]; then
    kill -TERM "$pid"; for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# ---------- RabbitMQ (Debian package, run directly as root without systemd) ----------
rabbit_env() {
  export HOME="$DIR/rabbit-home"
  export RABBITMQ_NODENAME=$NODENAME
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$AMQP_PORT
  export RABBITMQ_DIST_PORT=$DIST_PORT
  # Erlang distribution listens on every interface unless told otherwise
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$DIR/rabbit/mnesia"
  export RABBITMQ_LOG_BASE="$DIR/rabbit/log"
  export RABBITMQ_PID_FILE="$DIR/rabbit/rabbit.pid"
  export RABBITMQ_CONFIG_FILE="$DIR/rabbit/rabbitmq"          # .conf is appended
  export RABBITMQ_ENABLED_PLUGINS_FILE="$DIR/rabbit/enabled_plugins"
}

rabbitmqctl() { "${SVC_ENV[@]}" "$RABBIT_BIN/rabbitmqctl" -q "$@"; }

epmd_bin() {
  if [ -n "$PREFIX" ]; then echo "$ERL_BIN/epmd"; else command -v epmd || ls /usr/lib/erlang/erts-*/bin/epmd | head -1; fi
}

# epmd is shared by every Erlang node of the host. Started here (and its pid kept) only when none
# runs yet; otherwise the node registers with the one there and stop leaves it alone.
start_epmd() {
  port_open "${ERL_EPMD_PORT:-4369}" && return
  local epmd; epmd=$(epmd_bin)
  nohup "${SVC_ENV[@]}" "$epmd" -address 127.0.0.1 > "$DIR/rabbit/epmd.out" 2>&1 &
  echo $! > "$DIR/rabbit/epmd.pid"
  for _ in $(seq 1 50); do port_open "${ERL_EPMD_PORT:-4369}" && break; sleep 0.1; done
}

# The node's accounts: one user with a generated password (administrator: the tests create vhosts
# through the management API), no guest. Idempotent, so a node from an older start is brought in line.
rabbit_users() {
  local users; users=$(rabbitmqctl list_users | awk '{print $1}')
  # the password goes in on stdin, not on a command line other users could read in ps
  if printf '%s\n' "$users" | grep -qx "$RMQ_USER"; then
    printf '%s\n' "$RMQ_PASS" | rabbitmqctl change_password "$RMQ_USER" >/dev/null
  else
    printf '%s\n' "$RMQ_PASS" | rabbitmqctl add_user "$RMQ_USER" >/dev/null
  fi
  rabbitmqctl set_user_tags "$RMQ_USER" administrator >/dev/null
  rabbitmqctl set_permissions -p / "$RMQ_USER" '.*' '.*' '.*' >/dev/null
  if [ "$RMQ_USER" != guest ] && printf '%s\n' "$users" | grep -qx guest; then rabbitmqctl delete_user guest >/dev/null; fi
}

start_rabbit() {
  if port_open "$AMQP_PORT"; then log "RabbitMQ port $AMQP_PORT already open: using it"; return; fi
  if [ -n "$PREFIX" ] && [ ! -x "$RABBIT_BIN/rabbitmq-server" ]; then
    echo "services.sh: no $RABBIT_BIN/rabbitmq-server in PIPELINE_SERVICES_PREFIX" >&2; return 1
  fi
  if [ ! -x "$RABBIT_BIN/rabbitmq-server" ]; then
    log "installing rabbitmq-server (Debian package)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  fi
  rabbit_env
  mkdir -p "$HOME" "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
  # default_user: a fresh node never has guest (the conf holds the password, so it is private too)
  (umask 077; cat > "$DIR/rabbit/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
default_user = $RMQ_USER
default_pass = $RMQ_PASS
default_user_tags.administrator = true
loopback_users.guest = true
CONF
  )
  echo '[rabbitmq_management].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
  start_epmd
  log "starting RabbitMQ on 127.0.0.1:$AMQP_PORT (node $NODENAME, distribution port $DIST_PORT)"
  rm -f "$RABBITMQ_PID_FILE"
  nohup "${SVC_ENV[@]}" "$RABBIT_BIN/rabbitmq-server" > "$DIR/rabbit/server.out" 2>&1 &
  echo $! > "$DIR/rabbit/launcher.pid"
  # wait needs the pid file, which the node writes a moment after launch
  for _ in $(seq 1 100); do [ -s "$RABBITMQ_PID_FILE" ] && break; sleep 0.2; done
  rabbitmqctl wait --timeout 90 "$RABBITMQ_PID_FILE" >/dev/null
  touch "$DIR/rabbit/started-by-us"
  rabbit_users
  log "RabbitMQ ready (user $RMQ_USER)"
}

stop_rabbit() {
  [ -f "$DIR/rabbit/started-by-us" ] || return 0
  rabbit_env
  stop_pidfile "$RABBITMQ_PID_FILE" beam
  stop_pidfile "$DIR/rabbit/launcher.pid" rabbitmq
  # our epmd outlives the node it served; another instance's node may still be registered with it
  if [ -f "$DIR/rabbit/epmd.pid" ]; then
    if "${SVC_ENV[@]}" "$(epmd_bin)" -names 2>/dev/null | grep -q '^name '; then log "epmd still serves other nodes: left running"
    else stop_pidfile "$DIR/rabbit/epmd.pid" epmd; fi
  fi
  rm -f "$DIR/rabbit/started-by-us"
  log "RabbitMQ stopped"
}

# ---------- PostgreSQL (preinstalled 15; run as the postgres OS user, data under /tmp) ----------
pg_bin() {
  if [ -n "$PREFIX" ]; then
    [ -x "$PREFIX/usr/lib/postgresql/15/bin/postgres" ] \
      || { echo "services.sh: no usr/lib/postgresql/15/bin/postgres in PIPELINE_SERVICES_PREFIX=$PREFIX" >&2; return 1; }
    echo "$PREFIX/usr/lib/postgresql/15/bin"; return
  fi
  local b; b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$b" ]; then
    log "installing postgresql (Debian package)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    b=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  echo "$b"
}

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u "$PG_OS_USER" -- "${SVC_ENV[@]}" "$@"; else "${SVC_ENV[@]}" "$@"; fi; }
pg_os_user() { if [ "$(id -u)" = 0 ]; then echo "$PG_OS_USER"; else id -un; fi; }

# initdb and postgres refuse root. The Debian package made the postgres user; a bare machine (the GPU
# one) has none, so a system account without home is made, and where that fails nobody serves.
ensure_pg_os_user() {
  [ "$(id -u)" = 0 ] || return 0
  # a data folder from an earlier start keeps the user it was made for
  if [ -d "$DIR/pg/data" ]; then PG_OS_USER=$(stat -c %U "$DIR/pg/data"); return; fi
  id -u "$PG_OS_USER" >/dev/null 2>&1 && return
  if command -v useradd >/dev/null && useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$PG_OS_USER" 2>/dev/null; then
    log "created OS user $PG_OS_USER for PostgreSQL"
  else
    log "cannot create OS user $PG_OS_USER: PostgreSQL runs as nobody"
    PG_OS_USER=nobody
  fi
}

# Every TCP and socket login needs a scram-sha-256 password, except the one the script itself uses:
# the OS user that runs the server, as superuser postgres, over the socket in $DIR/pg (peer auth).
# Written on every start, so a data folder from an older (trust) start is closed too.
write_pg_auth() {
  local data=$1
  as_pg tee "$data/pg_hba.conf" >/dev/null <<HBA
# written by scripts/services.sh
local   all   postgres                    peer map=admin
local   all   all                         scram-sha-256
host    all   all        127.0.0.1/32     scram-sha-256
host    all   all        ::1/128          scram-sha-256
HBA
  as_pg tee "$data/pg_ident.conf" >/dev/null <<IDENT
# written by scripts/services.sh: the server's OS user may log in as postgres over the socket
admin   $(pg_os_user)   postgres
IDENT
}

pg_admin() { as_pg "$(pg_bin)/psql" -h "$DIR/pg" -p "$PG_PORT" -U postgres -d postgres -qtA -v ON_ERROR_STOP=1 "$@"; }

start_pg() {
  if port_open "$PG_PORT"; then log "PostgreSQL port $PG_PORT already open: using it"; return; fi
  local bin; bin=$(pg_bin)
  local data="$DIR/pg/data"
  ensure_pg_os_user
  mkdir -p "$DIR/pg"; chmod 755 "$DIR"
  [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$DIR/pg"
  # the bundle runs on a host whose locales are unknown: C.UTF-8 is built into glibc >= 2.35
  local locale=(); [ -n "$PREFIX" ] && locale=(--locale=C.UTF-8)
  if [ ! -f "$data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$data" -U postgres --auth-local=peer --auth-host=scram-sha-256 -E UTF8 "${locale[@]}" >/dev/null
  fi
  write_pg_auth "$data"
  # fsync off only when asked (tests); the shipped docker-compose keeps the safe default
  local extra=""; [ "${PIPELINE_PG_FAST:-0}" = 1 ] && extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  # the bundle leaves out the JIT (llvmjit.so and its LLVM)
  [ -n "$PREFIX" ] && extra="$extra -c jit=off"
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_pg "$bin/pg_ctl" -D "$data" -l "$DIR/pg/server.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $DIR/pg -c max_connections=200 -c password_encryption=scram-sha-256 $extra" start >/dev/null
  touch "$DIR/pg/started-by-us"
  # the password goes in on stdin, not on a command line other users could read in ps
  pg_admin -v "user=$PG_USER" -v "pass=$PG_PASS" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB CREATEROLE', :'user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'user', :'pass') \gexec
-- the tests drop their databases WITH (FORCE); a connection of an analyst login role the user created (PG 15
-- does not make the creator a member) would otherwise make that drop fail
SELECT format('GRANT pg_signal_backend TO %I', :'user') \gexec
SQL
  pg_admin -c "SELECT 1 FROM pg_database WHERE datname='$PG_DB'" | grep -q 1 \
    || pg_admin -c "CREATE DATABASE $PG_DB OWNER $PG_USER" >/dev/null
  log "PostgreSQL ready (user $PG_USER, scram-sha-256)"
}

stop_pg() {
  [ -f "$DIR/pg/started-by-us" ] || return 0
  ensure_pg_os_user
  local bin; bin=$(pg_bin)
  # pg_ctl signals the postmaster named in the data folder's postmaster.pid
  as_pg "$bin/pg_ctl" -D "$DIR/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -f "$DIR/pg/started-by-us"
  log "PostgreSQL stopped"
}

case "${1:-}" in
  start)
    mkdir -p "$DIR/rabbit" "$DIR/pg"
    if use_docker; then
      load_creds
      log "Docker engine found: docker compose up rabbitmq postgres"
      (cd "$ROOT" && compose up -d rabbitmq postgres)
      for _ in $(seq 1 120); do port_open "$AMQP_PORT" && port_open "$PG_PORT" && break; sleep 1; done
    else
      # servers already up are used as they are: their credentials are not ours to make
      if ! port_open "$PG_PORT" || ! port_open "$AMQP_PORT"; then ensure_creds; load_creds; fi
      start_pg
      start_rabbit
    fi ;;
  stop)
    if use_docker && [ ! -f "$DIR/pg/started-by-us" ]; then
      (cd "$ROOT" && compose stop rabbitmq postgres)
    else
      stop_rabbit; stop_pg
    fi ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
