#!/usr/bin/env bash
# Download Amazon RDS's CA bundle into the image's build context, and refuse anything that is not a
# set of PEM certificates. The service verifies the database's certificate against this file
# (DATABASE_TLS_CA_FILE=/etc/orders-service/rds-ca-bundle.pem): RDS certificates chain to Amazon's RDS
# certificate authorities, not to the system roots.
set -euo pipefail

readonly DEFAULT_URL="https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
readonly DEFAULT_OUTPUT="app/certs/rds-ca-bundle.pem"

usage() {
    cat <<EOF
Usage: scripts/deploy/fetch-rds-ca-bundle.sh [--url URL] [--output PATH] [--help]

Downloads the RDS CA bundle (default ${DEFAULT_URL})
to PATH (default ${DEFAULT_OUTPUT}; the Dockerfile copies app/certs/ into /etc/orders-service/).
The file is replaced only when the download succeeds and every block in it is a certificate that
openssl can read. Exits 1 otherwise, leaving any earlier file as it was.
Only https:// URLs are fetched (file:// is accepted for tests that work offline).
EOF
}

log() { printf 'fetch-rds-ca-bundle: %s\n' "$*"; }
fail() { printf 'fetch-rds-ca-bundle: FAIL %s\n' "$*" >&2; exit 1; }

download() {
    local url="$1" destination="$2"
    curl --fail --silent --show-error --location --proto '=https,file' --proto-redir '=https' \
        --retry 3 --retry-delay 2 --max-time 60 --output "$destination" "$url" \
        || fail "could not download ${url}"
}

# Every BEGIN CERTIFICATE block must parse, and nothing else may be in the file.
check_bundle() {
    local bundle="$1" blocks parsed
    blocks="$(grep -c -- '-----BEGIN CERTIFICATE-----' "$bundle" || true)"
    ((blocks > 0)) || fail "no PEM certificate in the download"
    if grep -v -e '^-----\(BEGIN\|END\) CERTIFICATE-----$' -e '^[A-Za-z0-9+/=]*$' -e '^\s*$' "$bundle" | grep -q .; then
        fail "the download holds something besides PEM certificates"
    fi
    parsed="$(openssl crl2pkcs7 -nocrl -certfile "$bundle" 2>/dev/null \
        | openssl pkcs7 -print_certs -noout 2>/dev/null | grep -c '^subject=' || true)"
    [[ "$parsed" == "$blocks" ]] || fail "openssl read ${parsed} of ${blocks} certificates"
    printf '%s' "$blocks"
}

main() {
    local url="$DEFAULT_URL" output="$DEFAULT_OUTPUT"
    while (($# > 0)); do
        case "$1" in
            --url) url="${2:?--url needs a value}"; shift 2 ;;
            --output) output="${2:?--output needs a value}"; shift 2 ;;
            -h | --help) usage; return 0 ;;
            *) usage >&2; fail "unknown argument: $1" ;;
        esac
    done

    mkdir -p "$(dirname "$output")"
    local partial="${output}.partial"
    # shellcheck disable=SC2064 # expand now: the path is fixed for this run
    trap "rm -f '${partial}'" EXIT
    download "$url" "$partial"
    local count
    count="$(check_bundle "$partial")"
    mv -f "$partial" "$output"
    log "wrote ${output}: ${count} certificates from ${url}"
}

main "$@"
