#!/usr/bin/env bash
# Runs the service the way `make run` does: the embedded SQLite store under ./data, readable logs, and a
# local API key for customer "demo" (created once, kept in data/dev-api-key, printed on every start).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/run-local.sh PATH_TO_ORDERS_SERVICE

Starts orders-service on http://127.0.0.1:8080 (HTTP_PORT to change) with SQLite at data/orders.sqlite.
Any setting from the README can be overridden in the environment. Ctrl-C stops it.
USAGE
}

ensure_dev_key() {
  local binary=$1 key_file=$2 key_id
  if [[ -s $key_file ]]; then
    key_id=$(cut -c10-25 "$key_file")
    if "$binary" keys list 2>/dev/null | awk -v id="$key_id" '$1 == id && $5 == "-" { found = 1 } END { exit !found }'; then
      return
    fi
  fi
  umask 077
  "$binary" keys create --customer demo --label "local development (make run)" --to-stdout 2>/dev/null > "$key_file"
}

main() {
  if [[ ${1:-} == "-h" || ${1:-} == "--help" || $# -ne 1 ]]; then
    usage
    [[ $# -eq 1 ]] && exit 0 || exit 2
  fi
  local binary=$1
  mkdir -p data
  export LOG_FORMAT=${LOG_FORMAT:-text}
  # Locally there is no load balancer to wait for: stop at once on Ctrl-C.
  export DRAIN_DELAY_SECONDS=${DRAIN_DELAY_SECONDS:-0}
  ensure_dev_key "$binary" data/dev-api-key
  cat <<BANNER
------------------------------------------------------------------------
LOCAL DEVELOPMENT API KEY (customer "demo"; this machine only, kept in data/dev-api-key):
  $(cat data/dev-api-key)
Try:
  curl -s http://127.0.0.1:${HTTP_PORT:-8080}/health
  curl -s -H "Authorization: Bearer \$(cat data/dev-api-key)" http://127.0.0.1:${HTTP_PORT:-8080}/orders
------------------------------------------------------------------------
BANNER
  exec "$binary"
}

main "$@"
