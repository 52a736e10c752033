"""The build job's and smoke test's helper scripts, run for real against fakes on this machine.

- resolve-image.sh against the fake AWS CLI (tag present, absent, AWS errors);
- fetch-rds-ca-bundle.sh against file:// URLs holding certificates made here with openssl;
- smoke-test.sh against a small orders API served on 127.0.0.1 that can be told to misbehave, in
  plain HTTP and behind TLS with a certificate from a test CA (the name checked, the key never sent in
  clear text beyond this machine).
"""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from workflow_support import ROOT, FakeCli, run_script

RESOLVE_IMAGE = ROOT / "scripts" / "deploy" / "resolve-image.sh"
FETCH_CA = ROOT / "scripts" / "deploy" / "fetch-rds-ca-bundle.sh"
SMOKE_TEST = ROOT / "scripts" / "deploy" / "smoke-test.sh"

SHA = "0123456789abcdef0123456789abcdef01234567"
DIGEST = "sha256:" + "ab" * 32
NOT_FOUND = ("An error occurred (ImageNotFoundException) when calling the DescribeImages operation: "
             f"The image with imageId {{imageDigest:'null', imageTag:'{SHA}'}} does not exist within the "
             "repository with name 'orders-service' in the registry with id '123456789012'")


# ---------------------------------------------------------------------------------------------
# resolve-image.sh


def resolve(fake_aws: FakeCli, tmp_path: Path, tag: str = SHA):
    output = tmp_path / "github-output"
    result = run_script(
        ["bash", str(RESOLVE_IMAGE), "--repository", "orders-service", "--tag", tag],
        {**fake_aws.env(), "GITHUB_OUTPUT": str(output)},
    )
    written = output.read_text() if output.exists() else ""
    return result, written


def test_existing_tag_is_reused_by_digest(fake_aws: FakeCli, tmp_path: Path):
    fake_aws.plan({"ecr describe-images": [{"stdout": DIGEST}]})
    result, written = resolve(fake_aws, tmp_path)
    assert result.returncode == 0, result.stderr
    assert written.splitlines() == [f"existing-digest={DIGEST}"]
    assert "reusing it, no build" in result.stderr
    describe_images = fake_aws.calls_to("ecr describe-images")[0]
    assert describe_images[describe_images.index("--image-ids") + 1] == f"imageTag={SHA}"


def test_missing_tag_means_build(fake_aws: FakeCli, tmp_path: Path):
    fake_aws.plan({"ecr describe-images": [{"exit": 254, "stderr": NOT_FOUND}]})
    result, written = resolve(fake_aws, tmp_path)
    assert result.returncode == 0, result.stderr
    assert written.splitlines() == ["existing-digest="]
    assert "building it" in result.stderr


@pytest.mark.parametrize(
    ("case", "plan", "message"),
    [
        ("access denied", {"ecr describe-images": [{"exit": 254, "stderr": "An error occurred (AccessDeniedException)"}]},
         "AccessDeniedException"),
        ("garbage digest", {"ecr describe-images": [{"stdout": "None"}]}, "unexpected digest"),
    ],
)
def test_resolve_image_refuses(case, plan, message, fake_aws: FakeCli, tmp_path: Path):
    fake_aws.plan(plan)
    result, written = resolve(fake_aws, tmp_path)
    assert result.returncode == 1, f"{case}: {result.stdout}{result.stderr}"
    assert message in result.stderr, result.stderr
    assert written == "", "nothing may reach the workflow's outputs on a refusal"


def test_tag_must_be_a_full_commit_sha(fake_aws: FakeCli, tmp_path: Path):
    result, _ = resolve(fake_aws, tmp_path, tag="latest")
    assert result.returncode == 1 and "full commit SHA" in result.stderr
    assert fake_aws.calls() == []


# ---------------------------------------------------------------------------------------------
# fetch-rds-ca-bundle.sh


def make_certificate(directory: Path, name: str) -> str:
    key, cert = directory / f"{name}.key", directory / f"{name}.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}"],
        check=True, capture_output=True,
    )
    return cert.read_text()


@pytest.fixture(scope="module")
def two_certificates(tmp_path_factory) -> str:
    directory = tmp_path_factory.mktemp("ca")
    return make_certificate(directory, "Test RDS Root A") + make_certificate(directory, "Test RDS Root B")


def fetch(url: str, output: Path):
    return run_script(["bash", str(FETCH_CA), "--url", url, "--output", str(output)], {})


def test_bundle_of_certificates_is_written(two_certificates: str, tmp_path: Path):
    source = tmp_path / "bundle.pem"
    source.write_text(two_certificates)
    output = tmp_path / "certs" / "rds-ca-bundle.pem"
    result = fetch(source.as_uri(), output)
    assert result.returncode == 0, result.stderr
    assert output.read_text() == two_certificates
    assert "2 certificates" in result.stdout


@pytest.mark.parametrize(
    ("case", "content", "message"),
    [
        ("an error page", "<html><body>Access Denied</body></html>\n", "no PEM certificate"),
        ("empty", "", "no PEM certificate"),
        ("a private key next to the certificates", None, "besides PEM certificates"),
        ("a truncated certificate", None, "openssl read"),
    ],
)
def test_anything_but_certificates_is_refused(case, content, message, two_certificates: str, tmp_path: Path):
    if case == "a private key next to the certificates":
        content = two_certificates + "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n"
    if case == "a truncated certificate":
        first = two_certificates.split("-----END CERTIFICATE-----")[0]
        content = first[: len(first) // 2] + "\n-----END CERTIFICATE-----\n"
    source = tmp_path / "download.pem"
    source.write_text(content)
    output = tmp_path / "rds-ca-bundle.pem"
    output.write_text("previous bundle\n")
    result = fetch(source.as_uri(), output)
    assert result.returncode == 1, f"{case}: {result.stdout}"
    assert message in result.stderr, result.stderr
    assert output.read_text() == "previous bundle\n", "a refused download must not replace the file"
    assert not (tmp_path / "rds-ca-bundle.pem.partial").exists()


def test_failed_download_fails(tmp_path: Path):
    result = fetch((tmp_path / "absent.pem").as_uri(), tmp_path / "out.pem")
    assert result.returncode == 1 and "could not download" in result.stderr
    assert not (tmp_path / "out.pem").exists()


def test_plain_http_is_refused_before_any_connection(tmp_path: Path):
    # curl rejects the scheme itself, so no packet leaves the machine.
    result = fetch("http://127.0.0.1:9/global-bundle.pem", tmp_path / "out.pem")
    assert result.returncode == 1 and "could not download" in result.stderr


# ---------------------------------------------------------------------------------------------
# smoke-test.sh

API_KEY = "ord_live_smoke_0123456789abcdefghijklmnopqrstuv"


class FakeOrders:
    """A minimal orders API with switches for each way a deployment can be broken."""

    def __init__(self) -> None:
        self.health_failures_left = 0
        self.health_status = 200
        self.create_status = 201
        self.total_cents: int | None = None
        self.read_other_id = False
        self.orders: dict[str, dict] = {}
        self.auth_headers: list[str] = []
        self.idempotency_keys: list[str] = []


def make_handler(state: FakeOrders):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep the test output clean
            pass

        def reply(self, status: int, body: dict | None = None) -> None:
            data = json.dumps(body or {}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def authorised(self) -> bool:
            header = self.headers.get("Authorization", "")
            state.auth_headers.append(header)
            return header == f"Bearer {API_KEY}"

        def do_GET(self) -> None:
            if self.path == "/health":
                if state.health_failures_left > 0:
                    state.health_failures_left -= 1
                    return self.reply(503, {"status": "draining"})
                return self.reply(state.health_status, {"status": "ok"})
            if self.path.startswith("/orders/"):
                if not self.authorised():
                    return self.reply(401)
                order = state.orders.get(self.path.removeprefix("/orders/"))
                if order is None:
                    return self.reply(404)
                return self.reply(200, {**order, "id": "other"} if state.read_other_id else order)
            return self.reply(404)

        def do_POST(self) -> None:
            if self.path != "/orders":
                return self.reply(404)
            if not self.authorised():
                return self.reply(401)
            state.idempotency_keys.append(self.headers.get("Idempotency-Key", ""))
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if state.create_status != 201:
                return self.reply(state.create_status, {"title": "broken"})
            total = sum(i["quantity"] * i["unit_price_cents"] for i in body["items"])
            order = {"id": f"ord-{len(state.orders) + 1}", "customer_id": body["customer_id"],
                     "currency": body["currency"], "items": body["items"],
                     "total_cents": state.total_cents if state.total_cents is not None else total,
                     "status": "created", "created_at": "2026-11-20T10:00:00Z"}
            state.orders[order["id"]] = order
            return self.reply(201, order)

    return Handler


@pytest.fixture
def orders_api():
    state = FakeOrders()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def smoke(url: str, key: str = API_KEY, extra: dict[str, str] | None = None):
    return run_script(
        ["bash", str(SMOKE_TEST)],
        {"SERVICE_URL": url, "SMOKE_TEST_API_KEY": key, "SMOKE_TEST_ATTEMPTS": "3",
         "SMOKE_TEST_RETRY_SECONDS": "0.1", "SMOKE_TEST_REQUEST_TIMEOUT_SECONDS": "5", "GITHUB_SHA": SHA,
         **(extra or {})},
    )


def _openssl(*arguments: str, cwd: Path) -> None:
    subprocess.run(["openssl", *arguments], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture
def orders_api_tls(tmp_path: Path):
    """The fake API behind TLS, with a certificate for `localhost` only from a test CA: (state, port, CA)."""
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=smoke test CA",
             "-keyout", "ca.key", "-out", "ca.crt", cwd=tmp_path)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr", cwd=tmp_path)
    (tmp_path / "san.ext").write_text("subjectAltName=DNS:localhost\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
             "-extfile", "san.ext", "-out", "server.crt", cwd=tmp_path)
    state = FakeOrders()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.crt", tmp_path / "server.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, server.server_address[1], tmp_path / "ca.crt"
    finally:
        server.shutdown()
        server.server_close()


def test_smoke_test_passes_on_a_healthy_service(orders_api):
    state, url = orders_api
    state.health_failures_left = 2  # a draining old task answers first; the test retries
    result = smoke(url + "/")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS" in result.stdout and "same order" in result.stdout
    assert len(state.orders) == 1
    assert state.idempotency_keys == [f"smoke-{SHA}"]
    assert API_KEY not in result.stdout + result.stderr, "the key must never be printed"


@pytest.mark.parametrize(
    ("case", "breakage", "message"),
    [
        ("health never 200", {"health_status": 503}, "GET /health never answered 200"),
        ("orders answer 500", {"create_status": 500}, "POST /orders answered 500"),
        ("wrong total", {"total_cents": 299}, "computed total_cents 299"),
        ("read returns another order", {"read_other_id": True}, "returned order other"),
    ],
)
def test_smoke_test_fails_on_a_broken_service(case, breakage, message, orders_api):
    state, url = orders_api
    for name, value in breakage.items():
        setattr(state, name, value)
    result = smoke(url)
    assert result.returncode == 1, f"{case}: {result.stdout}"
    assert message in result.stderr, result.stderr
    assert API_KEY not in result.stdout + result.stderr


def test_smoke_test_fails_with_a_wrong_key(orders_api):
    _, url = orders_api
    result = smoke(url, key="ord_live_wrong_key")
    assert result.returncode == 1 and "POST /orders answered 401" in result.stderr


def test_smoke_test_needs_its_settings():
    result = run_script(["bash", str(SMOKE_TEST)], {})
    assert result.returncode == 1 and "SERVICE_URL is not set" in result.stderr


def test_smoke_test_passes_over_https_with_a_certificate_for_the_urls_name(orders_api_tls):
    state, port, ca = orders_api_tls
    result = smoke(f"https://localhost:{port}", extra={"CURL_CA_BUNDLE": str(ca)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS" in result.stdout and len(state.orders) == 1


def test_smoke_test_fails_at_once_on_a_certificate_for_another_name(orders_api_tls):
    """The certificate names localhost; called by address (as a domain's certificate called through
    the load balancer's own name) it does not verify: one attempt, a clear message, no key sent."""
    state, port, ca = orders_api_tls
    result = smoke(f"https://127.0.0.1:{port}", extra={"CURL_CA_BUNDLE": str(ca)})
    assert result.returncode == 1
    assert "TLS with 127.0.0.1:" in result.stderr and "not trusted for that name" in result.stderr, result.stderr
    assert "attempt 2" not in result.stdout, "a certificate failure must not be retried"
    assert state.auth_headers == [], "the key must not be sent to a server whose certificate does not verify"


def test_smoke_test_fails_on_a_certificate_from_an_unknown_ca(orders_api_tls):
    state, port, _ = orders_api_tls
    result = smoke(f"https://localhost:{port}")
    assert result.returncode == 1 and "TLS with localhost:" in result.stderr, result.stderr
    assert state.auth_headers == []


def test_smoke_test_refuses_plain_http_beyond_this_machine():
    # A dead proxy on loopback: were the refusal gone, curl would fail there, never leave the machine.
    dead_proxy = {name: "http://127.0.0.1:9" for name in ("http_proxy", "HTTPS_PROXY", "ALL_PROXY")}
    result = smoke("http://orders.example.org", extra=dead_proxy)
    assert result.returncode == 1 and "is plain HTTP" in result.stderr, result.stderr
    assert "checking" not in result.stdout, "refused before any request"
