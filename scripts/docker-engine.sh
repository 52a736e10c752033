#!/usr/bin/env bash
# Make sure a Docker engine answers, starting Debian's dockerd when none does.
#
# On a workstation or a CI runner that already runs Docker this does nothing. On a machine with the
# docker.io package but no running daemon (a VM or container without systemd), it starts dockerd
# without a bridge and without iptables rules: builds and containers then use host networking only,
# so nothing a test starts gets a route off the machine, and the host's firewall is left untouched.
set -euo pipefail

readonly WAIT_SECONDS="${DOCKER_ENGINE_WAIT_SECONDS:-60}"
readonly LOG_FILE="${DOCKER_ENGINE_LOG:-/var/log/dockerd.log}"
readonly PID_FILE="${DOCKER_ENGINE_PID_FILE:-/var/run/docker.pid}"

usage() {
    cat <<EOF
Usage: scripts/docker-engine.sh [--help]

Exits 0 once a Docker engine answers on the client's default endpoint. When none answers and this
runs as root with dockerd installed, starts dockerd with --bridge=none --iptables=false (host
networking only), then waits up to ${WAIT_SECONDS} s for it. Running it again while the engine is up
changes nothing. Exits 1 when no engine can be started.

Environment:
  DOCKER_ENGINE_WAIT_SECONDS  how long to wait for a started engine (default 60)
  DOCKER_ENGINE_LOG           dockerd's log file (default /var/log/dockerd.log)
  DOCKER_ENGINE_PID_FILE      dockerd's pid file (default /var/run/docker.pid)
EOF
}

log() { printf 'docker-engine: %s\n' "$*" >&2; }

engine_answers() {
    command -v docker >/dev/null 2>&1 && docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

# A dockerd this or an earlier run started may still be coming up; starting a second one would fight
# it for the pid file and the socket.
dockerd_running() {
    [[ -s "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

start_dockerd() {
    local dockerd
    dockerd="$(command -v dockerd || true)"
    if [[ -z "$dockerd" ]]; then
        log "no engine answers and dockerd is not installed (Debian: apt-get install docker.io)"
        return 1
    fi
    if [[ "$(id -u)" -ne 0 ]]; then
        log "no engine answers and starting dockerd needs root"
        return 1
    fi
    log "starting $dockerd (no bridge, no iptables; log: $LOG_FILE)"
    # setsid: the daemon outlives this script and the make run that called it.
    setsid "$dockerd" \
        --bridge=none \
        --iptables=false \
        --ip-forward=false \
        --pidfile="$PID_FILE" \
        >>"$LOG_FILE" 2>&1 </dev/null &
}

wait_for_engine() {
    local deadline=$((SECONDS + WAIT_SECONDS))
    while ((SECONDS < deadline)); do
        if engine_answers; then
            log "engine answers (server $(docker version --format '{{.Server.Version}}'))"
            return 0
        fi
        sleep 1
    done
    log "the engine did not answer within ${WAIT_SECONDS} s; last lines of $LOG_FILE:"
    tail -n 20 "$LOG_FILE" >&2 2>/dev/null || true
    return 1
}

main() {
    if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
        usage
        return 0
    fi
    if engine_answers; then
        log "engine already answers"
        return 0
    fi
    if dockerd_running; then
        log "dockerd (pid $(cat "$PID_FILE")) is starting; waiting for it"
    else
        start_dockerd
    fi
    wait_for_engine
}

main "$@"
