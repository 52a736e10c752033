"""HTTPS as the load balancer serves it with a domain, shown locally: the drills' HAProxy (tests/drills/
harness/haproxy.py) ends TLS with a certificate from a test CA, adds HSTS to every HTTPS response,
answers the plain port only with a permanent redirect, and the service behind it runs unchanged, in
plain HTTP. Loopback only; the load is a fixed number of requests within a time bound.

Figures printed: the redirect's status and Location, the HSTS header, the negotiated TLS version, and
requests sent and failed.
"""
from __future__ import annotations

import http.client
import json
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from support.service import ROOT, Service, free_port, order_body

sys.path.insert(0, str(ROOT / "tests" / "drills"))
from harness.haproxy import Balancer, TlsTermination  # noqa: E402
from harness.timings import load, scale_from_environment  # noqa: E402

# What the load balancer's HTTPS listener adds (terraform/ecs: hsts_max_age_seconds, a year).
HSTS = "max-age=31536000; includeSubDomains"
# The load: this many requests over keep-alive HTTPS connections, within this bound.
GETS_PER_WORKER, POSTS_PER_WORKER, WORKERS = 100, 10, 4
LOAD_BOUND_SECONDS = 60


def openssl(*arguments: str, cwd: Path) -> None:
    subprocess.run(["openssl", *arguments], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certificates(directory: Path) -> tuple[Path, Path]:
    """A test CA and a certificate for the name `localhost` only, signed by it: (CA, HAProxy's pem)."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=orders test CA",
            "-keyout", "ca.key", "-out", "ca.crt", cwd=directory)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
            "-out", "server.csr", cwd=directory)
    (directory / "san.ext").write_text("subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "san.ext", "-out", "server.crt", cwd=directory)
    pem = directory / "server.pem"
    pem.write_text((directory / "server.crt").read_text() + (directory / "server.key").read_text())
    return directory / "ca.crt", pem


class Stage:
    """The service, and HAProxy in front of it with TLS, as one fixture."""

    def __init__(self, directory: Path):
        self.ca, pem = make_certificates(directory)
        self.service = Service().start(wait_for="/health")
        self.token = self.service.create_key("c-1")
        self.tls = TlsTermination(https_port=free_port(), certificate_pem=pem, hsts=HSTS)
        self.balancer = Balancer(workdir=directory / "haproxy", listen_port=free_port(),
                                 server_ports=[self.service.port], timings=load(scale_from_environment()), tls=self.tls)
        self.balancer.start()
        self.balancer.register(1)
        bound = self.balancer.timings.time_to_healthy + self.balancer.timings.interval + 5
        assert self.balancer.wait_status(1, "UP", timeout=bound) is not None, f"the service was not UP within {bound:.1f} s"

    def context(self) -> ssl.SSLContext:
        """A client that trusts the test CA only, and checks the name."""
        return ssl.create_default_context(cafile=str(self.ca))

    def https(self, host: str = "localhost", context: ssl.SSLContext | None = None) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(host, self.tls.https_port, context=context or self.context(), timeout=10)

    def stop(self) -> None:
        self.balancer.stop()
        self.service.stop()


@pytest.fixture(scope="module")
def stage():
    with tempfile.TemporaryDirectory(prefix="orders-tls-termination-") as directory:
        running = Stage(Path(directory))
        try:
            yield running
        finally:
            running.stop()


def _send(connection: http.client.HTTPConnection, method: str, path: str, body: dict | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    data = json.dumps(body) if body is not None else None
    connection.request(method, path, body=data, headers={**({"Content-Type": "application/json"} if body else {}), **(headers or {})})
    response = connection.getresponse()
    return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read().decode()


def test_the_plain_port_only_redirects_permanently(stage):
    host = f"localhost:{stage.balancer.listen_port}"
    answers = {}
    for method, path, body in (("GET", "/orders?limit=1", None), ("POST", "/orders", order_body())):
        connection = http.client.HTTPConnection("127.0.0.1", stage.balancer.listen_port, timeout=10)
        answers[method] = _send(connection, method, path, body, {"Host": host, "Authorization": f"Bearer {stage.token}"})
        connection.close()
    status, headers, _ = answers["GET"]
    print(f"redirect: GET http://{host}/orders?limit=1 -> {status}, Location {headers.get('location')}")
    assert status == 301
    assert headers.get("location") == f"https://localhost:{stage.tls.https_port}/orders?limit=1"
    assert answers["POST"][0] == 301, "a POST on the plain port must not reach the service either"
    assert "strict-transport-security" not in headers, "HSTS over plain HTTP is ignored by browsers; the redirect carries none"
    served = [request for request in stage.balancer.requests() if request.server not in ("<NOSRV>", "-")]
    assert all(request.method != "POST" for request in served), "a plain-HTTP POST reached the service"


def test_every_https_response_carries_hsts(stage):
    connection = stage.https()
    created = _send(connection, "POST", "/orders", order_body(), {"Authorization": f"Bearer {stage.token}", "Idempotency-Key": "tls-1"})
    order_id = json.loads(created[2])["id"]
    answers = {
        "201 order created": created,
        "200 order read": _send(connection, "GET", f"/orders/{order_id}", headers={"Authorization": f"Bearer {stage.token}"}),
        "401 no key": _send(connection, "GET", "/orders"),
        "404 unknown path": _send(connection, "GET", "/no-such-route"),
        "200 health": _send(connection, "GET", "/health"),
    }
    version = connection.sock.version()
    connection.close()
    for name, (status, headers, _) in answers.items():
        print(f"HSTS on {name}: {status} {headers.get('strict-transport-security')!r}")
        assert status == int(name.split()[0]) and headers.get("strict-transport-security") == HSTS, (name, status, headers)
    print(f"TLS version negotiated: {version}")
    assert version == "TLSv1.3"


def test_the_service_behind_it_is_unchanged(stage):
    """The same order, read through TLS and straight from the service's plain HTTP port, is the same."""
    created = stage.service.post_order(stage.token, order_body(sku="SKU-TLS"), key="tls-2").json()
    connection = stage.https()
    through_tls = _send(connection, "GET", f"/orders/{created['id']}", headers={"Authorization": f"Bearer {stage.token}"})
    connection.close()
    direct = stage.service.get(f"/orders/{created['id']}", token=stage.token)
    assert through_tls[0] == direct.status == 200 and json.loads(through_tls[2]) == direct.json() == created


def test_the_certificate_is_verified_by_name_and_by_issuer(stage):
    # By address, the name the certificate does not carry (as calling the load balancer's own name with
    # a domain's certificate): refused by the client.
    with pytest.raises(ssl.SSLCertVerificationError) as by_address:
        stage.https(host="127.0.0.1").request("GET", "/health")
    # A client that does not trust the test CA.
    with pytest.raises(ssl.SSLCertVerificationError) as untrusted:
        stage.https(context=ssl.create_default_context()).request("GET", "/health")
    print(f"by address: {by_address.value.verify_message}; without the CA: {untrusted.value.verify_message}")


def _tls12_client(stage: Stage, cipher: str) -> ssl.SSLContext:
    context = stage.context()
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(cipher)
    return context


def test_tls_1_2_only_with_forward_secret_ciphers(stage):
    """As the TLS 1.3 policy: a TLS 1.2 client with ECDHE is served; one offering only RSA key exchange
    (no forward secrecy) is refused by the balancer's handshake alert."""
    connection = stage.https(context=_tls12_client(stage, "ECDHE-RSA-AES128-GCM-SHA256"))
    status = _send(connection, "GET", "/health")[0]
    version, cipher = connection.sock.version(), connection.sock.cipher()[0]
    connection.close()
    print(f"TLS 1.2 client: {version} {cipher} -> {status}")
    assert (version, status) == ("TLSv1.2", 200)
    with pytest.raises(ssl.SSLError) as refused:
        stage.https(context=_tls12_client(stage, "AES128-GCM-SHA256")).request("GET", "/health")
    print(f"TLS 1.2 client without forward secrecy: {refused.value.reason}")
    assert "ALERT" in str(refused.value.reason).upper(), "the refusal must come from the balancer, not the client"


def test_requests_under_load_through_tls_do_not_fail(stage):
    token = stage.token
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + LOAD_BOUND_SECONDS
    order_id = stage.service.post_order(token, order_body(), key="tls-load").json()["id"]

    def worker(number: int) -> int:
        sent = 0
        connection = stage.https()
        try:
            for index in range(GETS_PER_WORKER + POSTS_PER_WORKER):
                if time.monotonic() > deadline:
                    break
                post = index % (GETS_PER_WORKER // POSTS_PER_WORKER + 1) == 0
                try:
                    if post:
                        status, headers, _ = _send(connection, "POST", "/orders", order_body(),
                                                   {"Authorization": f"Bearer {token}", "Idempotency-Key": f"load-{number}-{index}"})
                    else:
                        status, headers, _ = _send(connection, "GET", f"/orders/{order_id}", headers={"Authorization": f"Bearer {token}"})
                    ok = status in ((201, 200) if post else (200,)) and headers.get("strict-transport-security") == HSTS
                except (OSError, http.client.HTTPException) as error:
                    ok, status = False, repr(error)
                    connection.close()
                    connection = stage.https()
                sent += 1
                if not ok:
                    with lock:
                        failures.append(f"{'POST' if post else 'GET'}: {status}")
        finally:
            connection.close()
        return sent

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        sent = sum(pool.map(worker, range(WORKERS)))
    elapsed = time.monotonic() - started
    print(f"load through TLS: {sent} requests sent in {elapsed:.1f} s, {len(failures)} failed")
    assert sent == WORKERS * (GETS_PER_WORKER + POSTS_PER_WORKER), f"only {sent} requests within {LOAD_BOUND_SECONDS} s"
    assert failures == []


def test_the_balancers_own_answers_carry_hsts_too(stage):
    """Last: with no server left, HAProxy answers 503 itself (as the load balancer does), with HSTS."""
    stage.balancer.deregister(1)
    connection = stage.https()
    status, headers, _ = _send(connection, "GET", "/health")
    connection.close()
    print(f"HSTS on the balancer's own {status}: {headers.get('strict-transport-security')!r}")
    assert status == 503 and headers.get("strict-transport-security") == HSTS
