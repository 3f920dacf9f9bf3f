#!/usr/bin/env bash
# Stops the services that infra/up.sh started (never a Redis or ClickHouse that was already running).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/kafka.sh" stop
bash "$here/clickhouse.sh" stop || true
bash "$here/registry.sh" stop || true
bash "$here/redis.sh" stop
