"""Drill: rotating the service's database password under load fails no request.

Two instances serve behind HAProxy, which plays the target group (the drills' balancer: checks of
/health with config/timings.json's interval and thresholds, here at a tenth of their length), while hey
sends reads and writes through it, bounded in count and time, on loopback only. In the middle the admin
task's rotation runs, then ECS's rolling replacement: a new task starts, passes its checks, the old one is
drained, waits the deregistration delay and gets SIGTERM; then the next.

The first replacement read the secret before the rotation and starts after it, as a task ECS launched
just before the admin run: under the one-login scheme that task held a password the database no longer
accepted. The second reads the rotated secret. The old instances keep their first login throughout.
"""
import json
import sys
import time
import uuid
from urllib.parse import urlparse

from support import postgres as shared_postgres
from support.credentials import (
    SandboxPostgres,
    ServiceSecret,
    admin_task,
    service_environment,
    temporary_directory,
    terraform_like_password,
)
from support.service import ROOT, Service, free_port, order_body
from support.tools import required_program

sys.path.insert(0, str(ROOT / "tests" / "drills"))
from harness import timings as drill_timings  # noqa: E402
from harness.haproxy import Balancer  # noqa: E402
from harness.load import Load, Stream  # noqa: E402

# The drills' smallest time scale: checks every 0.5 s, 1.5 s deregistration delay and drain delay.
SCALE = drill_timings.MIN_SCALE
READ_RATE, WRITE_RATE = 80, 8
# Long enough for the rotation and two replacements (about 15 s on a loaded two-core machine).
LOAD_SECONDS = 30
LEAD_SECONDS = 2.0


def _start_instance(postgres: SandboxPostgres, database: str, login: dict, port: int,
                    timings: drill_timings.DrillTimings) -> Service:  # fmt: skip
    environment = {
        **service_environment(postgres, database, login),
        **timings.service_environment(),
        "DATABASE_POOL_SIZE": "5",
        "LOG_LEVEL": "warning",
    }
    return Service(environment, port=port).start(wait_for="/health/ready", timeout=30)


def _replace(balancer: Balancer, old: Service, old_slot: int, new: Service, new_slot: int,
             timings: drill_timings.DrillTimings) -> None:  # fmt: skip
    """As ECS deploys: register the new task, wait until it is healthy, drain the old one, wait the
    deregistration delay, then SIGTERM (the old one drains for its drain delay and stops)."""
    balancer.register(new_slot)
    assert balancer.wait_status(new_slot, "UP", timeout=timings.grace_period + 5) is not None, new.logs()[-2000:]
    balancer.drain(old_slot)
    time.sleep(timings.deregistration_delay)
    assert old.stop(timeout=timings.stop_timeout + 5) == 0, old.logs()[-2000:]
    balancer.deregister(old_slot)


def test_rotation_under_load_fails_no_request():
    required_program("hey", "hey")
    required_program("haproxy", "haproxy")
    shared_postgres.start()
    postgres = SandboxPostgres(urlparse(shared_postgres.admin_url()).port)
    timings = drill_timings.load(SCALE)
    run = uuid.uuid4().hex[:8]
    database, group = f"rotation_{run}", f"orders_rotation_{run}"
    first_login = {"username": f"{group}_a", "password": terraform_like_password()}
    workdir = temporary_directory()
    postgres.create_database(database)
    secret = ServiceSecret(workdir, name=f"drill/{group}").start(**first_login)
    instances: list[Service] = []
    balancer = Balancer(workdir / "balancer", free_port(), [free_port() for _ in range(4)], timings)
    try:
        bootstrap = admin_task(postgres, database, "admin", "bootstrap-database", login=first_login)
        assert bootstrap.returncode == 0, bootstrap.stderr
        balancer.start()
        old = {slot: _start_instance(postgres, database, secret.current(), balancer.server_ports[slot - 1], timings)
               for slot in (1, 2)}  # fmt: skip
        instances += old.values()
        for slot in old:
            balancer.register(slot)
            assert balancer.wait_status(slot, "UP", timeout=timings.grace_period + 5) is not None
        token = old[1].create_key("drill")
        seeded = old[1].post_order(token, order_body(customer=None))
        assert seeded.status == 201, seeded
        auth = {"Authorization": f"Bearer {token}"}
        load = Load(balancer.url, [
            Stream("reads", "GET", f"/orders/{seeded.json()['id']}", READ_RATE, LOAD_SECONDS, workers=2, headers=auth),
            Stream("writes", "POST", "/orders", WRITE_RATE, LOAD_SECONDS, workers=1, headers=auth,
                   body=json.dumps(order_body(customer=None))),
        ], workdir / "load").start()  # fmt: skip
        time.sleep(LEAD_SECONDS)

        launched_before_rotation = secret.current()
        started = time.monotonic()
        rotation = admin_task(postgres, database, "admin", "rotate-service-password", secret=secret)
        rotation_seconds = time.monotonic() - started
        assert rotation.returncode == 0, rotation.stderr
        rotated = secret.current()
        assert rotated["username"] == f"{group}_b"

        replacement = _start_instance(postgres, database, launched_before_rotation, balancer.server_ports[2], timings)
        instances.append(replacement)
        _replace(balancer, old[1], 1, replacement, 3, timings)
        second = _start_instance(postgres, database, rotated, balancer.server_ports[3], timings)
        instances.append(second)
        _replace(balancer, old[2], 2, second, 4, timings)
        last_action = time.time()
        result = load.wait()

        answered_by = {f"srv{slot}": 0 for slot in range(1, 5)}
        for logged in balancer.requests():
            answered_by[logged.server] = answered_by.get(logged.server, 0) + 1
        print(f"\nrotation drill: {result.sent} requests sent, {result.failed_count} failed "
              f"({result.unanswered} without a response); statuses {dict(sorted(result.statuses().items()))}; "
              f"rotation took {rotation_seconds:.2f} s; requests per instance {answered_by} "
              f"(srv1, srv2: first login from the start; srv3: first login, launched before the rotation; "
              f"srv4: second login)")  # fmt: skip
        assert result.finished_at > last_action, "the load ended before the drill's last action"
        assert result.failed_count == 0, [f"{r.status} {r.stream}" for r in result.failed[:20]]
        assert answered_by["srv3"] > 0 and answered_by["srv4"] > 0, answered_by
    finally:
        for instance in instances:
            instance.stop()
        balancer.stop()
        secret.stop()
        postgres.drop(database, [f"{group}_a", f"{group}_b", group])
