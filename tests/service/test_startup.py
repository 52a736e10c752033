"""Start-up and the command-line modes: a bad setting stops the process at once with one line; the
health-check mode answers 0 or 1."""
import subprocess
import time

import pytest

from support.service import BINARY, Service, free_port


@pytest.mark.parametrize(
    "variable,value",
    [("HTTP_PORT", "99999"), ("LOG_LEVEL", "loud"), ("DRAIN_DELAY_SECONDS", "soon"), ("STORE", "mongo")],
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
