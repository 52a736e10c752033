#!/usr/bin/env bash
# Makes sure the PostgreSQL test suites have a server: POSTGRES_TEST_URL when it is set and answers,
# else the throwaway sandbox server. Without either, it says so loudly; under CI=true it fails, because
# a suite skipped in CI proves nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ${1:-} == "-h" || ${1:-} == "--help" ]]; then
  echo "Usage: scripts/ensure-test-postgres.sh   (used by make; see scripts/postgres-sandbox.sh)"
  exit 0
fi

if [[ -n ${POSTGRES_TEST_URL:-} ]]; then
  echo "==> PostgreSQL tests use POSTGRES_TEST_URL"
  exit 0
fi
if find /usr/lib/postgresql -maxdepth 3 -name pg_ctl -type f 2>/dev/null | grep -q .; then
  scripts/postgres-sandbox.sh start
  exit 0
fi
if [[ ${CI:-} == "true" ]]; then
  echo "ERROR: no PostgreSQL server binaries and no POSTGRES_TEST_URL: the PostgreSQL suites cannot run in CI" >&2
  exit 1
fi
echo "************************************************************************"
echo "POSTGRESQL TESTS WILL BE SKIPPED: install Debian's postgresql package or"
echo "set POSTGRES_TEST_URL. Only the SQLite store is being tested."
echo "************************************************************************"
