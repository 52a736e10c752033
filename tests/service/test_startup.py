"""Start-up and the command-line modes: a bad setting stops the process at once with one line; the
health-check mode answers 0 or 1."""
import subprocess
import time
from urllib.parse import urlparse

import pytest

from support.service import BINARY, Service, free_port


@pytest.mark.parametrize(
    "variable,value",
    [
        ("HTTP_PORT", "99999"),
        ("LOG_LEVEL", "loud"),
        ("DRAIN_DELAY_SECONDS", "soon"),
        ("STORE", "mongo"),
        # Values swift-otel would stop the process on (fatalError) or silently ignore.
        ("OTEL_PROPAGATORS", "xray"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_TRACES_SAMPLER", "xray"),
        ("OTEL_TRACES_SAMPLER_ARG", "1.5"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318"),
        ("OTEL_SDK_DISABLED", "maybe"),
    ],
)
def test_bad_setting_exits_at_once_with_one_line(variable, value):
    port = free_port()
    started = time.monotonic()
    result = subprocess.run(
        [str(BINARY)], env={"HTTP_PORT": str(port), variable: value}, capture_output=True, text=True, timeout=10
    )
    elapsed = time.monotonic() - started
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert result.returncode != 0
    assert elapsed < 3
    assert len(lines) == 1, lines
    assert lines[0].startswith(f'orders-service: invalid {variable}="{value}": expected '), lines
    assert "Fatal" not in result.stderr and "Backtrace" not in result.stderr


def test_unwritable_sqlite_path_is_one_line():
    result = subprocess.run(
        [str(BINARY)], env={"HTTP_PORT": str(free_port()), "SQLITE_PATH": "/proc/orders/orders.sqlite"},
        capture_output=True, text=True, timeout=10,
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith('orders-service: cannot start: cannot open SQLITE_PATH="/proc/orders/orders.sqlite"')
    assert len(result.stderr.strip().splitlines()) == 1


def test_healthcheck_mode():
    port = free_port()
    nothing = subprocess.run([str(BINARY), "healthcheck"], env={"HTTP_PORT": str(port)}, capture_output=True, timeout=10)
    assert nothing.returncode == 1, "no server: unhealthy"
    service = Service(port=port).start()
    try:
        healthy = subprocess.run(
            [str(BINARY), "healthcheck"], env={"HTTP_PORT": str(port), "HTTP_HOST": "0.0.0.0"}, capture_output=True, timeout=10
        )
        assert healthy.returncode == 0
        wrong_path = service.command("healthcheck", "--path", "/nope")
        assert wrong_path.returncode == 1 and "answered 404" in wrong_path.stderr
    finally:
        service.stop()


def test_help_lists_every_mode():
    result = subprocess.run([str(BINARY), "--help"], capture_output=True, text=True, timeout=10)
    assert result.returncode == 0
    for mode in ("serve", "healthcheck", "admin", "keys"):
        assert mode in result.stdout


@pytest.mark.parametrize(
    "settings,named",
    [
        ({"DATABASE_URL": "postgres://orders:hunter2-secret@127.0.0.1:5432/orders"}, "DATABASE_URL is"),
        ({"DATABASE_HOST": "db.internal", "DATABASE_PASSWORD": "hunter2-secret"}, "DATABASE_HOST, DATABASE_PASSWORD are"),
        ({"STORE": "sqlite", "DATABASE_URL": "postgres://orders:hunter2-secret@db/orders"}, "but STORE=sqlite"),
    ],
)
def test_postgres_settings_without_store_postgres_stop_the_start(tmp_path, settings, named):
    """Tried as a new user would: PostgreSQL settings without STORE=postgres used to start the service on
    a local SQLite file, silently. Now one line names the settings and what to change; no file is made."""
    sqlite_file = tmp_path / "orders.sqlite"
    result = subprocess.run(
        [str(BINARY)], env={"HTTP_PORT": str(free_port()), "SQLITE_PATH": str(sqlite_file), **settings},
        capture_output=True, text=True, timeout=10,
    )  # fmt: skip
    lines = (result.stdout + result.stderr).strip().splitlines()
    print(f"\n{settings} -> exit {result.returncode}: {lines}")
    assert result.returncode == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith("orders-service: conflicting settings: ") and named in lines[0], lines
    assert "set STORE=postgres" in lines[0]
    assert "hunter2-secret" not in lines[0]
    assert not sqlite_file.exists()


def test_every_start_logs_which_store_and_where():
    from support import postgres

    with Service().start() as service:
        line = next(line for line in service.log_lines() if line.get("message") == "order store")
        assert line["store"] == "sqlite" and line["path"] == service.env["SQLITE_PATH"]
    postgres.start()
    url = postgres.fresh_database()
    with Service(postgres.service_env(url)).start() as service:
        line = next(line for line in service.log_lines() if line.get("message") == "order store")
        parsed = urlparse(url)
        assert (line["store"], line["host"], line["port"], line["database"], line["user"]) == (
            "postgres", parsed.hostname, parsed.port, parsed.path[1:], parsed.username
        )
        assert parsed.password not in service.logs()
