"""The sandbox PostgreSQL server that scripts/postgres-sandbox.sh runs on loopback.

The process-level tests stop and start it (an outage), so they always use the sandbox, never a shared
server named by POSTGRES_TEST_URL."""
from __future__ import annotations

import subprocess
import uuid
from urllib.parse import urlparse

from .service import ROOT

SANDBOX = ROOT / "scripts/postgres-sandbox.sh"


def _sandbox(command: str) -> str:
    return subprocess.run([str(SANDBOX), command], check=True, capture_output=True, text=True).stdout.strip()


def start() -> None:
    subprocess.run([str(SANDBOX), "start"], check=True, capture_output=True)


def app_url() -> str:
    return _sandbox("url")


def admin_url() -> str:
    return _sandbox("admin-url")


def is_up() -> bool:
    return subprocess.run([str(SANDBOX), "status"]).returncode == 0


def psql(url: str, sql: str) -> str:
    result = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def fresh_database() -> str:
    """Creates an empty database owned by the application role and returns its URL."""
    name = "t_" + uuid.uuid4().hex[:16]
    app = urlparse(app_url())
    psql(admin_url(), f"CREATE DATABASE {name} OWNER {app.username}")
    return app._replace(path="/" + name).geturl()


def pause() -> None:
    """Stops the sandbox server, keeping its data: a database outage."""
    _sandbox("pause")


def resume() -> None:
    _sandbox("resume")


def service_env(url: str) -> dict[str, str]:
    return {"STORE": "postgres", "DATABASE_URL": url, "DATABASE_TLS": "disable"}
