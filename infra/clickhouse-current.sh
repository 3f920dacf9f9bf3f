#!/usr/bin/env bash
# Installs a current ClickHouse engine for the test that runs Vestnik's SQL on it as well as on 18.16
# (tests/integration/clickhouse-current.test.ts): npm's chdb, ClickHouse 26.7 as a library, pinned by
# infra/clickhouse-current/package-lock.json, into .cache/clickhouse-current. Idempotent: installs again only
# when the pinned files change.
#
# Why not in the project's package.json: the registry this machine reaches serves chdb's Linux x64 engine but not
# its other platforms' packages, so npm leaves those out of the lock, and `npm ci` refuses a lock that lacks them.
# Apart, it also keeps 540 MiB out of node_modules and out of the image's build stage.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
source "$here/lib.sh"

target="$root/.cache/clickhouse-current"
pinned=$(cat "$here/clickhouse-current/package.json" "$here/clickhouse-current/package-lock.json" | sha256sum | cut -d' ' -f1)
if [[ -f "$target/.complete" && "$(cat "$target/.complete")" == "$pinned" ]]; then exit 0; fi

log "clickhouse-current: installing chdb (ClickHouse 26.7's engine, about 170 MB to download) into $target"
rm -rf "$target" && mkdir -p "$target"
cp "$here/clickhouse-current/package.json" "$here/clickhouse-current/package-lock.json" "$target/"
(cd "$target" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
echo "$pinned" > "$target/.complete"
log "clickhouse-current: installed"
