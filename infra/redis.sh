#!/usr/bin/env bash
# Uses the Redis that answers on 127.0.0.1:$REDIS_PORT, or starts redis-server there with its data in .cache/redis
# (append-only file, fsynced before every answer, so idempotency keys and claims survive a restart of the Redis we
# run; README "Delivery guarantees" says what that costs and where it matters).
# `redis.sh stop` stops only a Redis we started.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
source "$here/lib.sh"

REDIS_PORT=${REDIS_PORT:-6379}
cache="$root/.cache/redis"
pidfile="$cache/redis.pid"

if [[ "${1:-}" == "stop" ]]; then stop_pidfile "$pidfile" redis; exit 0; fi

redis_answers() { [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == "PONG" ]]; }

if redis_answers; then
  log "redis: already answering on 127.0.0.1:$REDIS_PORT"
  exit 0
fi
if ! command -v redis-server >/dev/null; then
  log "redis: installing redis-server from Debian packages"
  apt_install redis-server redis-tools
fi
mkdir -p "$cache"
log "redis: starting redis-server on 127.0.0.1:$REDIS_PORT"
redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$cache" --pidfile "$pidfile" \
  --appendonly yes --appendfsync always --save "" --logfile "$cache/redis.log"
wait_for redis 30 redis_answers || { tail -n 20 "$cache/redis.log" >&2; die "redis: did not come up"; }
log "redis: up"
