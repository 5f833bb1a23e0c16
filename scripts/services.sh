#!/usr/bin/env bash
# Starts or stops the two servers the pipeline needs, on loopback only:
#   RabbitMQ  127.0.0.1:${PIPELINE_AMQP_PORT:-5672} (management UI :${PIPELINE_RABBIT_MGMT_PORT:-15672}, guest/guest)
#   Postgres  127.0.0.1:${PIPELINE_PG_PORT:-5433}   (user/password/database: pipeline)
# With a Docker engine it uses docker compose; without one it installs the Debian packages
# (rabbitmq-server; PostgreSQL 15 is preinstalled on the dev machines) and runs both as
# plain processes under $PIPELINE_SERVICES_DIR, so CI on a bare machine needs nothing else.
#
#   scripts/services.sh start   # idempotent: does nothing for a server already up
#   scripts/services.sh stop    # stops only what this script started
#   scripts/services.sh env     # prints the environment variables the services and tests read
set -euo pipefail

DIR=${PIPELINE_SERVICES_DIR:-/tmp/pipeline-services}
AMQP_PORT=${PIPELINE_AMQP_PORT:-5672}
MGMT_PORT=${PIPELINE_RABBIT_MGMT_PORT:-15672}
PG_PORT=${PIPELINE_PG_PORT:-5433}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

log() { echo "[services] $*" >&2; }

use_docker() { have_docker && [ "${PIPELINE_NO_DOCKER:-0}" != 1 ]; }

# Credentials: the plain-process servers use guest (loopback only) and pipeline/pipeline; under
# docker compose they come from .env, written for local development when missing.
load_creds() {
  RMQ_USER=guest RMQ_PASS=guest PG_USER=pipeline PG_PASS=pipeline PG_DB=pipeline
  if use_docker; then
    [ -f "$ROOT/.env" ] || sed -e 's/=change-me/=pipeline/' "$ROOT/.env.example" > "$ROOT/.env"
    set -a; . "$ROOT/.env"; set +a
    RMQ_USER=$RABBITMQ_USER RMQ_PASS=$RABBITMQ_PASSWORD PG_USER=$POSTGRES_USER PG_PASS=$POSTGRES_PASSWORD PG_DB=${POSTGRES_DB:-pipeline}
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

# ---------- RabbitMQ (Debian package, run directly as root without systemd) ----------
rabbit_env() {
  export HOME="$DIR/rabbit-home"
  export RABBITMQ_NODENAME=rabbit@localhost
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$AMQP_PORT
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$DIR/rabbit/mnesia"
  export RABBITMQ_LOG_BASE="$DIR/rabbit/log"
  export RABBITMQ_PID_FILE="$DIR/rabbit/rabbit.pid"
  export RABBITMQ_CONFIG_FILE="$DIR/rabbit/rabbitmq"          # .conf is appended
  export RABBITMQ_ENABLED_PLUGINS_FILE="$DIR/rabbit/enabled_plugins"
}

start_rabbit() {
  if port_open "$AMQP_PORT"; then log "RabbitMQ port $AMQP_PORT already open: using it"; return; fi
  if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
    log "installing rabbitmq-server (Debian package)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  fi
  rabbit_env
  mkdir -p "$HOME" "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
  cat > "$DIR/rabbit/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
loopback_users.guest = true
CONF
  echo '[rabbitmq_management].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
  log "starting RabbitMQ on 127.0.0.1:$AMQP_PORT"
  nohup /usr/lib/rabbitmq/bin/rabbitmq-server > "$DIR/rabbit/server.out" 2>&1 &
  echo $! > "$DIR/rabbit/launcher.pid"
  # wait needs the pid file, which the node writes a moment after launch
  for _ in $(seq 1 100); do [ -s "$RABBITMQ_PID_FILE" ] && break; sleep 0.2; done
  /usr/lib/rabbitmq/bin/rabbitmqctl wait --timeout 90 "$RABBITMQ_PID_FILE" >/dev/null
  touch "$DIR/rabbit/started-by-us"
  log "RabbitMQ ready"
}

stop_rabbit() {
  [ -f "$DIR/rabbit/started-by-us" ] || return 0
  rabbit_env
  local pid; pid=$(cat "$RABBITMQ_PID_FILE" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"; for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # epmd outlives the node it served
  pkill -f "epmd.*-address 127.0.0.1" 2>/dev/null || pkill -x epmd 2>/dev/null || true
  rm -f "$DIR/rabbit/started-by-us"
  log "RabbitMQ stopped"
}

# ---------- PostgreSQL (preinstalled 15; run as the postgres OS user, data under /tmp) ----------
pg_bin() {
  local b; b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$b" ]; then
    log "installing postgresql (Debian package)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    b=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  echo "$b"
}

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_pg() {
  if port_open "$PG_PORT"; then log "PostgreSQL port $PG_PORT already open: using it"; return; fi
  local bin; bin=$(pg_bin)
  local data="$DIR/pg/data"
  mkdir -p "$DIR/pg"; chmod 755 "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR/pg"
  if [ ! -f "$data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  # fsync off only when asked (tests); the shipped docker-compose keeps the safe default
  local extra=""; [ "${PIPELINE_PG_FAST:-0}" = 1 ] && extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_pg "$bin/pg_ctl" -D "$data" -l "$DIR/pg/server.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $DIR/pg -c max_connections=200 $extra" start >/dev/null
  as_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qtA -c \
    "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='pipeline') THEN CREATE ROLE pipeline LOGIN PASSWORD 'pipeline' CREATEDB CREATEROLE; END IF; END\$\$;" >/dev/null
  as_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qtA -c "SELECT 1 FROM pg_database WHERE datname='pipeline'" | grep -q 1 \
    || as_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qtA -c "CREATE DATABASE pipeline OWNER pipeline" >/dev/null
  touch "$DIR/pg/started-by-us"
  log "PostgreSQL ready"
}

stop_pg() {
  [ -f "$DIR/pg/started-by-us" ] || return 0
  local bin; bin=$(pg_bin)
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
