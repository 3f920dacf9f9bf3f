#!/usr/bin/env bash
# Runs a Confluent-compatible schema registry on loopback: Apicurio Registry (a Quarkus app) from its
# Maven Central distribution, in-memory storage, Confluent API at /apis/ccompat/v7. Only needed for the
# SCHEMA_REGISTRY_URL mode and tests/integration/codec-registry.test.ts; the default codec needs no server.
# Idempotent: reuses a registry that already answers. `registry.sh stop` stops the one we started.
#
#   SCHEMA_REGISTRY_URL=http://127.0.0.1:8081/apis/ccompat/v7
#
# In-memory storage: schema ids restart from 1 with every start, so never point a persistent Kafka at it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
source "$here/lib.sh"

APICURIO_VERSION=2.6.13.Final
REGISTRY_PORT=${REGISTRY_PORT:-8081}
cache="$root/.cache/registry"
app="$cache/app-$APICURIO_VERSION"
jar="$app/apicurio-registry-app-$APICURIO_VERSION-runner.jar"
pidfile="$cache/registry.pid"
logfile="$cache/registry.log"
url="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"

if [[ "${1:-}" == "stop" ]]; then stop_pidfile "$pidfile" registry; exit 0; fi

answering() { curl -fsS -o /dev/null "$url/subjects" 2>/dev/null; }

if answering; then
  log "registry: already answering at $url"
  exit 0
fi
port_open 127.0.0.1 "$REGISTRY_PORT" && die "registry: 127.0.0.1:$REGISTRY_PORT is taken by something that is not a registry"

command -v java >/dev/null || die "registry: java is not installed (Java 17 expected)"
if [[ ! -f "$app/.complete" ]]; then
  command -v mvn >/dev/null || die "registry: mvn is not installed (needed once to resolve Apicurio Registry)"
  log "registry: resolving Apicurio Registry $APICURIO_VERSION from Maven Central into $app"
  rm -rf "$app" && mkdir -p "$app"
  # The -all.tar.gz distribution holds the runnable Quarkus jar and its lib/ folder.
  mvn -q -B dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
    -DoutputDirectory="$cache" -Dmdep.overWriteReleases=false
  tar -xzf "$cache/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz" -C "$app"
  rm -f "$cache/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz"
  [[ -f "$jar" ]] || die "registry: $jar missing after unpacking"
  touch "$app/.complete"
fi

log "registry: starting Apicurio Registry on 127.0.0.1:$REGISTRY_PORT (in-memory)"
mkdir -p "$cache"
cd "$app" # a simple command in the background, so $! is java itself and `stop` reaches it
nohup java -Xms64m -Xmx${REGISTRY_HEAP:-384m} -Djava.awt.headless=true \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
  -jar "$jar" > "$logfile" 2>&1 &
echo $! > "$pidfile"

started_or_dead() { answering || ! kill -0 "$(cat "$pidfile")" 2>/dev/null; }
wait_for "registry" 120 started_or_dead || true
answering || { tail -n 40 "$logfile" >&2 || true; die "registry: did not come up (log: $logfile)"; }
log "registry: up at $url (pid $(cat "$pidfile"))"
