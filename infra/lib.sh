# Shared helpers of the infra scripts (sourced, not run).
log() { printf '[infra %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_for NAME SECONDS CMD...: polls CMD once a second until it succeeds or time runs out.
wait_for() {
  local name=$1 seconds=$2; shift 2
  local i
  for ((i = 0; i < seconds; i++)); do
    if "$@"; then return 0; fi
    sleep 1
  done
  log "$name: not ready after ${seconds}s"
  return 1
}

# stop_pidfile FILE NAME: stops the process we started (TERM, then KILL after 30 s).
stop_pidfile() {
  local file=$1 name=$2 pid
  [[ -f "$file" ]] || { log "$name: not started by us"; return 0; }
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    log "$name: stopped"
  fi
  rm -f "$file"
}

# apt_install PKG...: installs Debian packages non-interactively (root on these machines), updating lists once.
apt_install() {
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  if [[ ! -f /tmp/.vestnik-apt-updated ]]; then
    $sudo apt-get update -qq && touch /tmp/.vestnik-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
