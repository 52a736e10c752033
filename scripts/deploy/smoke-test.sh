#!/usr/bin/env bash
# Smoke test of a deployed orders service through its public entry point: /health, then an order
# round trip (POST /orders, then GET /orders/{id}) with a customer API key. Over HTTPS only, with the
# certificate verified against the name in SERVICE_URL: the key never travels in clear text, and a
# certificate that does not name the URL's host fails the test at once.
set -euo pipefail
shopt -s inherit_errexit

readonly ATTEMPTS="${SMOKE_TEST_ATTEMPTS:-10}"
readonly RETRY_SECONDS="${SMOKE_TEST_RETRY_SECONDS:-3}"
readonly REQUEST_TIMEOUT_SECONDS="${SMOKE_TEST_REQUEST_TIMEOUT_SECONDS:-10}"

usage() {
    cat <<EOF
Usage: scripts/deploy/smoke-test.sh [--help]

Checks a running orders service end to end:
  1. GET  \$SERVICE_URL/health answers 200 (up to ${ATTEMPTS} attempts, ${RETRY_SECONDS} s apart);
  2. POST \$SERVICE_URL/orders with a one-item order answers 201 with an id and the right total;
  3. GET  \$SERVICE_URL/orders/{id} answers 200 with the same order.
Exits 0 when all three hold, 1 otherwise, saying which step failed.

The API key is sent over HTTPS only, and curl verifies the certificate against SERVICE_URL's host
(set CURL_CA_BUNDLE to trust another CA). A certificate that does not verify fails at once, and an
http:// URL is refused before any request, unless its host is this machine (127.0.0.1, localhost).

Environment:
  SERVICE_URL                  base URL of the service: terraform/ecs's service_url, https://... (required)
  SMOKE_TEST_API_KEY           a customer API key for the orders API (required; never printed)
  SMOKE_TEST_CUSTOMER_ID       the customer that key belongs to (default: smoke-test)
  SMOKE_TEST_IDEMPOTENCY_KEY   Idempotency-Key of the order (default: smoke-<GITHUB_SHA or time>),
                               so a re-run for one commit reads back one order instead of adding one
  SMOKE_TEST_ATTEMPTS          attempts for /health (default 10)
  SMOKE_TEST_RETRY_SECONDS     pause between them (default 3)
  SMOKE_TEST_REQUEST_TIMEOUT_SECONDS  limit for each request (default 10)
EOF
}

log() { printf 'smoke-test: %s\n' "$*"; }
fail() { printf 'smoke-test: FAIL %s\n' "$*" >&2; exit 1; }

# The key goes to curl in a header file, never on its command line, where other processes could read it.
write_auth_header() {
    local header_file="$1"
    umask 077
    printf 'Authorization: Bearer %s\n' "$SMOKE_TEST_API_KEY" >"$header_file"
}

# request METHOD URL BODY_FILE [curl args...]: prints the status code (000 when no answer came); the
# body lands in BODY_FILE. A TLS failure ends the smoke test: no retry mends a certificate.
request() {
    local method="$1" url="$2" body_file="$3" status code=0
    shift 3
    status="$(curl --silent --show-error --max-time "$REQUEST_TIMEOUT_SECONDS" --request "$method" \
        --output "$body_file" --write-out '%{http_code}' "$@" "$url" 2>"${body_file}.curl")" || code=$?
    # 35: TLS handshake failed; 51, 60: the certificate does not verify (issuer, name or date).
    if ((code == 35 || code == 51 || code == 60)); then
        fail "TLS with ${SERVICE_HOST} failed, the certificate is not trusted for that name: $(tr '\n' ' ' <"${body_file}.curl")"
    fi
    echo "${status:-000}"
}

# The key must not cross the internet in clear text: https:// only, except to this machine (tests).
check_scheme() {
    local rest="${SERVICE_URL#*://}"
    SERVICE_HOST="${rest%%/*}"
    case "$SERVICE_URL" in
        https://*) ;;
        http://127.0.0.1 | http://127.0.0.1[:/]* | http://localhost | http://localhost[:/]* | "http://[::1]"*) ;;
        http://*) fail "SERVICE_URL ${SERVICE_URL} is plain HTTP: the API key would cross the network in clear text; use the https:// service_url of terraform/ecs" ;;
        *) fail "SERVICE_URL ${SERVICE_URL} is not an http(s) URL" ;;
    esac
}

json_field() {
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2" 2>/dev/null
}

check_health() {
    local body="$1" attempt status
    for ((attempt = 1; attempt <= ATTEMPTS; attempt++)); do
        status="$(request GET "${SERVICE_URL}/health" "$body")"
        if [[ "$status" == "200" ]]; then
            log "GET /health: 200 (attempt ${attempt})"
            return 0
        fi
        log "GET /health: ${status} (attempt ${attempt}/${ATTEMPTS})"
        if ((attempt < ATTEMPTS)); then sleep "$RETRY_SECONDS"; fi
    done
    fail "GET /health never answered 200"
}

create_order() {
    local header_file="$1" body="$2" order_file="$3" status
    cat >"$order_file" <<EOF
{"customer_id": "${SMOKE_TEST_CUSTOMER_ID}", "currency": "EUR", "items": [{"sku": "smoke-test", "quantity": 2, "unit_price_cents": 150}]}
EOF
    status="$(request POST "${SERVICE_URL}/orders" "$body" \
        --header "@${header_file}" --header 'Content-Type: application/json' \
        --header "Idempotency-Key: ${SMOKE_TEST_IDEMPOTENCY_KEY}" --data-binary "@${order_file}")"
    # 201 for a new order; 200 is how a replayed idempotent request may answer on a re-run.
    [[ "$status" == "201" || "$status" == "200" ]] || fail "POST /orders answered ${status}: $(head -c 500 "$body")"
    local total
    total="$(json_field "$body" total_cents)" || fail "POST /orders answered no total_cents"
    [[ "$total" == "300" ]] || fail "POST /orders computed total_cents ${total}, expected 300"
    json_field "$body" id || fail "POST /orders answered no id"
}

read_order() {
    local header_file="$1" body="$2" order_id="$3" status read_id
    status="$(request GET "${SERVICE_URL}/orders/${order_id}" "$body" --header "@${header_file}")"
    [[ "$status" == "200" ]] || fail "GET /orders/${order_id} answered ${status}"
    read_id="$(json_field "$body" id)" || fail "GET /orders/${order_id} answered no id"
    [[ "$read_id" == "$order_id" ]] || fail "GET /orders/${order_id} returned order ${read_id}"
    log "GET /orders/${order_id}: 200, same order"
}

main() {
    if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
        usage
        return 0
    fi
    [[ -n "${SERVICE_URL:-}" ]] || fail "SERVICE_URL is not set"
    [[ -n "${SMOKE_TEST_API_KEY:-}" ]] || fail "SMOKE_TEST_API_KEY is not set"
    SERVICE_URL="${SERVICE_URL%/}"
    check_scheme
    SMOKE_TEST_CUSTOMER_ID="${SMOKE_TEST_CUSTOMER_ID:-smoke-test}"
    SMOKE_TEST_IDEMPOTENCY_KEY="${SMOKE_TEST_IDEMPOTENCY_KEY:-smoke-${GITHUB_SHA:-$(date +%s)}}"

    local work
    work="$(mktemp -d)"
    # shellcheck disable=SC2064 # expand now: the directory is fixed for this run
    trap "rm -rf '${work}'" EXIT
    write_auth_header "${work}/auth-header"

    log "checking ${SERVICE_URL}"
    check_health "${work}/health.json"
    local order_id
    order_id="$(create_order "${work}/auth-header" "${work}/created.json" "${work}/order.json")"
    log "POST /orders: created order ${order_id}"
    read_order "${work}/auth-header" "${work}/read.json" "$order_id"
    log "PASS /health and an order round trip through ${SERVICE_URL}"
}

main "$@"
