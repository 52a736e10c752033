"""The AWS emulator (moto's server mode) on loopback, and the override files that point a stack at it.

The stacks under terraform/ carry no emulator setting. A run against the emulator works on a copy of
them, and adds to each copied stack one file, `emulator_override.tf`, that Terraform merges over the
stack's own blocks (Terraform's override files):

- the AWS provider: static test credentials and every service endpoint on the emulator;
- the S3 backend (a backend block in an override file replaces the stack's): the stack's own key,
  locking and encryption settings, plus the emulator's endpoints;
- each `terraform_remote_state` read: its own config, plus the emulator's endpoints.

Every Terraform process also gets a proxy on a closed loopback port, so a call to any endpoint this
file does not redirect fails at once instead of leaving the machine.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tools.infra.hcl import parse_file

# Every AWS service the stacks call, by the provider's endpoint name. tests/infra checks that each
# resource and data source type of every stack maps to one of these.
EMULATED_ENDPOINTS = (
    "acm", "appautoscaling", "cloudfront", "cloudwatch", "ec2", "ecr", "ecs", "elbv2", "iam", "kms",
    "logs", "rds", "route53", "s3", "secretsmanager", "sns", "ssm", "sts", "wafv2", "xray",
)  # fmt: skip
# Port 9 on loopback (discard): nothing listens there, so a proxied request fails at once.
DEAD_PROXY = "http://127.0.0.1:9"
OVERRIDE_FILE = "emulator_override.tf"
REGION = "eu-west-1"
# The repository root: the emulator's server runs as a module from it.
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def emulator_server_command() -> list[str]:
    """moto's server as tools/infra/emulator_server.py runs it (that file says how it differs, and why)."""
    return [sys.executable, "-m", "tools.infra.emulator_server"]


def make_loopback_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and its key), valid for a day, made with openssl."""
    directory.mkdir(parents=True, exist_ok=True)
    certificate, key = directory / "emulator-cert.pem", directory / "emulator-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    return certificate, key


class MotoServer:
    """moto_server on https://127.0.0.1 and a free port, from start() to stop() (or as a context manager).

    It speaks TLS, with a certificate made for the run: the stacks' bucket policies deny requests that
    are not (aws:SecureTransport), and the emulator evaluates them, so Terraform reaches its own state
    the way it must on AWS. Clients trust the certificate through AWS_CA_BUNDLE (client_environment).
    """

    def __init__(self, work_dir: Path, extra_env: dict[str, str] | None = None, command: list[str] | None = None):
        """COMMAND runs the server in emulator_server_command()'s place (it takes moto_server's arguments)."""
        self.command = command or emulator_server_command()
        self.log_path = work_dir / "moto.log"
        self.certificate, self._key = make_loopback_certificate(work_dir)
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self._extra_env = extra_env or {}
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> MotoServer:
        # AWS-managed policies (the RDS monitoring role attaches one) exist only when moto loads them;
        # PYTHONPATH lets `python -m` find the server's module from any working directory.
        environment = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true", "PYTHONPATH": str(ROOT),
                       **self._extra_env}
        with open(self.log_path, "wb") as sink:
            self._process = subprocess.Popen(
                [*self.command, "-H", "127.0.0.1", "-p", str(self.port),
                 "-c", str(self.certificate), "-k", str(self._key)],
                stdout=sink, stderr=subprocess.STDOUT, env=environment,
            )  # fmt: skip
        context = ssl.create_default_context(cafile=str(self.certificate))
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(self.url + "/moto-api/", timeout=1, context=context).read()
                return self
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto_server did not start on {self.url}; see {self.log_path}")
                time.sleep(0.2)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def client_environment(server: MotoServer) -> dict[str, str]:
    """Environment for Terraform and boto3 against the emulator: test credentials, nothing leaves loopback."""
    return {
        "AWS_CA_BUNDLE": str(server.certificate),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": server.url,
        "AWS_EC2_METADATA_DISABLED": "true",
        "HTTP_PROXY": DEAD_PROXY,
        "HTTPS_PROXY": DEAD_PROXY,
        "NO_PROXY": "127.0.0.1,localhost",
        "http_proxy": DEAD_PROXY,
        "https_proxy": DEAD_PROXY,
        "no_proxy": "127.0.0.1,localhost",
    }


def _hcl_value(value: object) -> str:
    """A python-hcl2 value written back as HCL (strings keep their `${...}` templates)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}") and value.count("${") == 1:
            return value[2:-1]
        return json.dumps(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_hcl_value(item)}" for key, item in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_hcl_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {value!r} as HCL")


def _s3_client_settings(url: str) -> dict[str, object]:
    """The S3 backend's and terraform_remote_state's settings for the emulator."""
    return {
        "endpoints": {"s3": url, "sts": url, "iam": url},
        "use_path_style": True,
        "skip_credentials_validation": True,
        "skip_requesting_account_id": True,
        "skip_metadata_api_check": True,
        "access_key": "test",
        "secret_key": "test",
    }


def provider_override(url: str, alias: str | None) -> list[str]:
    """One `provider "aws"` override block (for the stack's default or one aliased configuration)."""
    endpoints = "\n".join(f"    {name} = {json.dumps(url)}" for name in EMULATED_ENDPOINTS)
    return [
        'provider "aws" {',
        *([f"  alias                       = {json.dumps(alias)}"] if alias else []),
        '  access_key                  = "test"',
        '  secret_key                  = "test"',
        "  skip_credentials_validation = true",
        "  skip_metadata_api_check     = true",
        "  s3_use_path_style           = true",
        "  # moto answers an API it lacks with HTTP 500, which the provider would retry for minutes with",
        "  # its default of 25; a few retries still carry a call over a connection the busy server dropped.",
        "  max_retries                 = 4",
        "  endpoints {",
        endpoints,
        "  }",
        "}",
    ]


def override_text(stack_dir: Path, url: str) -> str:
    """The emulator_override.tf for one stack, built from the stack's own provider, backend and
    remote-state blocks. Every provider configuration, aliased ones too (a second region), gets the
    emulator's endpoints: a configuration left out would call AWS itself."""
    parts = ["# Written by tools/infra/emulator.py for a run against the AWS emulator; never part of the stack."]
    parts += provider_override(url, None)
    s3_settings = _s3_client_settings(url)
    for file in sorted(stack_dir.glob("*.tf")):
        if file.name == OVERRIDE_FILE:
            continue
        for block in parse_file(file).blocks:
            if block.type == "provider" and block.labels == ["aws"] and block.get("alias"):
                parts += provider_override(url, str(block.get("alias")))
            if block.type == "terraform":
                for backend in block.children("backend"):
                    settings = {name: attribute.value for name, attribute in backend.attributes.items()}
                    settings.update(s3_settings)
                    body = "\n".join(f"    {key} = {_hcl_value(value)}" for key, value in settings.items())
                    parts += ["terraform {", f'  backend "{backend.labels[0]}" {{', body, "  }", "}"]
            if block.type == "data" and block.labels[0] == "terraform_remote_state":
                config = dict(block.get("config") or {})
                config.update(s3_settings)
                parts += [f'data "terraform_remote_state" "{block.labels[1]}" {{',
                          f"  config = {_hcl_value(config)}", "}"]
    return "\n".join(parts) + "\n"


def copy_for_emulator(destination: Path, url: str, repository: Path) -> Path:
    """Copy terraform/ and config/ (which the stacks read) under DESTINATION, with override files.

    Returns the copied Terraform root. Working files of earlier runs (.terraform, state) are left out.
    """
    ignore = shutil.ignore_patterns(".terraform", "*.tfstate", "*.tfstate.*", "*.tfvars", "tests")
    terraform_root = destination / "terraform"
    shutil.copytree(repository / "terraform", terraform_root, ignore=ignore)
    shutil.copytree(repository / "config", destination / "config")
    for stack_dir in sorted(path for path in terraform_root.iterdir() if path.is_dir()):
        if any(stack_dir.glob("*.tf")):
            (stack_dir / OVERRIDE_FILE).write_text(override_text(stack_dir, url))
    return terraform_root
