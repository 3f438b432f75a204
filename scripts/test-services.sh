#!/usr/bin/env bash
# Real PostgreSQL and Redis on loopback for the scale-out tests (and `make run-cluster`).
#
#   scripts/test-services.sh start   install (Debian packages) if missing, start both, print env
#   scripts/test-services.sh env     print the env of the running services (KEY=VALUE lines)
#   scripts/test-services.sh stop    stop both and remove their data
#
# Idempotent and quick once installed: `start` on running services only prints their env.
# Everything lives under $POLICYBOT_SERVICES_DIR (default /tmp/policybot-services): data,
# logs, sockets and an `env` file with the spare ports and the random passwords chosen.
set -euo pipefail

DIR="${POLICYBOT_SERVICES_DIR:-/tmp/policybot-services}"
ENV_FILE="$DIR/env"
PG_DATA="$DIR/pg"
REDIS_PID="$DIR/redis.pid"

say() { echo "test-services: $*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

install_packages() {
    local missing=()
    [ -n "$(pg_bin)" ] || missing+=(postgresql)
    command -v redis-server >/dev/null || missing+=(redis-server)
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing ${missing[*]} (apt-get)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 \
        || { as_root apt-get update -q >&2 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; }
}

# PostgreSQL refuses to run as root: use the `postgres` account the package created.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

spare_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

secret() { python3 -c 'import secrets; print(secrets.token_hex(16))'; }

pg_running() { [ -f "$PG_DATA/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

redis_running() { [ -f "$REDIS_PID" ] && kill -0 "$(cat "$REDIS_PID")" 2>/dev/null; }

start_postgres() {
    local port="$1" password="$2" bin; bin="$(pg_bin)"
    rm -rf "$PG_DATA"; mkdir -p "$PG_DATA"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR" "$PG_DATA"
    printf '%s\n' "$password" > "$DIR/pgpass.tmp"; [ "$(id -u)" = 0 ] && chown postgres "$DIR/pgpass.tmp"
    as_pg "$bin/initdb" -D "$PG_DATA" -U policybot --pwfile="$DIR/pgpass.tmp" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1
    rm -f "$DIR/pgpass.tmp"
    as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$DIR/postgres.log" -w -t 60 start \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $DIR -c fsync=off -c max_connections=100" >/dev/null
    as_pg "$bin/createdb" -h "$DIR" -p "$port" -U policybot policybot
}

start_redis() {
    local port="$1" password="$2"
    redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --pidfile "$REDIS_PID" \
        --dir "$DIR" --logfile "$DIR/redis.log" --save "" --appendonly no --requirepass "$password"
    for _ in $(seq 50); do redis_running && return 0; sleep 0.1; done
    say "redis did not start: $(tail -5 "$DIR/redis.log")"; return 1
}

start() {
    if pg_running && redis_running && [ -f "$ENV_FILE" ]; then cat "$ENV_FILE"; return 0; fi
    stop quiet
    install_packages
    mkdir -p "$DIR"; chmod 755 "$DIR"
    local pg_port redis_port pg_password redis_password
    pg_port="$(spare_port)"; redis_port="$(spare_port)"; pg_password="$(secret)"; redis_password="$(secret)"
    start_postgres "$pg_port" "$pg_password"
    start_redis "$redis_port" "$redis_password"
    cat > "$ENV_FILE" <<EOF
POLICYBOT_TEST_PG_URL=postgresql://policybot:$pg_password@127.0.0.1:$pg_port/policybot
POLICYBOT_TEST_REDIS_HOST=127.0.0.1
POLICYBOT_TEST_REDIS_PORT=$redis_port
POLICYBOT_TEST_REDIS_PASSWORD=$redis_password
EOF
    chmod 600 "$ENV_FILE"
    say "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port (data in $DIR)"
    cat "$ENV_FILE"
}

stop() {
    if [ -d "$PG_DATA" ] && [ -n "$(pg_bin)" ]; then
        as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if redis_running; then
        kill "$(cat "$REDIS_PID")" 2>/dev/null || true
        for _ in $(seq 50); do redis_running || break; sleep 0.1; done
    fi
    rm -rf "$DIR"
    [ "${1:-}" = quiet ] || say "stopped"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) if [ -f "$ENV_FILE" ]; then cat "$ENV_FILE"; else say "not running"; exit 1; fi ;;
    *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
