"""`keys create` hands a new key only to its operator: a Secrets Manager secret or an SSM SecureString
parameter they name, in the AWS emulator (moto on loopback, over TLS with its own certificate); or a
terminal. Nothing of the key's secret reaches standard output or standard error (which on ECS are the
task's log), and without a destination the command refuses before it creates anything."""
import http.server
import json
import os
import pty
import subprocess
import threading

import pytest

from support.credentials import ServiceSecret, temporary_directory
from support.service import BINARY, Service

PREFIX = "ord_live_"


@pytest.fixture(scope="module")
def aws():
    emulator = ServiceSecret(temporary_directory())
    emulator.moto.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def service(aws):
    instance = Service(aws.aws_environment()).start()
    yield instance
    instance.stop()


def _secret_part(token: str) -> str:
    assert token.startswith(PREFIX) and len(token) == len(PREFIX) + 16 + 1 + 43, token
    return token[len(PREFIX) + 17:]


def _assert_nothing_of(token: str, result: subprocess.CompletedProcess) -> None:
    for stream in (result.stdout, result.stderr):
        assert token not in stream and _secret_part(token) not in stream, stream


def _revoked(service: Service) -> list[str]:
    listing = service.command("keys", "list")
    return [line.split("\t")[0] for line in listing.stdout.splitlines()[1:] if line.split("\t")[4] != "-"]


def test_to_secrets_manager(aws, service):
    created = service.command("keys", "create", "--customer", "c-1", "--label", "partner c-1",
                              "--to-secretsmanager", "orders/keys/c-1")  # fmt: skip
    assert created.returncode == 0, created.stderr
    secret = aws.client().get_secret_value(SecretId="orders/keys/c-1")
    token = secret["SecretString"]
    _assert_nothing_of(token, created)
    assert created.stdout == ""
    assert secret["ARN"] in created.stderr and "aws secretsmanager get-secret-value" in created.stderr
    description = aws.client().describe_secret(SecretId="orders/keys/c-1")
    assert description["Description"] == f"orders-service API key {token[len(PREFIX):][:16]} for customer c-1: partner c-1"
    assert "KmsKeyId" not in description, "the account's default key, aws/secretsmanager"
    assert service.get("/orders", token=token).status == 200, "the stored key works"
    print(f"\nkeys create --to-secretsmanager: exit 0, stdout {created.stdout!r}, stderr:\n{created.stderr}")

    # Taken: refused, the new key revoked, the secret unchanged.
    again = service.command("keys", "create", "--customer", "c-1", "--to-secretsmanager", "orders/keys/c-1")
    assert again.returncode == 1 and "pass --replace" in again.stderr
    assert aws.client().get_secret_value(SecretId="orders/keys/c-1")["SecretString"] == token
    assert len(_revoked(service)) == 1

    replaced = service.command("keys", "create", "--customer", "c-1", "--to-secretsmanager", "orders/keys/c-1",
                               "--replace")  # fmt: skip
    assert replaced.returncode == 0, replaced.stderr
    new_token = aws.client().get_secret_value(SecretId="orders/keys/c-1")["SecretString"]
    _assert_nothing_of(new_token, replaced)
    assert new_token != token
    previous = aws.client().get_secret_value(SecretId="orders/keys/c-1", VersionStage="AWSPREVIOUS")
    assert previous["SecretString"] == token, "the earlier key stays readable until revoked"
    assert service.get("/orders", token=new_token).status == 200


def test_to_ssm_parameter_with_a_customer_managed_key(aws, service):
    key_id = aws.client("kms").create_key(Description="orders keys")["KeyMetadata"]["KeyId"]
    created = service.command("keys", "create", "--admin", "--to-ssm-parameter", "/orders/keys/admin",
                              "--kms-key-id", key_id)  # fmt: skip
    assert created.returncode == 0, created.stderr
    parameter = aws.client("ssm").get_parameter(Name="/orders/keys/admin", WithDecryption=True)["Parameter"]
    assert parameter["Type"] == "SecureString"
    _assert_nothing_of(parameter["Value"], created)
    described = aws.client("ssm").describe_parameters(
        ParameterFilters=[{"Key": "Name", "Values": ["/orders/keys/admin"]}]
    )["Parameters"][0]
    assert described["KeyId"] == key_id
    assert service.get("/orders", token=parameter["Value"]).status == 200
    taken = service.command("keys", "create", "--admin", "--to-ssm-parameter", "/orders/keys/admin")
    assert taken.returncode == 1 and "pass --replace" in taken.stderr


def test_task_role_credentials_from_the_container_endpoint(aws, service):
    """On ECS the credentials come from the task role's endpoint; here the same protocol on loopback
    (AWS_CONTAINER_CREDENTIALS_FULL_URI), answering only a request with the expected token."""
    asked: list[str] = []

    class Endpoint(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            asked.append(self.headers.get("Authorization", ""))
            if self.headers.get("Authorization") != "task-token":
                self.send_response(403)
                self.end_headers()
                return
            body = json.dumps({"AccessKeyId": "ASIATEST", "SecretAccessKey": "test", "Token": "session",
                               "Expiration": "2099-01-01T00:00:00Z"}).encode()  # fmt: skip
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *arguments):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        environment = {key: value for key, value in service.env.items()
                       if key not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}  # fmt: skip
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = f"http://127.0.0.1:{server.server_port}/credentials"
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "task-token"
        created = subprocess.run(
            [str(BINARY), "keys", "create", "--customer", "c-2", "--to-secretsmanager", "orders/keys/c-2"],
            env=environment, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        assert asked == ["task-token"], "credentials fetched once, with the token"
        token = aws.client().get_secret_value(SecretId="orders/keys/c-2")["SecretString"]
        _assert_nothing_of(token, created)
    finally:
        server.shutdown()


def test_an_endpoint_whose_certificate_is_not_trusted_gets_nothing(aws, service):
    """Without AWS_CA_BUNDLE the emulator's own certificate is not trusted: the call fails, and the key
    made for it is revoked, since nobody received it."""
    environment = {key: value for key, value in service.env.items() if key != "AWS_CA_BUNDLE"}
    refused = subprocess.run(
        [str(BINARY), "keys", "create", "--customer", "c-5", "--to-secretsmanager", "orders/keys/c-5"],
        env=environment, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 1, refused.stderr
    assert "could not store the key, so it was revoked" in refused.stderr and "ConnectionFailed" in refused.stderr
    assert "orders/keys/c-5" not in [entry["Name"] for entry in aws.client().list_secrets()["SecretList"]]
    assert len(_revoked(service)) == 1


def test_no_destination_and_no_terminal_is_refused_before_anything_is_created(service):
    refused = service.command("keys", "create", "--customer", "c-3")
    assert refused.returncode == 2
    assert "--to-secretsmanager" in refused.stderr and refused.stdout == ""
    assert service.command("keys", "list").stdout.count("\n") == 1, "no key was created"


def test_a_terminal_gets_the_token(service):
    controller, terminal = pty.openpty()
    try:
        created = subprocess.run([str(BINARY), "keys", "create", "--customer", "c-4"], env=service.env,
                                 stdout=terminal, stderr=subprocess.PIPE, text=True, timeout=60)  # fmt: skip
        assert created.returncode == 0, created.stderr
        printed = os.read(controller, 4096).decode().strip()
    finally:
        os.close(controller)
        os.close(terminal)
    assert printed.startswith(PREFIX)
    assert service.get("/orders", token=printed).status == 200
