#!/usr/bin/env bash
# Live alert-latency drill: a real scheduler (`airflow standalone`), a drill incident in the
# demo source, a logging SMTP server; measures window close -> alert email accepted.
# See docs/alert-latency.md for what it measured and how to read the timeline.
#
#   scripts/live_alert_drill.sh setup      # snapshot HEAD, brands drill, backfill, SMTP, Airflow
#   scripts/live_alert_drill.sh timeline   # runs, task instances, SMTP accepts around CLOSE
#   scripts/live_alert_drill.sh stop       # stop Airflow (its process group) and the SMTP server
#
# Settings (environment):
#   DRILL_HOME      runtime folder (BRANDPULSE_HOME for the drill)   default: ${TMPDIR:-/tmp}/bp-drill
#   DRILL_BRAND     brand that gets the incident                       default: fernleaf
#   INCIDENT_START  incident start, brand-local YYYY-MM-DDTHH:MM       default: next whole UTC hour
#   INCIDENT_HOURS / INCIDENT_MULTIPLIER / INCIDENT_CATEGORY           default: 2 / 9 / delivery
#   HISTORY_DAYS    days of history backfilled (no alerts) before it   default: 28
#   SMTP_PORT / API_PORT / LOG_PORT                                    default: 8025 / 18080 / 18793
#   SNAPSHOT=0      run the working tree instead of a `git archive HEAD` copy (default 1)
#   CLOSE           window close to measure from (timeline), ISO UTC   default: incident start + 1 h
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_BIN="${VENV_BIN:-$REPO/.venv/bin}"
DRILL_HOME="${DRILL_HOME:-${TMPDIR:-/tmp}/bp-drill}"
DRILL_BRAND="${DRILL_BRAND:-fernleaf}"
INCIDENT_HOURS="${INCIDENT_HOURS:-2}"
INCIDENT_MULTIPLIER="${INCIDENT_MULTIPLIER:-9}"
INCIDENT_CATEGORY="${INCIDENT_CATEGORY:-delivery}"
HISTORY_DAYS="${HISTORY_DAYS:-28}"
SMTP_PORT="${SMTP_PORT:-8025}"
API_PORT="${API_PORT:-18080}"
LOG_PORT="${LOG_PORT:-18793}"
SNAPSHOT="${SNAPSHOT:-1}"
PY="$VENV_BIN/python"

mkdir -p "$DRILL_HOME"
SRC="$REPO"
[[ "$SNAPSHOT" == 1 ]] && SRC="$DRILL_HOME/src"

drill_env() {
    # PYTHONPATH wins over the editable install: pipeline, dags, models, sql come from $SRC.
    export PYTHONPATH="$SRC" BRANDPULSE_HOME="$DRILL_HOME" BRANDPULSE_BRANDS="$DRILL_HOME/brands.yaml"
    export AIRFLOW__API__PORT="$API_PORT" AIRFLOW__API__BASE_URL="http://127.0.0.1:$API_PORT"
    export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$API_PORT/execution/"
    export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT="$LOG_PORT"
    export AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT="$((LOG_PORT + 1))"
    export AIRFLOW_CONN_SMTP_DEFAULT="smtp://127.0.0.1:$SMTP_PORT?disable_ssl=true&disable_tls=true&from_email=brandpulse%40example.com"
}

# Incident start (brand-local) and the UTC instant it begins at.
incident_times() {
    "$PY" - "$DRILL_BRAND" "${INCIDENT_START:-}" "$REPO/brands.yaml" <<'PY'
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo
import yaml
brand, start, brands = sys.argv[1], sys.argv[2], sys.argv[3]
tz = ZoneInfo(next(b["timezone"] for b in yaml.safe_load(open(brands))["brands"] if b["id"] == brand))
if start:
    local = datetime.strptime(start, "%Y-%m-%dT%H:%M").replace(tzinfo=tz)
else:
    local = (datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)).astimezone(tz)
print(local.strftime("%Y-%m-%dT%H:%M"), local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
PY
}

cmd_setup() {
    read -r LOCAL_START UTC_START < <(incident_times)
    echo "incident: $DRILL_BRAND from $LOCAL_START local ($UTC_START) for $INCIDENT_HOURS h"
    if [[ "$SNAPSHOT" == 1 ]]; then
        rm -rf "$SRC" && mkdir -p "$SRC"
        git -C "$REPO" archive HEAD | tar -x -C "$SRC"
        echo "code: snapshot of $(git -C "$REPO" rev-parse --short HEAD) in $SRC"
    fi
    drill_env
    # 1. the brands file with the drill incident
    "$PY" - "$SRC/brands.yaml" "$BRANDPULSE_BRANDS" "$DRILL_BRAND" "$LOCAL_START" \
        "$INCIDENT_HOURS" "$INCIDENT_MULTIPLIER" "$INCIDENT_CATEGORY" <<'PY'
import sys
import yaml
src, dst, brand, start, hours, mult, category = sys.argv[1:]
doc = yaml.safe_load(open(src))
b = next(b for b in doc["brands"] if b["id"] == brand)
b["sources"]["demo"]["incidents"] = [
    {"start": start, "hours": int(hours), "multiplier": float(mult), "category": category}
]
yaml.safe_dump(doc, open(dst, "w"), sort_keys=False)
PY
    # 2. history up to the incident hour, spikes stored, no email
    HIST_START="$("$PY" -c "import sys;from datetime import datetime,timedelta;e=datetime.fromisoformat(sys.argv[1].replace('Z','+00:00'));print((e-timedelta(days=int(sys.argv[2]))).strftime('%Y-%m-%dT00:00:00Z'))" "$UTC_START" "$HISTORY_DAYS")"
    "$VENV_BIN/brandpulse" run --start "$HIST_START" --end "$UTC_START" --no-alerts --no-progress
    # 3. an SMTP server that logs when it accepts each message (UTC, ms)
    cat > "$DRILL_HOME/smtp_log.py" <<'PY'
import sys, time
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from aiosmtpd.controller import Controller
port, log = int(sys.argv[1]), Path(sys.argv[2])
def stamp(): return datetime.now(UTC).isoformat(timespec="milliseconds")
class Handler:
    async def handle_DATA(self, server, session, envelope):
        accepted = stamp()
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with log.open("a") as fh:
            fh.write(f"{accepted}\tACCEPTED\tfrom={envelope.mail_from}\tto={','.join(envelope.rcpt_tos)}"
                     f"\tsubject={msg['Subject']}\tmsgid={msg['Message-ID']}\n")
        return "250 OK"
ctl = Controller(Handler(), hostname="127.0.0.1", port=port)
ctl.start()
with log.open("a") as fh: fh.write(f"{stamp()}\tSTARTED\tport={port}\n")
while True: time.sleep(3600)
PY
    nohup "$PY" "$DRILL_HOME/smtp_log.py" "$SMTP_PORT" "$DRILL_HOME/smtp.log" \
        > "$DRILL_HOME/smtp.out" 2>&1 &
    echo $! > "$DRILL_HOME/smtp.pid"
    # 4. Airflow: metadata database + pool, then the scheduler, DAG processor, API server
    "$VENV_BIN/brandpulse" airflow
    setsid nohup "$VENV_BIN/brandpulse" airflow standalone \
        > "$DRILL_HOME/standalone.log" 2>&1 < /dev/null &
    echo $! > "$DRILL_HOME/standalone.pgid"
    echo "started: Airflow on http://127.0.0.1:$API_PORT (pgid $(cat "$DRILL_HOME/standalone.pgid")), SMTP on $SMTP_PORT"
    echo "the incident hour closes at $UTC_START + 1 h; then: $0 timeline"
}

cmd_timeline() {
    read -r _ UTC_START < <(incident_times)
    CLOSE="${CLOSE:-$("$PY" -c "import sys;from datetime import datetime,timedelta;print((datetime.fromisoformat(sys.argv[1].replace('Z','+00:00'))+timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%SZ'))" "$UTC_START")}"
    SINCE="${SINCE:-$("$PY" -c "import sys;from datetime import datetime,timedelta;print((datetime.fromisoformat(sys.argv[1].replace('Z','+00:00'))-timedelta(minutes=2)).strftime('%Y-%m-%dT%H:%M:%S'))" "$CLOSE")}"
    "$PY" - "http://127.0.0.1:$API_PORT" "$SINCE" "$CLOSE" "$DRILL_HOME/smtp.log" <<'PY'
import json, sys, urllib.parse, urllib.request
from datetime import datetime
api, since, close, smtp_log = sys.argv[1:]
close = datetime.fromisoformat(close.replace("Z", "+00:00"))
def get(path):
    with urllib.request.urlopen(api + path) as r:
        return json.load(r)
def rel(s):
    return f"{(datetime.fromisoformat(s.replace('Z', '+00:00')) - close).total_seconds():+8.1f}s" if s else "       -"
print(f"relative to the window close {close.isoformat()}")
for dag in ["brandpulse_ingest", "brandpulse_alerts", "brandpulse_file_import", "brandpulse_report", "brandpulse_daily"]:
    for run in get(f"/api/v2/dags/{dag}/dagRuns?order_by=-run_after&limit=20")["dag_runs"]:
        if (run["queued_at"] or "") < since:
            continue
        rid = run["dag_run_id"]
        print(f"\n{dag} {rid} [{run['state']}]")
        print(f"  run: queued {rel(run['queued_at'])} start {rel(run['start_date'])} end {rel(run['end_date'])}")
        tis = get(f"/api/v2/dags/{dag}/dagRuns/{urllib.parse.quote(rid)}/taskInstances?limit=100")["task_instances"]
        for ti in sorted(tis, key=lambda t: (t["start_date"] or "9", t["map_index"])):
            name = ti["task_id"] + (f"[{ti['map_index']}]" if ti["map_index"] >= 0 else "")
            print(f"  {name:18s} {str(ti['state']):8s} sched {rel(ti.get('scheduled_when'))} queued {rel(ti.get('queued_when'))}"
                  f" start {rel(ti['start_date'])} end {rel(ti['end_date'])} ({ti['duration'] and round(ti['duration'], 2)} s)")
print("\nSMTP accepted:")
for line in open(smtp_log):
    f = line.rstrip("\n").split("\t")
    if f[1] == "ACCEPTED" and f[0] >= since:
        print(f"  {f[0]} ({rel(f[0])})  " + "  ".join(f[2:5]))
PY
}

cmd_stop() {
    if [[ -f "$DRILL_HOME/standalone.pgid" ]]; then
        kill -- "-$(cat "$DRILL_HOME/standalone.pgid")" 2>/dev/null || true
        rm -f "$DRILL_HOME/standalone.pgid"
    fi
    if [[ -f "$DRILL_HOME/smtp.pid" ]]; then
        kill "$(cat "$DRILL_HOME/smtp.pid")" 2>/dev/null || true
        rm -f "$DRILL_HOME/smtp.pid"
    fi
    echo "stopped"
}

case "${1:-}" in
    setup) cmd_setup ;;
    timeline) cmd_timeline ;;
    stop) cmd_stop ;;
    *) sed -n '2,22p' "$0"; exit 2 ;;
esac
