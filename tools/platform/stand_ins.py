"""Real local parts for the steps an AWS emulator cannot do, for a rehearsal of `up` and `down`.

An emulator (moto) takes Terraform's calls, but it runs no container and stores no image:

- ECR: images go to a real registry on loopback (Debian's `docker-registry`); the digest the task
  definition names is the one that registry returned for the push.
- The admin task: its container runs under Docker on this machine with the admin task definition's
  command and settings as the emulator returns them, its secrets read from the emulator's Secrets
  Manager as ECS would, and the database reached at a local PostgreSQL in the RDS instance's place
  (with the local superuser's login instead of the RDS-managed master secret, and without TLS).
- The service's tasks: ECS runs none in the emulator, so the stand-in checks what a stable service
  would run, the deployed digest in the service's task definition.

Each stand-in says so in its `name`, which every step line prints.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tools.platform.aws import Aws, BuildSpec, StepFailed, push_local_image, pushed_digest
from tools.platform.process import CommandFailed, Runner

MANIFEST_TYPES = ", ".join((
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
))  # fmt: skip


class LocalRegistry:
    """Images pushed to a registry on loopback instead of ECR, under the ECR repository's name."""

    def __init__(self, address: str, runner: Runner, docker: list[str] | None = None):
        self.address = address
        self.runner = runner
        self.docker = docker or ["docker"]
        self.name = f"stand-in for ECR: the local registry {address} (docker-registry)"

    def local_reference(self, repository_url: str) -> str:
        """The local registry's name for an ECR repository URL (its repository name kept)."""
        return f"{self.address}/{repository_url.split('/', 1)[1]}"

    def digest(self, repository_url: str, tag: str) -> str | None:
        """The digest the tag names in the local registry, or None."""
        name = repository_url.split("/", 1)[1]
        request = urllib.request.Request(f"http://{self.address}/v2/{name}/manifests/{tag}", method="HEAD",
                                         headers={"Accept": MANIFEST_TYPES})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.headers["Docker-Content-Digest"]
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise

    def push(self, repository_url: str, tag: str, local_image: str | None, build: BuildSpec | None) -> str:
        """Push the local image under TAG to the local registry; its digest."""
        if not local_image:
            raise StepFailed("the local registry stand-in pushes a local image: pass --image")
        reference = f"{self.local_reference(repository_url)}:{tag}"
        push_local_image(self.runner, self.docker, local_image, reference)
        return pushed_digest(self.digest(repository_url, tag), reference, "the local registry")


@dataclass
class LocalDatabase:
    """The PostgreSQL that takes the RDS instance's place: its superuser's login, one database per environment."""

    host: str
    port: int
    user: str
    password: str
    psql: str = "psql"

    def ensure(self, runner: Runner, name: str) -> None:
        """Create the environment's database on the local server unless it exists."""
        exists = runner.run([self.psql, "-h", self.host, "-p", str(self.port), "-U", self.user, "-d", "postgres",
                             "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                            env={"PGPASSWORD": self.password}, label="psql-database").stdout.strip()
        if exists != "1":
            runner.run([self.psql, "-h", self.host, "-p", str(self.port), "-U", self.user, "-d", "postgres",
                        "-c", f'CREATE DATABASE "{name}"'], env={"PGPASSWORD": self.password}, label="psql-create")


class LocalAdminTask:
    """The admin task's container under Docker on this machine, as its task definition describes it."""

    def __init__(self, aws: Aws, runner: Runner, registry: LocalRegistry, database: LocalDatabase,
                 environment: str, emulator: dict[str, str], docker: list[str] | None = None):
        self.aws = aws
        self.runner = runner
        self.registry = registry
        self.database = database
        self.database_name = f"orders_{environment.replace('-', '_')}"
        self.emulator = emulator
        self.docker = docker or ["docker"]
        self.name = (f"stand-in for ECS run-task: the admin container under local Docker, its database the local "
                     f"PostgreSQL {database.host}:{database.port}/{self.database_name}")

    def _secret(self, value_from: str) -> str:
        arn, _, rest = value_from.partition(":secret:")
        name, _, key = rest.partition(":")
        secret_id = f"{arn}:secret:{name}"
        value = json.loads(self.aws.call("secretsmanager", "get-secret-value", "--secret-id", secret_id))["SecretString"]
        field = key.split(":")[0]
        return json.loads(value)[field] if field else value

    def run(self, outputs: dict[str, object], command: str | None = None) -> str:
        """Run the admin container (its default command, or COMMAND as its shell line); what it ended with."""
        definition = json.loads(self.aws.call("ecs", "describe-task-definition", "--task-definition",
                                              str(outputs["admin_task_family"])))["taskDefinition"]
        container = definition["containerDefinitions"][0]
        settings = {entry["name"]: entry["value"] for entry in container.get("environment", [])}
        for secret in container.get("secrets", []):
            if secret["name"] in ("DATABASE_USER", "DATABASE_PASSWORD"):
                continue  # the RDS-managed master secret: the local superuser's login takes its place
            settings[secret["name"]] = self._secret(secret["valueFrom"])
        self.database.ensure(self.runner, self.database_name)
        settings.update({
            "DATABASE_HOST": self.database.host, "DATABASE_PORT": str(self.database.port),
            "DATABASE_NAME": self.database_name, "DATABASE_USER": self.database.user,
            "DATABASE_PASSWORD": self.database.password, "DATABASE_TLS": "disable",
            "AWS_ENDPOINT_URL": self.emulator["AWS_ENDPOINT_URL"], "AWS_CA_BUNDLE": "/emulator-ca.pem",
            "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
        })  # fmt: skip
        settings.pop("DATABASE_TLS_CA_FILE", None)
        image = container["image"]
        if "@" in image:
            image = f"{self.registry.local_reference(image.split('@')[0])}@{image.split('@')[1]}"
        line = command or " ".join(container.get("command", []))
        arguments = [*self.docker, "run", "--rm", "--network", "host", "--user", container.get("user", "10001:10001"),
                     "--read-only", "--tmpfs", "/tmp", "-v", f"{Path(self.emulator['AWS_CA_BUNDLE'])}:/emulator-ca.pem:ro"]
        for name, value in sorted(settings.items()):
            arguments += ["-e", f"{name}={value}"]
        arguments += ["--entrypoint", container["entryPoint"][0], image, *container["entryPoint"][1:], line]
        try:
            result = self.runner.run(arguments, label="docker-run-admin", timeout=600)
        except CommandFailed as failed:
            raise StepFailed(f"the admin container failed: {failed}") from None
        said = ((result.stdout + result.stderr).strip().splitlines() or ["(nothing printed)"])[-1]
        return f"exited 0 ({said[:100]})"


class ServiceCheck:
    """In place of ECS's services-stable waiter: the service's task definition names the deployed image."""

    name = "stand-in for the ECS waiter: the emulator runs no tasks"

    def __init__(self, aws: Aws):
        self.aws = aws

    def wait_stable(self, outputs: dict[str, object]) -> str:
        """Check that the service's task definition names a deployed digest."""
        image = self.aws.service_image(outputs)
        if image is None or "@sha256:" not in image:
            raise StepFailed(f"the service's task definition names {image}, not a deployed digest")
        return f"{self.name}; the service's task definition names {image.split('/')[-1][:40]}"


def database_from_url(url: str) -> LocalDatabase:
    """postgres://USER:PASSWORD@HOST:PORT/... as a LocalDatabase."""
    parts = urllib.parse.urlsplit(url)
    return LocalDatabase(parts.hostname or "127.0.0.1", parts.port or 5432, urllib.parse.unquote(parts.username or ""),
                         urllib.parse.unquote(parts.password or ""))
