#!/usr/bin/env bash
# Uses the ClickHouse that answers on 127.0.0.1:$CLICKHOUSE_HTTP_PORT, or starts the Debian clickhouse-server (18.16)
# as a daemon with our config (infra/clickhouse/*.xml) and its data, logs and pid file in .cache/clickhouse.
# Loopback only. `clickhouse.sh stop` stops only a server we started.
#
# Ports: HTTP $CLICKHOUSE_HTTP_PORT (8123), native $CLICKHOUSE_TCP_PORT (9000; when not set and 9000 is taken, the
# next free port above it — the app only speaks HTTP). Running as root needs no flag: 18.16 runs as whoever
# starts it (the Debian unit switches to the clickhouse user; we do not, the data lives in our own folder).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
source "$here/lib.sh"

CLICKHOUSE_HTTP_PORT=${CLICKHOUSE_HTTP_PORT:-8123}
cache="$root/.cache/clickhouse"
pidfile="$cache/clickhouse-server.pid"
logdir="$cache/log"

if [[ "${1:-}" == "stop" ]]; then stop_pidfile "$pidfile" clickhouse; exit 0; fi

valid_port() { [[ "$1" =~ ^[0-9]+$ ]] && (("$1" >= 1 && "$1" <= 65535)); }
valid_port "$CLICKHOUSE_HTTP_PORT" || die "clickhouse: CLICKHOUSE_HTTP_PORT=$CLICKHOUSE_HTTP_PORT is not a port"
[[ -z "${CLICKHOUSE_TCP_PORT:-}" ]] || valid_port "$CLICKHOUSE_TCP_PORT" \
  || die "clickhouse: CLICKHOUSE_TCP_PORT=$CLICKHOUSE_TCP_PORT is not a port"

command -v curl >/dev/null || die "clickhouse: curl is needed to check the server (apt-get install curl)"

clickhouse_answers() {
  [[ "$(curl -fsS --max-time 2 "http://127.0.0.1:$CLICKHOUSE_HTTP_PORT/ping" 2>/dev/null)" == "Ok." ]]
}

# Our daemon is alive when the pid in the file is a running clickhouse-server (not a recycled pid).
our_server_running() {
  [[ -f "$pidfile" ]] || return 1
  local pid; pid=$(cat "$pidfile")
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == clickhouse-serv* ]]
}

# The native port: the one asked for, or the first free one from 9000 up.
pick_tcp_port() {
  if [[ -n "${CLICKHOUSE_TCP_PORT:-}" ]]; then
    port_open 127.0.0.1 "$CLICKHOUSE_TCP_PORT" && die "clickhouse: CLICKHOUSE_TCP_PORT=$CLICKHOUSE_TCP_PORT is taken"
    echo "$CLICKHOUSE_TCP_PORT"; return
  fi
  local port
  for port in $(seq 9000 9099); do
    port_open 127.0.0.1 "$port" || { echo "$port"; return; }
  done
  die "clickhouse: no free native port in 9000-9099 (set CLICKHOUSE_TCP_PORT)"
}

show_logs() { tail -n 40 "$logdir/clickhouse-server.err.log" "$logdir/stderr.log" >&2 2>/dev/null || true; }

start_server() {
  local server tcp_port
  server=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
  [[ -x "$server" ]] || die "clickhouse: clickhouse-server is not installed (apt-get install clickhouse-server)"
  port_open 127.0.0.1 "$CLICKHOUSE_HTTP_PORT" \
    && die "clickhouse: port $CLICKHOUSE_HTTP_PORT is taken by something that is not ClickHouse (set CLICKHOUSE_HTTP_PORT)"
  tcp_port=$(pick_tcp_port)
  mkdir -p "$cache/data/tmp" "$cache/data/user_files" "$cache/data/format_schemas" "$logdir"
  rm -f "$pidfile" # a stale file makes the daemon refuse to start
  log "clickhouse: starting clickhouse-server on 127.0.0.1 (http $CLICKHOUSE_HTTP_PORT, native $tcp_port)"
  # The config reads these through from_env; its paths must be absolute, hence computed here.
  CLICKHOUSE_HTTP_PORT=$CLICKHOUSE_HTTP_PORT CLICKHOUSE_TCP_PORT=$tcp_port \
    CLICKHOUSE_DATA_PATH="$cache/data/" CLICKHOUSE_TMP_PATH="$cache/data/tmp/" \
    CLICKHOUSE_USER_FILES_PATH="$cache/data/user_files/" CLICKHOUSE_FORMAT_SCHEMA_PATH="$cache/data/format_schemas/" \
    CLICKHOUSE_LOG_FILE="$logdir/clickhouse-server.log" CLICKHOUSE_ERROR_LOG_FILE="$logdir/clickhouse-server.err.log" \
    "$server" --daemon --pid-file="$pidfile" --config-file="$here/clickhouse/config.xml" \
    || { show_logs; die "clickhouse: clickhouse-server refused to start"; }
}

# Up to 60 s for /ping; gives up early when the daemon has already exited (bad config, port taken).
wait_until_up() {
  local i
  for ((i = 0; i < 60; i++)); do
    clickhouse_answers && return 0
    if ((i >= 3)) && ! our_server_running; then log "clickhouse: the server exited during startup"; return 1; fi
    sleep 1
  done
  log "clickhouse: not ready after 60s"
  return 1
}

if clickhouse_answers; then
  log "clickhouse: already answering on http://127.0.0.1:$CLICKHOUSE_HTTP_PORT"
  exit 0
fi

mkdir -p "$cache"
# Two scripts starting at once (up.sh and a test helper) must not both launch a server on one data folder.
exec 9>"$cache/.start.lock"
flock -w 90 9 || die "clickhouse: another start is still running (lock $cache/.start.lock)"
if clickhouse_answers; then
  log "clickhouse: started by a concurrent run, answering on http://127.0.0.1:$CLICKHOUSE_HTTP_PORT"
  exit 0
fi

if our_server_running; then
  log "clickhouse: our server (pid $(cat "$pidfile")) is running but not answering yet; waiting"
else
  start_server
fi
wait_until_up || { show_logs; die "clickhouse: not answering on port $CLICKHOUSE_HTTP_PORT"; }
log "clickhouse: up on http://127.0.0.1:$CLICKHOUSE_HTTP_PORT (pid $(cat "$pidfile" 2>/dev/null || echo '?'))"
