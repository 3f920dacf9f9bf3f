#!/usr/bin/env bash
# Runs a single-node Apache Kafka broker (KRaft, no ZooKeeper) on loopback from jars resolved from Maven Central.
# Idempotent: reuses a broker that already answers. `kafka.sh stop` stops the one we started.
#
# Kafka 3.9.1: the last 3.x line. kafkajs 2.2.4 speaks the old protocol versions that Kafka 4.0 removed
# (KIP-896), so 4.x brokers reject some of its requests; 3.9 runs KRaft and still accepts them.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
source "$here/lib.sh"

KAFKA_VERSION=3.9.1
KAFKA_PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
cache="$root/.cache/kafka"
libs="$cache/libs-$KAFKA_VERSION"
data="$cache/data"
pidfile="$cache/kafka.pid"

if [[ "${1:-}" == "stop" ]]; then stop_pidfile "$pidfile" kafka; exit 0; fi

command -v java >/dev/null || die "kafka: java is not installed (Java 17 expected)"
if [[ ! -f "$libs/.complete" ]]; then
  command -v mvn >/dev/null || die "kafka: mvn is not installed (needed once to resolve the Kafka jars)"
  log "kafka: resolving Apache Kafka $KAFKA_VERSION jars from Maven Central into $libs"
  rm -rf "$libs" && mkdir -p "$libs"
  mvn -q -B -f "$here/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DoutputDirectory="$libs" -DincludeScope=runtime
  touch "$libs/.complete"
fi

# The jars are resolved even when a broker already answers: the tests' private brokers run from them.
if port_open 127.0.0.1 "$KAFKA_PORT"; then
  log "kafka: already answering on 127.0.0.1:$KAFKA_PORT"
  exit 0
fi

mkdir -p "$data" "$cache/logs"
config="$cache/server.properties"
sed -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$CONTROLLER_PORT#g" -e "s#@LOG_DIRS@#$data#g" \
  "$here/kafka/broker.properties" > "$config"

if [[ ! -f "$data/meta.properties" ]]; then
  cluster_id_file="$cache/cluster-id"
  [[ -s "$cluster_id_file" ]] || java -cp "$libs/*" kafka.tools.StorageTool random-uuid > "$cluster_id_file"
  log "kafka: formatting storage (cluster $(cat "$cluster_id_file"))"
  java -cp "$libs/*" -Dlog4j.configuration="file:$here/kafka/log4j.properties" -Dkafka.logs.dir="$cache/logs" \
    kafka.tools.StorageTool format -t "$(cat "$cluster_id_file")" -c "$config" --ignore-formatted >/dev/null
fi

log "kafka: starting broker on 127.0.0.1:$KAFKA_PORT"
nohup java -Xms256m -Xmx${KAFKA_HEAP:-1g} -XX:+UseG1GC -Djava.awt.headless=true \
  -Dlog4j.configuration="file:$here/kafka/log4j.properties" -Dkafka.logs.dir="$cache/logs" \
  -cp "$libs/*" kafka.Kafka "$config" > "$cache/logs/stdout.log" 2>&1 &
echo $! > "$pidfile"

wait_for "kafka" 120 port_open 127.0.0.1 "$KAFKA_PORT" || { tail -n 40 "$cache/logs/server.log" "$cache/logs/stdout.log" >&2 || true; die "kafka: broker did not come up"; }
wait_for "kafka broker ready" 60 grep -q "Kafka Server started" "$cache/logs/server.log" \
  || { tail -n 40 "$cache/logs/server.log" >&2; die "kafka: broker did not finish starting"; }
log "kafka: up (pid $(cat "$pidfile"))"
