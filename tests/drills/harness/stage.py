"""The stage every drill runs on: the shared PostgreSQL, an API key, the way instances start, ports.

Everything listens on 127.0.0.1. The PostgreSQL server is the project's sandbox on its own port
(DRILL_POSTGRES_PORT, default 55433), so a drill that stops it never disturbs the test suites' server.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .haproxy import Balancer
from .instances import BINARY, BinaryInstance, ContainerInstance, Instance, remove_run_containers
from .timings import ROOT, DrillTimings

SANDBOX = ROOT / "scripts" / "postgres-sandbox.sh"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Database:
    """The drills' PostgreSQL sandbox: start, pause (an outage), resume."""

    def __init__(self, port: int) -> None:
        self.environment = {**os.environ, "SANDBOX_POSTGRES_PORT": str(port)}

    def _run(self, action: str) -> str:
        answer = subprocess.run(
            [str(SANDBOX), action], env=self.environment, capture_output=True, text=True, timeout=120
        )
        if answer.returncode != 0:
            raise RuntimeError(f"postgres-sandbox.sh {action} failed: {answer.stderr.strip()}")
        return answer.stdout.strip()

    def start(self) -> None:
        self._run("start")

    def pause(self) -> None:
        self._run("pause")

    def resume(self) -> None:
        self._run("resume")

    def url(self) -> str:
        return self._run("url")

    def stop(self) -> None:
        """Stops the server and deletes its data: every run starts from an empty database."""
        self._run("stop")


@dataclass
class Stage:
    timings: DrillTimings
    database: Database
    mode: str  # "container" or "binary"
    image: str
    out: Path
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    api_key: str = ""
    order_id: str = ""
    instances: list[Instance] = field(default_factory=list)
    startup_seconds: float = 0.0
    _counter: int = 0

    @property
    def replacement_delay(self) -> float:
        """How long a crashed instance stays away before its replacement starts: one interval more
        than the balancer's detection window, as a Fargate replacement (tens of seconds) always is."""
        return self.timings.detection_window + self.timings.interval

    def service_environment(self, **overrides: str) -> dict[str, str]:
        url = self.database.url()
        environment = {
            "STORE": "postgres",
            "DATABASE_URL": url,
            "DATABASE_TLS": "disable",
            "DATABASE_POOL_SIZE": "5",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "warning",
            **self.timings.service_environment(),
        }
        environment.update(overrides)
        return environment

    def new_instance(self, port: int, **overrides: str) -> Instance:
        self._counter += 1
        name = f"drill-{self.run_id}-{self._counter}"
        environment = self.service_environment(**overrides)
        if self.mode == "container":
            instance: Instance = ContainerInstance(
                name=name, port=port, environment=environment, replacement_delay=self.replacement_delay,
                image=self.image, run_id=self.run_id,
            )  # fmt: skip
        else:
            instance = BinaryInstance(
                name=name, port=port, environment=environment, replacement_delay=self.replacement_delay,
                workdir=self.out / "instances",
            )  # fmt: skip
        self.instances.append(instance)
        instance.start()
        return instance

    def cli(self, *arguments: str) -> str:
        """Runs one CLI mode of the service (keys create, ...) against the drills' database."""
        environment = self.service_environment()
        if self.mode == "container":
            env_args = [item for key, value in environment.items() for item in ("--env", f"{key}={value}")]
            command = ["docker", "run", "--rm", "--network=host", "--read-only", "--tmpfs", "/tmp",
                       "--label", f"cloud-app-platform.drill-run={self.run_id}", *env_args, self.image, *arguments]  # fmt: skip
            answer = subprocess.run(command, capture_output=True, text=True, timeout=120)
        else:
            answer = subprocess.run(
                [str(BINARY), *arguments], env={**os.environ, **environment}, capture_output=True, text=True, timeout=120
            )
        if answer.returncode != 0:
            raise RuntimeError(f"orders-service {' '.join(arguments)} failed: {answer.stderr.strip()}")
        return answer.stdout.strip()

    def prepare(self) -> None:
        """Database up, one API key for the drills' customer, one order every GET of the load reads."""
        self.database.start()
        self.api_key = self.cli(
            "keys", "create", "--customer", "drills", "--label", f"failure drills {self.run_id}", "--to-stdout"
        )
        probe = self.new_instance(free_port())
        started = probe.wait_answering(timeout=60, path="/health/ready")
        if started is None:
            raise RuntimeError(f"the first instance never became ready:\n{probe.logs()[-2000:]}")
        self.startup_seconds = started
        status, body = self.post_order(probe.url, self.order_body("seed"))
        if status != 201:
            raise RuntimeError(f"creating the seed order answered {status}: {body}")
        self.order_id = body["id"]
        probe.remove()
        self.instances.remove(probe)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    @staticmethod
    def order_body(sku: str) -> dict:
        return {"customer_id": "drills", "currency": "EUR", "items": [{"sku": sku, "quantity": 2, "unit_price_cents": 1250}]}

    def post_order(self, base_url: str, body: dict, idempotency_key: str | None = None) -> tuple[int, dict]:
        headers = {**self.auth(), "Content-Type": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        request = urllib.request.Request(base_url + "/orders", data=json.dumps(body).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, {"problem": error.read().decode(errors="replace")}

    def get_order(self, base_url: str, order_id: str) -> tuple[int, dict]:
        request = urllib.request.Request(f"{base_url}/orders/{order_id}", headers=self.auth())
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, {}

    @contextmanager
    def balancer(self, name: str, slots: int, retry_idempotent: bool = False):
        """An HAProxy with `slots` server slots on free ports; stopped at the end of the block."""
        balancer = Balancer(
            workdir=self.out / name,
            listen_port=free_port(),
            server_ports=[free_port() for _ in range(slots)],
            timings=self.timings,
            retry_idempotent=retry_idempotent,
        )
        balancer.start()
        try:
            yield balancer
        finally:
            balancer.stop()

    def start_in_service(self, balancer: Balancer, slots: list[int]) -> dict[int, Instance]:
        """Starts one instance per slot and waits until the balancer routes to each."""
        started = {slot: self.new_instance(balancer.server_ports[slot - 1]) for slot in slots}
        for slot, instance in started.items():
            if instance.wait_answering(timeout=60, path="/health/ready") is None:
                raise RuntimeError(f"{instance.name} never became ready:\n{instance.logs()[-2000:]}")
            balancer.register(slot)
        for slot in slots:
            if balancer.wait_status(slot, "UP", timeout=self.timings.time_to_healthy + 10) is None:
                raise RuntimeError(f"srv{slot} never became UP at the balancer")
        return started

    def keep_logs(self, instance: Instance) -> None:
        """The instance's log lines, kept under out/drills/logs/ after it is gone."""
        logs = self.out / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        try:
            (logs / f"{instance.name}.log").write_text(instance.logs(), encoding="utf-8")
        except (OSError, subprocess.SubprocessError):
            pass

    def retire(self, instance: Instance) -> None:
        self.keep_logs(instance)
        instance.remove()
        if instance in self.instances:
            self.instances.remove(instance)

    def cleanup(self) -> None:
        for instance in list(self.instances):
            self.keep_logs(instance)
            instance.remove()
        self.instances.clear()
        if self.mode == "container":
            remove_run_containers(self.run_id)


def settle(seconds: float) -> None:
    """A pause in the drill's script (load keeps running)."""
    time.sleep(max(0.0, seconds))
