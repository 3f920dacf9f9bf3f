#!/usr/bin/env bash
# Brings up everything Vestnik needs on loopback, idempotently: Kafka (KRaft), Redis, ClickHouse, then builds the
# project and creates the topics and ClickHouse tables. Safe to run any number of times.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
source "$here/lib.sh"

missing=()
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
[[ -x /usr/sbin/clickhouse-server ]] || command -v clickhouse-server >/dev/null || missing+=(clickhouse-server clickhouse-client)
command -v curl >/dev/null || missing+=(curl)
# The interop tests check our Avro bytes against an independent implementation.
/usr/bin/python3 -c 'import avro' 2>/dev/null || missing+=(python3-avro)
command -v redis-cli >/dev/null || missing+=(redis-tools)
# The console's tests drive a real headless browser (playwright-core launches Debian's chromium).
command -v chromium >/dev/null || missing+=(chromium)
# The metrics test runs a real Prometheus server against the roles and checks the rules with promtool.
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  apt_install "${missing[@]}"
fi

[[ -d "$root/node_modules" ]] || (cd "$root" && npm ci --no-audit --no-fund)

bash "$here/kafka.sh"
bash "$here/redis.sh"
bash "$here/clickhouse.sh"
# A Confluent-compatible schema registry (Apicurio, in memory), for the SCHEMA_REGISTRY_URL path.
bash "$here/registry.sh"
# A current ClickHouse engine, for the test that runs the same SQL on it as on 18.16.
bash "$here/clickhouse-current.sh"

cd "$root"
log "building (tsc)"
npx tsc -p tsconfig.build.json
log "creating topics and ClickHouse tables"
node dist/cli/vestnik.js setup
log "all services up: kafka 127.0.0.1:${KAFKA_PORT:-9092}, redis 127.0.0.1:${REDIS_PORT:-6379}, clickhouse http://127.0.0.1:${CLICKHOUSE_HTTP_PORT:-8123}"
