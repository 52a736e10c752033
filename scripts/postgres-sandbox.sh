#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for tests, drills and benchmarks: its own data directory,
# its own port, password logins only, gone after `stop`. Never touches a system cluster.
set -euo pipefail

PORT=${SANDBOX_POSTGRES_PORT:-55432}
DATA_DIR=${SANDBOX_POSTGRES_DIR:-/tmp/orders-service-postgres-$PORT}
APP_USER=orders
APP_PASSWORD=orders-test
APP_DATABASE=orders_test
SUPERUSER_PASSWORD=postgres-test

usage() {
  cat <<USAGE
Usage: scripts/postgres-sandbox.sh start|stop|restart|pause|resume|status|url|admin-url

  start      create (first time) and start the server on 127.0.0.1:$PORT
  stop       stop it and delete its data directory
  pause      stop the server but keep its data (an outage, for drills)
  resume     start a paused server again
  status     exit 0 when it accepts connections
  url        print the application's connection URL (role $APP_USER, database $APP_DATABASE)
  admin-url  print the superuser's connection URL

Environment: SANDBOX_POSTGRES_PORT (default 55432), SANDBOX_POSTGRES_DIR, and for a server that
accepts TLS connections only: SANDBOX_POSTGRES_TLS_CERT and SANDBOX_POSTGRES_TLS_KEY (PEM files).
USAGE
}

pg_bin() {
  local dir
  dir=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir ]] || { echo "postgres-sandbox: no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 1; }
  echo "$dir"
}

# PostgreSQL refuses to run as root: as root, run its tools as the postgres user.
as_owner() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

is_up() {
  "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PORT" -t 1
}

wait_until_up() {
  local attempt
  for attempt in $(seq 1 100); do
    is_up && return 0
    sleep 0.1
  done
  echo "postgres-sandbox: the server did not come up on port $PORT (attempt $attempt)" >&2
  return 1
}

create_cluster() {
  local bin password_file
  bin=$(pg_bin)
  mkdir -p "$DATA_DIR"
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$DATA_DIR"
  chmod 700 "$DATA_DIR"
  password_file=$(mktemp)
  echo "$SUPERUSER_PASSWORD" > "$password_file"
  [[ $EUID -eq 0 ]] && chown postgres "$password_file"
  as_owner "$bin/initdb" -D "$DATA_DIR" -U postgres --auth=scram-sha-256 --pwfile="$password_file" -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$password_file"
  cat >> "$DATA_DIR/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA_DIR'
max_connections = 200
fsync = on
log_min_messages = warning
CONF
  if [[ -n ${SANDBOX_POSTGRES_TLS_CERT:-} ]]; then
    enable_tls_only
  fi
}

# TLS with the given certificate, and password logins over TLS only.
enable_tls_only() {
  install -m 0644 "$SANDBOX_POSTGRES_TLS_CERT" "$DATA_DIR/server.crt"
  install -m 0600 "$SANDBOX_POSTGRES_TLS_KEY" "$DATA_DIR/server.key"
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$DATA_DIR/server.crt" "$DATA_DIR/server.key"
  printf "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" >> "$DATA_DIR/postgresql.conf"
  sed -i -E 's/^host(\s)/hostssl\1/' "$DATA_DIR/pg_hba.conf"
}

start() {
  if is_up; then
    echo "postgres-sandbox: already running on 127.0.0.1:$PORT"
    return
  fi
  [[ -f $DATA_DIR/PG_VERSION ]] || create_cluster
  echo "==> PostgreSQL sandbox on 127.0.0.1:$PORT ($DATA_DIR)"
  as_owner "$(pg_bin)/pg_ctl" -D "$DATA_DIR" -l "$DATA_DIR/server.log" -w -t 30 start >/dev/null
  wait_until_up
  PGPASSWORD=$SUPERUSER_PASSWORD "$(pg_bin)/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 <<SQL
SELECT 'CREATE ROLE $APP_USER LOGIN PASSWORD ''$APP_PASSWORD'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$APP_USER') \gexec
SELECT 'CREATE DATABASE $APP_DATABASE OWNER $APP_USER'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$APP_DATABASE') \gexec
SQL
}

pause() {
  is_up || return 0
  as_owner "$(pg_bin)/pg_ctl" -D "$DATA_DIR" -m fast -w stop >/dev/null
}

resume() {
  as_owner "$(pg_bin)/pg_ctl" -D "$DATA_DIR" -l "$DATA_DIR/server.log" -w -t 30 start >/dev/null
  wait_until_up
}

stop() {
  if [[ -f $DATA_DIR/PG_VERSION ]]; then
    as_owner "$(pg_bin)/pg_ctl" -D "$DATA_DIR" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$DATA_DIR"
  fi
}

main() {
  case ${1:-} in
    start) start ;;
    stop) stop ;;
    restart) stop; start ;;
    pause) pause ;;
    resume) resume ;;
    status) is_up ;;
    url) echo "postgres://$APP_USER:$APP_PASSWORD@127.0.0.1:$PORT/$APP_DATABASE" ;;
    admin-url) echo "postgres://postgres:$SUPERUSER_PASSWORD@127.0.0.1:$PORT/postgres" ;;
    -h|--help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
