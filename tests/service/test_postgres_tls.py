"""TLS to PostgreSQL with verification against a CA file, as RDS needs: certificates made here, a
server that accepts TLS logins only, and the service's own connection code deciding."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from support import postgres
from support.service import ROOT, Service, free_port

SANDBOX = ROOT / "scripts/postgres-sandbox.sh"


def openssl(*arguments: str, cwd: Path) -> None:
    subprocess.run(["openssl", *arguments], cwd=cwd, check=True, capture_output=True)


def make_ca(directory: Path, name: str) -> None:
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.crt", cwd=directory)


def make_server_certificate(directory: Path, ca: str, host: str) -> None:
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={host}", "-keyout", "server.key",
            "-out", "server.csr", cwd=directory)
    (directory / "san.ext").write_text(f"subjectAltName=DNS:{host}\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key", "-CAcreateserial",
            "-days", "2", "-extfile", "san.ext", "-out", "server.crt", cwd=directory)


@pytest.fixture(scope="module")
def tls_server():
    # Not pytest's tmp_path: its parents are private to root, and the server runs as the postgres user.
    directory = Path(tempfile.mkdtemp(prefix="orders-tls-"))
    make_ca(directory, "test-ca")
    make_ca(directory, "other-ca")
    make_server_certificate(directory, "test-ca", "localhost")
    port = str(free_port())
    env = dict(os.environ, SANDBOX_POSTGRES_PORT=port, SANDBOX_POSTGRES_DIR=str(directory / "pgdata"),
               SANDBOX_POSTGRES_TLS_CERT=str(directory / "server.crt"), SANDBOX_POSTGRES_TLS_KEY=str(directory / "server.key"))
    os.chmod(directory, 0o755)
    subprocess.run([str(SANDBOX), "start"], env=env, check=True, capture_output=True)
    yield directory, port
    subprocess.run([str(SANDBOX), "stop"], env=env, check=False, capture_output=True)
    shutil.rmtree(directory, ignore_errors=True)


def keys_list(port: str, tls: str, ca: Path | None, host: str = "localhost") -> subprocess.CompletedProcess:
    env = {"STORE": "postgres", "DATABASE_HOST": host, "DATABASE_PORT": port, "DATABASE_USER": "orders",
           "DATABASE_PASSWORD": "orders-test", "DATABASE_NAME": "orders_test", "DATABASE_TLS": tls,
           "DATABASE_CONNECT_TIMEOUT_SECONDS": "2"}
    if ca:
        env["DATABASE_TLS_CA_FILE"] = str(ca)
    service = Service(env)
    return service.command("keys", "list", timeout=60)


def test_right_ca_connects(tls_server):
    directory, port = tls_server
    result = keys_list(port, "require", directory / "test-ca.crt")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("KEY_ID")


def test_wrong_ca_is_refused(tls_server):
    directory, port = tls_server
    result = keys_list(port, "require", directory / "other-ca.crt")
    assert result.returncode == 1
    assert "not reachable" in result.stderr


def test_system_roots_do_not_trust_a_private_ca(tls_server):
    _, port = tls_server
    assert keys_list(port, "require", None).returncode == 1


def test_plain_connection_is_refused_by_a_tls_only_server(tls_server):
    _, port = tls_server
    assert keys_list(port, "disable", None).returncode == 1
