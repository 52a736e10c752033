"""Drill 3: a bad deployment receives 0 requests, and the old instances keep serving.

Two kinds of bad instance, because the balancer's check (/health) deliberately ignores the database
and so cannot catch every bad deployment on its own (docs/drills.md, "The bad deployment"):

1. One that fails the load balancer's check: it listens on a port other than the one it is
   registered with (as bad-deploy.sh's task definition does on AWS). It is registered the way ECS
   registers a task, starts unhealthy, never passes a check within the grace period, and so never
   receives a request; then it is rolled back (deregistered and stopped).
2. One with a wrong DATABASE_PASSWORD: it starts, /health answers 200 (so the check alone would let
   it in), but /health/ready stays 503 and its orders routes answer 503. Here the deployment gate of
   this drill waits for /health/ready before registering a new instance, for at most the grace
   period; it never gets there, so it is never registered. On ECS nothing like this gate exists:
   such a task is registered and takes traffic until the deployment alarms (5xx ratio) roll it back.
"""

from __future__ import annotations

import time

from harness.instances import http_status
from harness.report import DrillReport, Event, Variant
from harness.stage import Stage, free_port, settle

from .common import LEAD_SECONDS, SLACK_SECONDS, TAIL_SECONDS, bound_load_covered, load_for, requests_to

OLD = [1, 2]
NEW = 3


def run(stage: Stage) -> DrillReport:
    report = DrillReport(3, "Bad deployment (0 requests reach it)")
    report.variants.append(_fails_health_check(stage))
    report.variants.append(_never_ready(stage))
    return report


def _api_requests_seen(url: str) -> int | None:
    """Requests the instance counted on its API routes (health and metrics are not counted)."""
    import urllib.request

    try:
        with urllib.request.urlopen(url + "/metrics", timeout=2) as response:
            text = response.read().decode()
    except OSError:
        return None
    total = 0
    for line in text.splitlines():
        if line.startswith("http_server_requests_total"):
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


def _common_bounds(variant: Variant, balancer, result, started_at: float, last_action: float) -> None:
    variant.record_load(result)
    variant.bound("failed requests (the old instances keep serving)", variant.failed, "0", variant.failed == 0)
    for slot in OLD:
        served = [r for r in requests_to(balancer, slot) if r.at > started_at]
        variant.bound(f"requests served by old srv{slot} during the deployment", len(served), "> 0", len(served) > 0)
    bound_load_covered(variant, result.finished_at, last_action)
    variant.notes.append(f"responses by status: {dict(sorted(result.statuses().items()))}; no response: {result.unanswered}")


def _fails_health_check(stage: Stage) -> Variant:
    t = stage.timings
    variant = Variant("fails the balancer's check (wrong port)")
    planned = LEAD_SECONDS + t.grace_period + 2 * SLACK_SECONDS + TAIL_SECONDS
    with stage.balancer("bad-deploy-port", slots=3) as balancer:
        stage.start_in_service(balancer, OLD)
        load = load_for(stage, balancer, planned, "bad-deploy-port").start()
        settle(LEAD_SECONDS)
        started_at = time.time()
        actual_port = free_port()
        bad = stage.new_instance(balancer.server_ports[NEW - 1], HTTP_PORT=str(actual_port))
        balancer.register(NEW)
        variant.events.append(Event(started_at, f"start and register srv{NEW}"))
        alive = None
        while alive is None and time.time() < started_at + t.grace_period:
            if http_status(f"http://127.0.0.1:{actual_port}/health/live", timeout=0.5)[0] == 200:
                alive = time.time() - started_at
            time.sleep(0.05)
        up_at = balancer.wait_change(NEW, "UP", after=started_at, timeout=max(0.0, started_at + t.grace_period - time.time()))
        decided_at = time.time()
        variant.events.append(Event(decided_at, "grace period over: roll back"))
        routed = balancer.sessions(NEW)
        balancer.deregister(NEW)
        stage.retire(bad)
        removed_at = time.time()
        last_action = removed_at
        result = load.wait()
        logged = requests_to(balancer, NEW)
        statuses = balancer.statuses_between(NEW, started_at, decided_at)

    variant.detect = decided_at - started_at
    variant.detect_meaning = "start until the deployment is declared failed (the grace period)"
    variant.recover = removed_at - decided_at
    variant.recover_meaning = "rollback: the bad instance deregistered and stopped"
    variant.notes.append(
        f"the instance itself ran: /health/live answered on its own port {actual_port} after "
        f"{alive:.2f} s" if alive is not None else "the instance never answered even on its own port"
    )
    variant.bound("balancer states of the bad instance", ", ".join(sorted(statuses)) or "none", "never UP", "UP" not in statuses and up_at is None)
    variant.bound("requests the balancer sent to the bad instance", routed + len(logged), "0", routed == 0 and not logged)
    _common_bounds(variant, balancer, result, started_at, last_action)
    for instance in list(stage.instances):
        stage.retire(instance)
    return variant


def _never_ready(stage: Stage) -> Variant:
    t = stage.timings
    variant = Variant("wrong DATABASE_PASSWORD (gate on /health/ready)")
    planned = LEAD_SECONDS + t.grace_period + 2 * SLACK_SECONDS + TAIL_SECONDS
    with stage.balancer("bad-deploy-password", slots=3) as balancer:
        stage.start_in_service(balancer, OLD)
        load = load_for(stage, balancer, planned, "bad-deploy-password").start()
        settle(LEAD_SECONDS)
        started_at = time.time()
        bad = stage.new_instance(balancer.server_ports[NEW - 1], DATABASE_PASSWORD="not-the-password")
        variant.events.append(Event(started_at, f"start srv{NEW} (not registered until ready)"))
        # The deployment gate: register only once /health/ready answers 200, within the grace period.
        health_codes: set[int] = set()
        ready_codes: set[int] = set()
        registered = False
        deadline = started_at + t.grace_period
        while time.time() < deadline:
            health_codes.add(http_status(bad.url + "/health", timeout=0.5)[0])
            ready = http_status(bad.url + "/health/ready", timeout=0.5)[0]
            ready_codes.add(ready)
            if ready == 200:
                balancer.register(NEW)
                registered = True
                break
            time.sleep(0.25)
        decided_at = time.time()
        variant.events.append(Event(decided_at, "gate: never ready, roll back"))
        seen_before_probe = _api_requests_seen(bad.url)
        probe_status, probe_headers, probe_seconds = http_status(
            f"{bad.url}/orders/{stage.order_id}", timeout=5, headers=stage.auth()
        )
        routed = balancer.sessions(NEW)
        stage.retire(bad)
        removed_at = time.time()
        last_action = removed_at
        result = load.wait()

    health_codes.discard(0)
    ready_codes.discard(0)
    variant.detect = decided_at - started_at
    variant.detect_meaning = "start until the gate gives up (the grace period)"
    variant.recover = removed_at - decided_at
    variant.recover_meaning = "rollback: the bad instance stopped"
    variant.bound(
        "its /health (the balancer's check) answered", ",".join(map(str, sorted(health_codes))) or "nothing",
        "200: the check alone would have let it in", health_codes == {200},
    )  # fmt: skip
    variant.bound(
        "its /health/ready answered", ",".join(map(str, sorted(ready_codes))) or "nothing", "only 503",
        ready_codes == {503} and not registered,
    )  # fmt: skip
    variant.bound(
        "its orders route (probed directly)", f"{probe_status} in {probe_seconds:.2f} s, Retry-After {probe_headers.get('retry-after', 'missing')}",
        "503 with Retry-After, fast", probe_status == 503 and "retry-after" in probe_headers and probe_seconds < t.request_timeout,
    )  # fmt: skip
    variant.bound(
        "requests that reached it from the balancer (its own counter, and the balancer's)",
        (seen_before_probe or 0) + routed, "0", seen_before_probe == 0 and routed == 0,
    )  # fmt: skip
    _common_bounds(variant, balancer, result, started_at, last_action)
    for instance in list(stage.instances):
        stage.retire(instance)
    return variant
