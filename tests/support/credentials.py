"""What the database-credential tests share: a PostgreSQL server of their own that logs every statement,
the service's secret in the AWS emulator (moto on loopback), and the admin commands run against both.

The server is scripts/postgres-sandbox.sh on a port of its own, so logging every statement never slows
or floods the server the other suites use; it is deleted at the end.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from .service import BINARY, ROOT, free_port

sys.path.insert(0, str(ROOT))
from tools.infra.emulator import REGION, MotoServer, client_environment  # noqa: E402

SANDBOX = ROOT / "scripts/postgres-sandbox.sh"
# The sandbox's superuser: the master user of these tests, as RDS's is of the deployment.
MASTER = ("postgres", "postgres-test")
GROUP = "orders_service"


class SandboxPostgres:
    """A PostgreSQL server of scripts/postgres-sandbox.sh on 127.0.0.1, reached as its superuser."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.data_dir = Path(f"/tmp/orders-service-postgres-{self.port}")
        self._env = {**os.environ, "SANDBOX_POSTGRES_PORT": str(self.port), "SANDBOX_POSTGRES_DIR": str(self.data_dir)}

    def _sandbox(self, action: str) -> None:
        subprocess.run([str(SANDBOX), action], env=self._env, check=True, capture_output=True, timeout=120)

    def start(self) -> "SandboxPostgres":
        self._sandbox("start")
        return self

    def master_url(self, database: str) -> str:
        return f"postgres://{MASTER[0]}:{MASTER[1]}@127.0.0.1:{self.port}/{database}"

    def psql(self, database: str, sql: str, user: tuple[str, str] = MASTER) -> str:
        """Runs `sql` as `user`; the password goes through PGPASSWORD, never into a statement."""
        result = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", user[0], "-d", database, "-v", "ON_ERROR_STOP=1",
             "-qAtc", sql],
            env={**os.environ, "PGPASSWORD": user[1]}, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def can_log_in(self, database: str, user: str, password: str) -> bool:
        result = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", user, "-d", database, "-qAtc", "SELECT 1"],
            env={**os.environ, "PGPASSWORD": password}, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        return result.returncode == 0 and result.stdout.strip() == "1"

    def create_database(self, name: str) -> None:
        self.psql("postgres", f"CREATE DATABASE {name}")

    def drop(self, database: str, roles: list[str]) -> None:
        """Removes a test's database and then its roles (cluster-wide, so they outlive the database)."""
        self.psql("postgres", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        for role in roles:
            self.psql("postgres", f"DROP ROLE IF EXISTS {role}")


class StatementLoggingPostgres(SandboxPostgres):
    """A throwaway server of its own, on a free port, with `log_statement = all`; deleted by `stop`."""

    def __init__(self) -> None:
        super().__init__(free_port())

    def start(self) -> "StatementLoggingPostgres":
        super().start()
        # Every statement, with its bind parameters, as the strictest statement log could hold it.
        self.psql("postgres", "ALTER SYSTEM SET log_statement = 'all'")
        self.psql("postgres", "ALTER SYSTEM SET log_min_duration_statement = 0")
        self.psql("postgres", "SELECT pg_reload_conf()")
        assert self.psql("postgres", "SHOW log_statement") == "all"
        return self

    def stop(self) -> None:
        self._sandbox("stop")

    def log(self) -> str:
        return (self.data_dir / "server.log").read_text(errors="replace")


class ServiceSecret:
    """The service's database secret in the AWS emulator, as the database stack creates it."""

    def __init__(self, work_dir: Path, name: str = "cloud-app-platform/database/orders_service-test") -> None:
        self.moto = MotoServer(work_dir)
        self.name = name

    def start(self, username: str, password: str) -> "ServiceSecret":
        self.moto.start()
        self.client().create_secret(Name=self.name, SecretString=json.dumps({"username": username, "password": password}))
        return self

    def stop(self) -> None:
        self.moto.stop()

    def aws_environment(self) -> dict[str, str]:
        return client_environment(self.moto)

    def client(self, service: str = "secretsmanager"):
        import boto3

        return boto3.client(
            service, region_name=REGION, endpoint_url=self.moto.url, verify=str(self.moto.certificate),
            aws_access_key_id="test", aws_secret_access_key="test",
        )  # fmt: skip

    def current(self) -> dict[str, str]:
        """The login the secret names now, as a task starting now reads it."""
        return json.loads(self.client().get_secret_value(SecretId=self.name)["SecretString"])


def terraform_like_password() -> str:
    """40 characters of the alphabet the database stack's generated password uses."""
    import secrets
    import string

    alphabet = string.ascii_letters + string.digits + "-_.~"
    return "".join(secrets.choice(alphabet) for _ in range(40))


def admin_task(postgres: SandboxPostgres, database: str, *arguments: str,
               secret: ServiceSecret | None = None, login: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Runs `orders-service <arguments>` as the admin task does: the master login in DATABASE_*, the
    service's login (from the secret, as ECS reads it at the task's start) in SERVICE_DATABASE_*, and the
    secret's name in SERVICE_DATABASE_SECRET_ID with the emulator's AWS settings."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "STORE": "postgres",
        "DATABASE_URL": postgres.master_url(database),
        "DATABASE_TLS": "disable",
    }
    if login:
        env["SERVICE_DATABASE_USER"] = login["username"]
        env["SERVICE_DATABASE_PASSWORD"] = login["password"]
    if secret:
        env.update(secret.aws_environment())
        env["SERVICE_DATABASE_SECRET_ID"] = secret.name
    return subprocess.run([str(BINARY), *arguments], env=env, capture_output=True, text=True, timeout=120)


def service_environment(postgres: SandboxPostgres, database: str, login: dict[str, str]) -> dict[str, str]:
    """A task's settings: the service's login as the secret named it when the task started."""
    return {
        "STORE": "postgres",
        "DATABASE_URL": f"postgres://{quote(login['username'])}@127.0.0.1:{postgres.port}/{database}",
        "DATABASE_PASSWORD": login["password"],
        "DATABASE_TLS": "disable",
    }


def temporary_directory() -> Path:
    return Path(tempfile.mkdtemp(prefix="orders-credentials-"))
