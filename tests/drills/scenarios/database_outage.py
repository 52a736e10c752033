"""Drill 4: PostgreSQL stops under load, then starts again.

What must hold: the instances stay in rotation (their /health ignores the database, so the balancer
keeps them and nothing gets replaced), /health/ready reports the database down, order routes answer
fast 503s with Retry-After (nothing hangs), and once the database is back traffic recovers with no
restart and every order acknowledged before the outage is still there, checked by id.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from harness.instances import http_status
from harness.report import DrillReport, Event, Variant
from harness.stage import Stage, settle

from .common import LEAD_SECONDS, SLACK_SECONDS, TAIL_SECONDS, bound_load_covered, load_for

SLOTS = [1, 2]
OUTAGE_SECONDS = 8.0
ORDERS_BEFORE = 20
# The service probes its database once a second (250 ms while it is down), each probe bounded by 1 s
# (app/Sources/OrdersService/Store/Postgres/PostgresStoreMonitor.swift).
DETECT_BOUND_SECONDS = 2.0 + SLACK_SECONDS
RECOVER_BOUND_SECONDS = 5.0


@dataclass
class Probe:
    at: float
    source: str  # "balancer" or "srvN"
    status: int
    retry_after: str | None
    seconds: float


def run(stage: Stage) -> DrillReport:
    report = DrillReport(4, "Database outage")
    report.variants.append(_outage(stage))
    return report


def _probe(source: str, url: str, headers: dict, stop: threading.Event, seen: list[Probe]) -> None:
    """Five times a second, GET `url`; one thread per source, so a slow answer delays no other probe."""
    while not stop.is_set():
        status, answer_headers, took = http_status(url, timeout=10, headers=headers)
        seen.append(Probe(time.time(), source, status, answer_headers.get("retry-after"), took))
        stop.wait(0.2)


def _first_time_all(probes: list[Probe], sources: list[str], status: int, after: float) -> float | None:
    """When every source had answered `status` since `after` (the latest of their first answers)."""
    firsts = []
    for source in sources:
        times = [p.at for p in probes if p.source == source and p.at >= after and p.status == status]
        if not times:
            return None
        firsts.append(min(times))
    return max(firsts)


def _outage(stage: Stage) -> Variant:
    variant = Variant("PostgreSQL stopped for 8 s, then started")
    planned = LEAD_SECONDS + OUTAGE_SECONDS + RECOVER_BOUND_SECONDS + TAIL_SECONDS
    with stage.balancer("database-outage", slots=2) as balancer:
        instances = stage.start_in_service(balancer, SLOTS)
        before = {}
        for index in range(ORDERS_BEFORE):
            status, body = stage.post_order(balancer.url, Stage.order_body(f"before-outage-{index}"))
            if status == 201:
                before[body["id"]] = body["total_cents"]
        identities = {slot: (i.main_pid(), i.restart_count()) for slot, i in instances.items()}
        probes: list[Probe] = []
        stop = threading.Event()
        names = {f"srv{slot}": instance.url for slot, instance in instances.items()}
        targets = {"balancer": (f"{balancer.url}/orders/{stage.order_id}", stage.auth())}
        targets.update({name: (url + "/health/ready", {}) for name, url in names.items()})
        probers = [
            threading.Thread(target=_probe, args=(source, url, headers, stop, probes), daemon=True)
            for source, (url, headers) in targets.items()
        ]
        load = load_for(stage, balancer, planned, "database-outage").start()
        load_started = time.time()
        for prober in probers:
            prober.start()
        settle(LEAD_SECONDS)
        stopping_at = time.time()
        stage.database.pause()  # pg_ctl stop -m fast: returns once the server is down
        paused_at = time.time()
        variant.events.append(Event(paused_at, "PostgreSQL stopped"))
        settle(OUTAGE_SECONDS - (time.time() - stopping_at))
        resumed_at = time.time()
        stage.database.resume()
        variant.events.append(Event(resumed_at, "PostgreSQL started"))
        settle(RECOVER_BOUND_SECONDS)
        last_action = time.time()  # recovery must have been seen by now
        result = load.wait()
        stop.set()
        for prober in probers:
            prober.join(timeout=15)
        load_ended = time.time()
        after = {order_id: stage.get_order(balancer.url, order_id) for order_id in before}
        statuses = {slot: balancer.statuses_between(slot, load_started, load_ended) for slot in SLOTS}
        identities_after = {slot: (i.main_pid(), i.restart_count()) for slot, i in instances.items()}

    variant.record_load(result)
    sources = list(names)
    down_at = _first_time_all(probes, sources, 503, paused_at)
    ready_again = _first_time_all(probes, sources, 200, resumed_at)
    served_again = min((p.at for p in probes if p.source == "balancer" and p.at >= resumed_at and p.status == 200), default=None)
    variant.detect = (down_at - paused_at) if down_at else None
    variant.detect_meaning = "database stopped until every instance's /health/ready answers 503"
    variant.recover = (max(ready_again, served_again) - resumed_at) if ready_again and served_again else None
    variant.recover_meaning = "database started until every instance is ready and orders are served again"
    variant.bound("outage detected by readiness", variant.detect, f"<= {DETECT_BOUND_SECONDS:.1f} s", variant.detect is not None and variant.detect <= DETECT_BOUND_SECONDS, unit=" s")
    variant.bound("recovered with no restart", variant.recover, f"<= {RECOVER_BOUND_SECONDS:.1f} s", variant.recover is not None and variant.recover <= RECOVER_BOUND_SECONDS, unit=" s")
    variant.bound(
        "balancer states of the instances during the run",
        "; ".join(f"srv{s}: {', '.join(sorted(v))}" for s, v in statuses.items()),
        "UP throughout (kept in rotation)", all(v == {"UP"} for v in statuses.values()),
    )  # fmt: skip
    variant.bound(
        "instances restarted or replaced",
        sum(identities_after[s] != identities[s] for s in SLOTS), "0",
        identities_after == identities,
    )  # fmt: skip
    failed_statuses = sorted({r.status for r in result.failed})
    variant.bound(
        "statuses of failed requests", ",".join(map(str, failed_statuses)) or "none",
        "503 only, every request answered", set(failed_statuses) <= {503} and result.unanswered == 0 and bool(failed_statuses),
    )  # fmt: skip
    outage_503 = [p for p in probes if p.source == "balancer" and p.status == 503]
    missing = [p for p in outage_503 if not p.retry_after]
    variant.bound(
        "503s seen by the probe without Retry-After", f"{len(missing)} of {len(outage_503)}", "0 (and at least one 503)",
        not missing and bool(outage_503),
    )  # fmt: skip
    slowest = max((r.latency for r in result.responses), default=0.0)
    limit = stage.timings.request_timeout + SLACK_SECONDS
    variant.bound("slowest response of the run (nothing hangs)", slowest, f"<= request timeout + {SLACK_SECONDS} s = {limit:.2f} s", slowest <= limit, unit=" s")
    window_end = (served_again or resumed_at) + SLACK_SECONDS
    outside = [r for r in result.failed if not stopping_at <= r.at <= window_end]
    variant.bound("failures outside the outage", len(outside), "0", not outside)
    intact = sum(1 for order_id, total in before.items() if after[order_id][0] == 200 and after[order_id][1].get("total_cents") == total)
    variant.bound(
        "orders acknowledged before the outage, found by id afterwards", f"{intact} of {len(before)}",
        f"{ORDERS_BEFORE} of {ORDERS_BEFORE}", intact == len(before) == ORDERS_BEFORE,
    )  # fmt: skip
    bound_load_covered(variant, result.finished_at, max(ready_again or last_action, served_again or last_action))
    variant.notes.append(f"responses by status: {dict(sorted(result.statuses().items()))}; no response: {result.unanswered}")
    for instance in list(stage.instances):
        stage.retire(instance)
    return variant
