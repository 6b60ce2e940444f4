#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests and benchmarks, on loopback only.
#
#   scripts/postgres.sh start [DB]  install Debian's postgresql if needed, initdb, start, create the
#                                   role `assessor` and the databases assessor_test and assessor_bench,
#                                   then print the SQLAlchemy URL of DB (default assessor_test)
#   scripts/postgres.sh url [DB]    print that URL (does not start anything)
#   scripts/postgres.sh status      exit 0 when the server is running
#   scripts/postgres.sh stop        stop the server (the data stays; delete the directory to reset)
#
# Everything is idempotent: `start` on a running server only makes sure the role and databases
# exist. stdout carries nothing but the URL; progress goes to stderr, the server's log to
# $ASSESSOR_PG_DIR/server.log.
#
# Environment: ASSESSOR_PG_DIR (data directory, default /tmp/assessor-pg; the unix socket lives in
# it too), ASSESSOR_PG_PORT (default 5433).
#
# Authentication: the server listens on 127.0.0.1 only, never on another interface. The role
# `assessor` (no superuser; owns its databases, may create more) logs in over TCP on 127.0.0.1 with
# `trust`, i.e. without a password, so that the URL needs no secret. Any local user of this machine can
# therefore use these databases: this is a test server, never put real data in it. The superuser
# `postgres` logs in only through the unix socket with `peer` (as the OS user postgres).
# Runs as root (it switches to the postgres user for the server) or as the postgres user itself.
set -euo pipefail

PG_DIR="${ASSESSOR_PG_DIR:-/tmp/assessor-pg}"
PG_PORT="${ASSESSOR_PG_PORT:-5433}"
PG_HOST=127.0.0.1
ROLE=assessor
DATABASES=(assessor_test assessor_bench)

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

url() { printf 'postgresql+psycopg://%s@%s:%s/%s\n' "$ROLE" "$PG_HOST" "$PG_PORT" "${1:-assessor_test}"; }

as_postgres() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    elif [[ $(id -un) == postgres ]]; then
        "$@"
    else
        die "run as root (or as the postgres user)"
    fi
}

pg_bin() {
    # The binaries of the data directory's major version if it exists, else the newest installed.
    local candidates
    if [[ -f $PG_DIR/PG_VERSION ]]; then
        candidates="/usr/lib/postgresql/$(<"$PG_DIR/PG_VERSION")/bin"
        [[ -x $candidates/initdb ]] || die "$PG_DIR was made by PostgreSQL $(<"$PG_DIR/PG_VERSION"), which is not installed"
        printf '%s\n' "$candidates"
        return
    fi
    candidates=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [[ -n $candidates && -x $candidates/initdb ]] || return 1
    printf '%s\n' "$candidates"
}

install_postgresql() {
    [[ $EUID -eq 0 ]] || die "PostgreSQL is not installed and installing it needs root"
    log "installing Debian's postgresql package (apt-get update + install)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # Debian's package also creates its own cluster "main" on port 5432; no systemd here, so it
    # normally stays stopped, and in any case it is not the server this script manages.
    apt-get install -y -qq --no-install-recommends postgresql >&2
}

is_running() {
    local bin=$1
    [[ -f $PG_DIR/PG_VERSION ]] && as_postgres "$bin/pg_ctl" status -D "$PG_DIR" >/dev/null 2>&1
}

init_cluster() {
    local bin=$1 locale=C
    locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && locale=C.UTF-8
    log "creating a new cluster in $PG_DIR"
    install -d -m 0700 -o postgres -g postgres "$PG_DIR"
    as_postgres "$bin/initdb" -D "$PG_DIR" -U postgres -E UTF8 --locale="$locale" \
        --auth-local=peer --auth-host=reject --no-instructions >&2
    # First match wins: only `assessor` from 127.0.0.1 gets in over TCP; no IPv6, no other address.
    as_postgres tee "$PG_DIR/pg_hba.conf" >/dev/null <<'EOF'
# TYPE  DATABASE  USER      ADDRESS       METHOD
local   all       postgres                peer
host    all       assessor  127.0.0.1/32  trust
EOF
    echo "include 'assessor.conf'" | as_postgres tee -a "$PG_DIR/postgresql.conf" >/dev/null
}

write_settings() {
    # Rewritten on every start so that ASSESSOR_PG_PORT may change between runs.
    as_postgres tee "$PG_DIR/assessor.conf" >/dev/null <<EOF
# Written by scripts/postgres.sh on every start; edits are lost.
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
max_connections = 200
log_min_duration_statement = 1000
EOF
}

running_port() {
    sed -n 4p "$PG_DIR/postmaster.pid" 2>/dev/null || true
}

psql_admin() {
    local bin=$1; shift
    as_postgres "$bin/psql" -X -q -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres \
        -v ON_ERROR_STOP=1 "$@"
}

ensure_role_and_databases() {
    local bin=$1 db
    psql_admin "$bin" -c "DO \$\$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
            CREATE ROLE $ROLE LOGIN CREATEDB;
        END IF;
    END \$\$;" >&2
    for db in "${DATABASES[@]}"; do
        if [[ -z $(psql_admin "$bin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'") ]]; then
            log "creating database $db"
            psql_admin "$bin" -c "CREATE DATABASE $db OWNER $ROLE" >&2
        fi
    done
}

wait_ready() {
    local bin=$1 i
    for i in $(seq 1 60); do
        if "$bin/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT" -d postgres; then
            return 0
        fi
        sleep 0.5
    done
    tail -n 20 "$PG_DIR/server.log" >&2 || true
    die "the server did not accept connections on $PG_HOST:$PG_PORT within 30 s"
}

start() {
    local bin port
    [[ $PG_PORT =~ ^[0-9]+$ ]] || die "ASSESSOR_PG_PORT must be a port number"
    [[ $PG_DIR == /* ]] || PG_DIR="$(pwd)/$PG_DIR"
    # A unix socket path is limited to 107 bytes.
    (( ${#PG_DIR} + 20 < 107 )) || die "ASSESSOR_PG_DIR is too long for a unix socket path"
    bin=$(pg_bin) || { install_postgresql; bin=$(pg_bin) || die "initdb still missing after install"; }

    # Two concurrent `start`s (two test runs) must not both initdb or both start.
    exec 9>"${PG_DIR%/}.lock"
    flock -w 120 9 || die "another scripts/postgres.sh holds ${PG_DIR%/}.lock"

    as_postgres test -x "$(dirname "$PG_DIR")" ||
        die "the postgres user cannot reach $(dirname "$PG_DIR"): choose ASSESSOR_PG_DIR outside /root"
    if [[ ! -f $PG_DIR/PG_VERSION ]]; then
        if [[ -d $PG_DIR && -n $(ls -A "$PG_DIR") ]]; then
            die "$PG_DIR exists, is not empty and is not a PostgreSQL data directory"
        fi
        init_cluster "$bin"
    fi

    if is_running "$bin"; then
        port=$(running_port)
        [[ $port == "$PG_PORT" ]] ||
            die "the server in $PG_DIR is already running on port $port, not $PG_PORT: stop it first"
        log "already running on $PG_HOST:$PG_PORT"
    else
        write_settings
        log "starting on $PG_HOST:$PG_PORT (log: $PG_DIR/server.log)"
        # 9>&-: the server must not inherit (and hold) our lock.
        if ! as_postgres "$bin/pg_ctl" start -D "$PG_DIR" -l "$PG_DIR/server.log" -w -t 60 >&2 9>&-; then
            tail -n 20 "$PG_DIR/server.log" >&2 || true
            die "pg_ctl start failed (is port $PG_PORT taken?)"
        fi
    fi
    wait_ready "$bin"
    ensure_role_and_databases "$bin"
    url "${1:-}"
}

stop() {
    local bin
    if ! bin=$(pg_bin) || ! is_running "$bin"; then
        log "not running"
        return 0
    fi
    as_postgres "$bin/pg_ctl" stop -D "$PG_DIR" -m fast -w -t 60 >&2
}

status() {
    local bin
    if bin=$(pg_bin) && is_running "$bin"; then
        log "running on $PG_HOST:$(running_port), data in $PG_DIR"
        return 0
    fi
    log "not running"
    return 3
}

case "${1:-}" in
    start) start "${2:-}" ;;
    stop) stop ;;
    url) url "${2:-}" ;;
    status) status ;;
    *) echo "usage: $0 {start|stop|status|url} [database]" >&2; exit 2 ;;
esac
