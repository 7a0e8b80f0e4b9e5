#!/usr/bin/env bash
# brandpulse in cluster mode on one machine, for trying it and for the end-to-end tests:
# PostgreSQL (Airflow's metadata database and Celery's result backend), Redis (Celery's
# broker), an S3-compatible server (moto: landing files and scored batches), and Airflow's
# scheduler, DAG processor, API server and Celery workers, each in its own working folder.
#
#   scripts/cluster/cluster.sh up DIR           services + Airflow + two workers (idempotent)
#   scripts/cluster/cluster.sh down DIR         stop everything started in DIR (idempotent)
#   scripts/cluster/cluster.sh purge DIR        down, then remove its state (metadata DB too)
#   scripts/cluster/cluster.sh services DIR     only PostgreSQL, Redis and the S3 server
#   scripts/cluster/cluster.sh worker DIR NAME QUEUES   start one Celery worker
#   scripts/cluster/cluster.sh stop DIR NAME    stop one process (a worker, redis, ...)
#   scripts/cluster/cluster.sh kill DIR NAME    SIGKILL one process group (fault tests)
#   scripts/cluster/cluster.sh env DIR [NAME]   print the environment of process NAME
#
# DIR holds everything: cluster.env (ports, generated password and secrets, mode 0600),
# pids/, logs/, one folder per process (BRANDPULSE_HOME=DIR/NAME/var). Nothing is written
# into the repository. Airflow runs through `brandpulse airflow …`, so it gets the same
# environment as the single-machine mode (pipeline/settings.py airflow_environ), with
# BRANDPULSE_AIRFLOW_DATABASE and the AIRFLOW__… variables below on top.
#
# Run as root or not: PostgreSQL refuses to run as root, so as root its data folder
# belongs to the `postgres` user and lives outside DIR (DIR may sit in a private folder).
# Missing packages (postgresql, redis-server) are installed with apt-get (root only).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ -n "${BRANDPULSE_PYTHON:-}" ]]; then
    PY="$BRANDPULSE_PYTHON"
elif [[ -x "$ROOT/.venv/bin/python" ]]; then
    PY="$ROOT/.venv/bin/python"
else
    PY="$(command -v python3)"
fi
# `brandpulse` from the same environment; PYTHONPATH passes through (a checkout first).
BRANDPULSE=("$PY" -m pipeline.cli.main)
#: Seconds a process gets to stop on SIGTERM before SIGKILL (Airflow's own grace is 30 s).
STOP_GRACE=30
#: Seconds to wait for a service to accept connections (PostgreSQL starts in < 1 s here).
START_TIMEOUT=60

die() { echo "cluster: $*" >&2; exit 1; }
say() { echo "cluster: $*" >&2; }

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
random_secret() {  # 64 random bytes, urlsafe (see airflow_runner.SECRET_BYTES)
    "$PY" -c 'import secrets; print(secrets.token_urlsafe(64))'
}

# --- cluster.env: made once per DIR, then reused (same ports, password, secrets) ---------
load_env() {
    DIR="$(mkdir -p "$1" && cd "$1" && pwd)"
    mkdir -p "$DIR/pids" "$DIR/logs"
    if [[ ! -f "$DIR/cluster.env" ]]; then
        local pgdata
        if [[ $EUID -eq 0 ]]; then
            # Made (and given to postgres) when PostgreSQL first starts, not here.
            pgdata="/tmp/brandpulse-pg.$("$PY" -c 'import secrets; print(secrets.token_hex(8))')"
        else
            pgdata="$DIR/pgdata"
        fi
        umask 077
        cat >"$DIR/cluster.env" <<EOF
PG_PORT=${BRANDPULSE_CLUSTER_PG_PORT:-$(free_port)}
PG_DATA=$pgdata
PG_PASSWORD=$(random_secret)
REDIS_PORT=${BRANDPULSE_CLUSTER_REDIS_PORT:-$(free_port)}
S3_PORT=${BRANDPULSE_CLUSTER_S3_PORT:-$(free_port)}
API_PORT=${BRANDPULSE_CLUSTER_API_PORT:-$(free_port)}
LOG_PORT_WORKER1=$(free_port)
LOG_PORT_WORKER2=$(free_port)
LOG_PORT_WORKER3=$(free_port)
JWT_SECRET=$(random_secret)
API_SECRET_KEY=$(random_secret)
EOF
        umask 022
    fi
    # shellcheck disable=SC1091
    source "$DIR/cluster.env"
    PG_URL="postgresql+psycopg://brandpulse:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/airflow"
    REDIS_URL="redis://127.0.0.1:${REDIS_PORT}/0"
    S3_URL="http://127.0.0.1:${S3_PORT}"
    API_URL="http://127.0.0.1:${API_PORT}"
}

# The environment of every Airflow process of the cluster; NAME picks its working folder.
export_env() {
    local name="$1"
    export BRANDPULSE_HOME="$DIR/$name/var"
    export BRANDPULSE_AIRFLOW_DATABASE="$PG_URL"
    export BRANDPULSE_STORAGE="${BRANDPULSE_CLUSTER_STORAGE:-s3://brandpulse/cluster}"
    export AWS_ENDPOINT_URL="$S3_URL" AWS_ACCESS_KEY_ID=brandpulse AWS_SECRET_ACCESS_KEY=brandpulse
    export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
    export AIRFLOW__CORE__EXECUTOR=CeleryExecutor
    export AIRFLOW__CELERY__BROKER_URL="$REDIS_URL"
    export AIRFLOW__CELERY__RESULT_BACKEND="db+${PG_URL}"
    export AIRFLOW__API__PORT="$API_PORT" AIRFLOW__API__BASE_URL="$API_URL"
    export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="$API_URL/execution/"
    # One signing secret for all: a worker's task token must be valid at the API server.
    export AIRFLOW__API_AUTH__JWT_SECRET="$JWT_SECRET" AIRFLOW__API__SECRET_KEY="$API_SECRET_KEY"
    # A task whose worker died stops heartbeating; after this many seconds the scheduler
    # fails the try and retries it elsewhere (Airflow's default, 300 s, is long to wait).
    export AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT="${AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT:-60}"
    # A queued task the broker lost (it should not: Redis keeps an append-only file) is
    # queued again after this many seconds.
    export AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT="${AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT:-180}"
    # Each worker reports its own name as the task instances' hostname (the UI, the tests).
    export AIRFLOW__CORE__HOSTNAME_CALLABLE=pipeline.cli.cluster.worker_hostname
    export BRANDPULSE_WORKER_HOSTNAME="$name"
    case "$name" in
        worker1) export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT="$LOG_PORT_WORKER1" ;;
        worker2) export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT="$LOG_PORT_WORKER2" ;;
        worker*) export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT="$LOG_PORT_WORKER3" ;;
    esac
}

# --- processes: one session (process group) each, pid in DIR/pids, log in DIR/logs -------
alive() { [[ -f "$DIR/pids/$1.pid" ]] && kill -0 "$(cat "$DIR/pids/$1.pid")" 2>/dev/null; }

# Every process of NAME carries BRANDPULSE_CLUSTER_PROCESS=DIR:NAME in its environment, so
# that stop and kill also reach the ones that left the process group (a task's children).
tagged() {
    local tag="BRANDPULSE_CLUSTER_PROCESS=$DIR:$1" f
    for f in /proc/[0-9]*/environ; do
        if tr '\0' '\n' 2>/dev/null <"$f" | grep -qxF "$tag"; then f="${f#/proc/}"; echo "${f%/environ}"; fi
    done
}

# start NAME CMD...: run CMD in its own session from DIR/NAME unless NAME already runs.
start() {
    local name="$1"; shift
    if alive "$name"; then say "$name already runs (pid $(cat "$DIR/pids/$name.pid"))"; return; fi
    mkdir -p "$DIR/$name"
    (cd "$DIR/$name" && BRANDPULSE_CLUSTER_PROCESS="$DIR:$name" exec setsid "$@" \
        </dev/null >>"$DIR/logs/$name.log" 2>&1) &
    echo $! >"$DIR/pids/$name.pid"
    say "$name started (pid $!, log $DIR/logs/$name.log)"
}

stop() {
    local name="$1" pid
    alive "$name" || { rm -f "$DIR/pids/$name.pid"; return 0; }
    pid="$(cat "$DIR/pids/$name.pid")"
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq $((STOP_GRACE * 5))); do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -KILL -- "-$pid" $(tagged "$name") 2>/dev/null || true
    rm -f "$DIR/pids/$name.pid"
    say "$name stopped"
}

kill_now() {
    local name="$1"
    alive "$name" || die "$name does not run"
    kill -KILL -- "-$(cat "$DIR/pids/$name.pid")" 2>/dev/null || true
    # Then whatever else carries its tag, until nothing does: a process forked while the
    # list was read (a task's own session) is caught by the next round, and a killed one
    # takes a moment to leave /proc.
    local pids round
    for round in $(seq 50); do
        pids="$(tagged "$name")"
        [[ -n "$pids" ]] || break
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null || true
        sleep 0.2
    done
    [[ -z "$(tagged "$name")" ]] || die "$name: processes still alive after SIGKILL: $(tagged "$name" | tr '\n' ' ')"
    rm -f "$DIR/pids/$name.pid"
    say "$name killed (SIGKILL)"
}

wait_port() {  # wait_port NAME PORT
    local deadline=$((SECONDS + START_TIMEOUT))
    until "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', $2), 1)" 2>/dev/null; do
        alive "$1" || die "$1 exited; see $DIR/logs/$1.log"
        ((SECONDS < deadline)) || die "$1 does not listen on port $2 after ${START_TIMEOUT} s"
        sleep 0.2
    done
}

# --- services ---------------------------------------------------------------------------
pg_bin() {
    local found
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
    [[ -n "$found" && -x "$found/initdb" ]] && { echo "$found"; return; }
    dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)"
}

install_packages() {
    local missing=()
    [[ -x "$(pg_bin)/initdb" ]] || missing+=(postgresql)
    command -v redis-server >/dev/null || missing+=(redis-server)
    ((${#missing[@]})) || return 0
    [[ $EUID -eq 0 ]] || die "missing ${missing[*]}: install them (sudo apt-get install -y ${missing[*]})"
    command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
    say "installing ${missing[*]} (apt-get)"
    # The packages' own services stay off: policy-rc.d in containers, and we start our own.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$DIR/logs/apt.log" 2>&1 ||
        { apt-get update -q >>"$DIR/logs/apt.log" 2>&1 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$DIR/logs/apt.log" 2>&1; } ||
        die "apt-get install ${missing[*]} failed; see $DIR/logs/apt.log"
}

as_pg() {  # run a PostgreSQL tool as the owner of the data folder
    if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
    local bin; bin="$(pg_bin)"
    mkdir -p -m 700 "$PG_DATA"
    [[ $EUID -ne 0 ]] || chown postgres: "$PG_DATA"
    if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
        local pwfile="$PG_DATA.pw"
        (umask 077 && printf '%s\n' "$PG_PASSWORD" >"$pwfile")
        [[ $EUID -ne 0 ]] || chown postgres: "$pwfile"
        as_pg "$bin/initdb" -D "$PG_DATA" -U brandpulse --pwfile="$pwfile" \
            --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >"$DIR/logs/initdb.log" 2>&1 ||
            die "initdb failed; see $DIR/logs/initdb.log"
        rm -f "$pwfile"
    fi
    # Loopback only, the socket in the data folder; a small server (Airflow's pools are few).
    local run_as=()
    [[ $EUID -ne 0 ]] || run_as=(runuser -u postgres --)
    start postgres "${run_as[@]}" "$bin/postgres" -D "$PG_DATA" -p "$PG_PORT" \
        -c listen_addresses=127.0.0.1 -c unix_socket_directories="$PG_DATA" -c max_connections=200
    wait_port postgres "$PG_PORT"
    local psql=("$bin/psql" -h "$PG_DATA" -p "$PG_PORT" -U brandpulse -d postgres -qtAX)
    local deadline=$((SECONDS + START_TIMEOUT))
    until as_pg "${psql[@]}" -c 'select 1' >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "PostgreSQL does not answer; see $DIR/logs/postgres.log"
        sleep 0.2
    done
    if [[ -z "$(as_pg "${psql[@]}" -c "select 1 from pg_database where datname = 'airflow'")" ]]; then
        as_pg "${psql[@]}" -c 'create database airflow' >/dev/null
        say "created the metadata database airflow"
    fi
}

start_redis() {
    mkdir -p "$DIR/redis"
    # The append-only file (in DIR/redis, never in the repository) keeps queued tasks
    # across a restart of the broker; fsync every second.
    start redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$DIR/redis" \
        --appendonly yes --appendfsync everysec --save ''
    wait_port redis "$REDIS_PORT"
}

moto_server() {
    if [[ -n "${BRANDPULSE_MOTO_SERVER:-}" ]]; then echo "$BRANDPULSE_MOTO_SERVER"; return; fi
    # moto cannot share brandpulse's virtualenv (botocore vs the pinned python-dateutil):
    # `make s3-server` installs it into .venv-s3.
    [[ -x "$ROOT/.venv-s3/bin/moto_server" ]] ||
        die "no S3 server: run \`make s3-server\` (or set BRANDPULSE_MOTO_SERVER)"
    echo "$ROOT/.venv-s3/bin/moto_server"
}

start_s3() {
    start s3 "$(moto_server)" -H 127.0.0.1 -p "$S3_PORT"
    wait_port s3 "$S3_PORT"
    # The bucket of BRANDPULSE_STORAGE (moto keeps everything in memory).
    export_env control
    local bucket="${BRANDPULSE_STORAGE#s3://}"; bucket="${bucket%%/*}"
    curl -fsS -X PUT "$S3_URL/$bucket" -o /dev/null || die "cannot create bucket $bucket at $S3_URL"
}

services() {
    install_packages
    start_postgres
    start_redis
    start_s3
}

# --- Airflow ----------------------------------------------------------------------------
airflow_proc() {  # airflow_proc NAME AIRFLOW-ARGS...: one Airflow process in its own folder
    local name="$1"; shift
    (export_env "$name" && start "$name" "${BRANDPULSE[@]}" airflow "$@")
}

worker() {  # worker NAME QUEUES [CONCURRENCY]
    airflow_proc "$1" celery worker --queues "$2" --concurrency "${3:-${BRANDPULSE_WORKER_CONCURRENCY:-2}}" \
        --celery-hostname "$1@%h" --without-mingle --without-gossip
}

wait_api() {
    local deadline=$((SECONDS + 240))
    until curl -fsS "$API_URL/api/v2/monitor/health" 2>/dev/null | grep -q '"scheduler": *{[^}]*"healthy"'; do
        alive api-server || die "the API server exited; see $DIR/logs/api-server.log"
        ((SECONDS < deadline)) || die "Airflow is not healthy after 240 s; see $DIR/logs/"
        sleep 1
    done
}

up() {
    services
    (export_env control && "${BRANDPULSE[@]}" airflow >"$DIR/logs/migrate.log" 2>&1) ||
        die "airflow db migrate failed; see $DIR/logs/migrate.log"
    airflow_proc api-server api-server --port "$API_PORT"
    airflow_proc scheduler scheduler
    airflow_proc dag-processor dag-processor
    # worker1 holds the DuckDB file: the only one on queue `warehouse`.
    worker worker1 "default,warehouse"
    [[ "${BRANDPULSE_CLUSTER_WORKERS:-2}" -lt 2 ]] || worker worker2 default
    wait_api
    cat <<EOF
brandpulse cluster is up (folder $DIR)
  Airflow UI + API   $API_URL
  PostgreSQL         127.0.0.1:$PG_PORT (metadata database "airflow")
  Redis (broker)     $REDIS_URL
  S3 (moto)          $S3_URL  storage ${BRANDPULSE_CLUSTER_STORAGE:-s3://brandpulse/cluster}
  warehouse          $DIR/worker1/var/warehouse/brandpulse.duckdb
  logs               $DIR/logs/
Run a command against it:   eval "\$(scripts/cluster/cluster.sh env $DIR)"; brandpulse airflow dags list
Stop it:                    make cluster-stop   (or scripts/cluster/cluster.sh down $DIR)
EOF
}

down() {
    local name names=(worker3 worker2 worker1 dag-processor scheduler api-server s3 redis)
    # SIGTERM to all first (each takes up to STOP_GRACE s to finish), then wait for each.
    for name in "${names[@]}"; do
        if alive "$name"; then kill -TERM -- "-$(cat "$DIR/pids/$name.pid")" 2>/dev/null || true; fi
    done
    for name in "${names[@]}"; do stop "$name"; done
    if alive postgres; then
        as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" stop -m fast -w >/dev/null 2>&1 || true
        stop postgres
    fi
}

purge() {  # down, then remove the state: PostgreSQL's data folder and DIR's contents
    down
    rm -rf "$PG_DATA" "$DIR"/{pids,logs,redis,cluster.env,control,worker*,api-server,scheduler,dag-processor,postgres,s3}
    say "removed the cluster's state"
}

print_env() {
    export_env "${1:-control}"
    env | grep -E '^(BRANDPULSE_|AIRFLOW__|AWS_)' | sort | sed -E "s/^([^=]*)=(.*)$/export \1='\2'/"
}

cmd="${1:-}"; [[ $# -ge 2 ]] || die "usage: $0 up|down|purge|services|worker|stop|kill|env DIR [...]"
load_env "$2"
case "$cmd" in
    up) up ;;
    down) down ;;
    purge) purge ;;
    services) services ;;
    worker) [[ $# -ge 4 ]] || die "usage: $0 worker DIR NAME QUEUES [CONCURRENCY]"; worker "$3" "$4" "${5:-}" ;;
    stop) stop "$3" ;;
    kill) kill_now "$3" ;;
    env) print_env "${3:-control}" ;;
    *) die "unknown command $cmd" ;;
esac
